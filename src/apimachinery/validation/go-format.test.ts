import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareBytes, formatBadValue, goFloat, goJson, goQuote, goQuoteChar, utf8Length } from './go-format.ts';
import { duplicate, invalid, notSupported, required, tooLong, tooMany, typeInvalid } from './field-errors.ts';

test('goQuote matches strconv.Quote', () => {
  assert.equal(goQuote('abc'), '"abc"');
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote('\n\t\u0001\u007f'), '"\\n\\t\\x01\\x7f"');
  assert.equal(goQuote('é日本'), '"é日本"');
  assert.equal(goQuote('\u00a0\u200b'), '"\\u00a0\\u200b"');
  assert.equal(goQuoteChar("'"), "'\\''");
  assert.equal(goQuoteChar('x'), "'x'");
});

test('goFloat matches %v of a float64', () => {
  assert.equal(goFloat(1.5), '1.5');
  assert.equal(goFloat(123456.5), '123456.5');
  assert.equal(goFloat(1234567.5), '1.2345675e+06');
  assert.equal(goFloat(0.0001), '0.0001');
  assert.equal(goFloat(0.00001), '1e-05');
  assert.equal(goFloat(1e100), '1e+100');
});

test('goJson sorts keys and escapes like encoding/json', () => {
  assert.equal(goJson({ b: 1, a: [true, null, 'x<y'] }), '{"a":[true,null,"x\\u003cy"],"b":1}');
  assert.equal(goJson({ a: undefined, c: 1.5e-7 }), '{"c":1.5e-7}');
  assert.equal(goJson('\u0001\b'), '"\\u0001\\b"');
});

test('bad values render as field.Error does', () => {
  assert.equal(formatBadValue('x'), '"x"');
  assert.equal(formatBadValue(3), '3');
  assert.equal(formatBadValue(2.5), '2.5');
  assert.equal(formatBadValue(false), 'false');
  assert.equal(formatBadValue(null), 'null');
  assert.equal(formatBadValue({ k: 'v' }), '{"k":"v"}');
});

test('field error builders', () => {
  assert.deepEqual(required('a.b'), { type: 'FieldValueRequired', field: 'a.b', detail: 'Required value' });
  assert.equal(invalid('f', 'v', 'bad').detail, 'Invalid value: "v": bad');
  assert.equal(typeInvalid('f', 'string', 'x').type, 'FieldValueTypeInvalid');
  assert.equal(notSupported('f', 'z', ['a', 'b']).detail, 'Unsupported value: "z": supported values: "a", "b"');
  assert.equal(tooLong('f', 1).detail, 'Too long: may not be more than 1 byte');
  assert.equal(tooMany('f', 4, 3).detail, 'Too many: 4: must have at most 3 items');
  assert.equal(tooMany('f', -1, 1).detail, 'Too many: must have at most 1 item');
  assert.equal(duplicate('f[1]', { name: 'a' }).detail, 'Duplicate value: {"name":"a"}');
});

test('byte helpers', () => {
  assert.equal(utf8Length('aé日😀'), 1 + 2 + 3 + 4);
  assert.deepEqual(['b', 'B', 'é', 'a'].sort(compareBytes), ['B', 'a', 'b', 'é']);
});
