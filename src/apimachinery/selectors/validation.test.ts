import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goQuote, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, regexError } from './validation.ts';

describe('label key validation', () => {
  it('accepts valid keys', () => {
    for (const k of ['a', 'A', '1', 'a-b_c.d', 'example.com/MyName', 'a.b/c', `${'a'.repeat(253)}/${'b'.repeat(63)}`]) {
      assert.deepEqual(isQualifiedName(k), [], k);
    }
  });
  it('rejects invalid keys with every upstream message', () => {
    assert.deepEqual(isQualifiedName(''), [
      'name part must be non-empty',
      `name part ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]', 'MyName', 'my.name', '123-abc')}`,
    ]);
    assert.equal(isQualifiedName('a'.repeat(64))[0], 'name part must be no more than 63 bytes');
    assert.equal(isQualifiedName('é')[0].startsWith('name part must consist of'), true);
    assert.equal(isQualifiedName(`${'a'.repeat(254)}/b`)[0], 'prefix part must be no more than 253 bytes');
  });
  it('formats RegexError with upstream spacing', () => {
    assert.equal(regexError('m', 'r', 'a', 'b'), "m (e.g. 'a',  or 'b', regex used for validation is 'r')");
    assert.equal(regexError('m', 'r'), "m (regex used for validation is 'r')");
  });
});

describe('label value validation', () => {
  it('accepts valid values', () => {
    for (const v of ['', 'a', 'a-b_c.d', '1'.repeat(63)]) assert.deepEqual(isValidLabelValue(v), [], v);
  });
  it('rejects invalid values', () => {
    assert.deepEqual(isValidLabelValue('-a').length, 1);
    assert.deepEqual(isValidLabelValue('a'.repeat(64)), ['must be no more than 63 bytes']);
    assert.deepEqual(isValidLabelValue(`${'a'.repeat(63)}-`).length, 2);
  });
});

describe('isDNS1123Subdomain', () => {
  it('validates', () => {
    assert.deepEqual(isDNS1123Subdomain('example.com'), []);
    assert.equal(isDNS1123Subdomain('Example.com').length, 1);
  });
});

describe('goQuote', () => {
  it('quotes as Go %q does', () => {
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('\n\t\x00\x7f'), '"\\n\\t\\x00\\x7f"');
    assert.equal(goQuote('héllo ☃'), '"héllo ☃"');
    assert.equal(goQuote('\u200b'), '"\\u200b"');
  });
});
