import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonParseError, findDuplicateFields, parseJsonDetectingDuplicates } from './json-parse.ts';
import { findJsonSyntaxError } from './json-syntax.ts';

test('duplicate fields are reported with sigs.k8s.io/json paths', () => {
  const text = '{"spec":{"a":1,"a":2,"list":[{"n":1,"n":2},{"x":{"y":1,"y":2}}]},"kind":"X","kind":"Y","spec2":{"a":1},"m":{"k.z":1,"k.z":2}}';
  const parsed = parseJsonDetectingDuplicates(text);
  assert.deepEqual(parsed.duplicateFields, ['spec.a', 'spec.list[0].n', 'spec.list[1].x.y', 'kind', 'm.k.z']);
  assert.deepEqual((parsed.value as Record<string, unknown>).kind, 'Y', 'the last duplicate wins, as in Go');
  assert.deepEqual(findDuplicateFields('[{"a":1,"a":1},[{"b":1,"b":2}]]'), ['[0].a', '[1][0].b']);
  assert.deepEqual(findDuplicateFields('{"a":{"b":1,"b":2,"b":3},"s":"{\\"q\\":1,\\"q\\":2}"}'), ['a.b']);
  assert.deepEqual(findDuplicateFields('{"a\\u0062":1,"ab":2}'), ['ab']);
});

test('duplicate detection can be skipped', () => {
  assert.deepEqual(parseJsonDetectingDuplicates('{"a":1,"a":2}', { detectDuplicates: false }), { value: { a: 2 }, duplicateFields: [] });
});

test('at most 100 duplicates are reported', () => {
  const keys = Array.from({ length: 150 }, (_, i) => `"k${i}":1,"k${i}":2`).join(',');
  assert.equal(findDuplicateFields(`{${keys}}`).length, 100);
});

test('malformed JSON is described in Go encoding/json words', () => {
  const cases: [string, string][] = [
    ['', 'unexpected end of JSON input'],
    ['   ', 'unexpected end of JSON input'],
    ['{', 'unexpected end of JSON input'],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', 'invalid character \'"\' after object key:value pair'],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{"a":1}x', "invalid character 'x' after top-level value"],
    ['01', "invalid character '1' after top-level value"],
    ['-a', "invalid character 'a' in numeric literal"],
    ['1.a', "invalid character 'a' after decimal point in numeric literal"],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['nul', 'unexpected end of JSON input'],
    ['"a\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['\ufeff{}', "invalid character 'ï' looking for beginning of value"],
    ['apiVersion: v1', "invalid character 'a' looking for beginning of value"],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseJsonDetectingDuplicates(text), (err: unknown) => {
      assert.ok(err instanceof JsonParseError);
      assert.equal(err.message, message, `for ${JSON.stringify(text)}`);
      return true;
    });
  }
  assert.equal(findJsonSyntaxError('{"ok":[1,2.5e3,true,null,"\\u00e9"]}'), null);
});

test('a large body without duplicates parses to the same value and reports none', () => {
  const items = Array.from({ length: 20000 }, (_, i) => ({ name: `item-${i}`, value: i, tags: ['a', 'b'], nested: { x: 'hello', y: [1, 2, 3] } }));
  const text = JSON.stringify({ spec: { items } });
  const parsed = parseJsonDetectingDuplicates(text);
  assert.deepEqual(parsed.duplicateFields, []);
  assert.deepEqual(parsed.value, JSON.parse(text));
});
