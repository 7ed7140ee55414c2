import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sameContent } from './object-codec.ts';

describe('sameContent', () => {
  it('is true for byte-equal encodings and for ones that differ only in key order', () => {
    assert.equal(sameContent('{"a":1,"b":{"c":[1,2]}}', '{"a":1,"b":{"c":[1,2]}}'), true);
    assert.equal(sameContent('{"a":1,"b":{"c":[1,2],"d":"x"}}', '{"b":{"d":"x","c":[1,2]},"a":1}'), true);
  });

  it('is false when a value changed, at the same length or not', () => {
    assert.equal(sameContent('{"metadata":{"labels":{"n":"1234"}}}', '{"metadata":{"labels":{"n":"1235"}}}'), false);
    assert.equal(sameContent('{"a":"x"}', '{"a":"xy"}'), false);
  });

  it('is false for the same characters in another order that is not a key reordering', () => {
    assert.equal(sameContent('{"a":"xy"}', '{"a":"yx"}'), false);
    assert.equal(sameContent('{"a":[1,2]}', '{"a":[2,1]}'), false);
  });
});
