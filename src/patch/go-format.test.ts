import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goFloat, goS, goTypeName, goV } from './go-format.ts';

describe('Go fmt renderings', () => {
  it('prints %v of decoded JSON as Go does', () => {
    assert.equal(goV({ b: [1, 'x', null], a: { c: true } }), 'map[a:map[c:true] b:[1 x <nil>]]');
    assert.equal(goV([]), '[]');
    assert.equal(goV({}), 'map[]');
    assert.equal(goV(12345678901), '12345678901');
  });
  it('prints floats with %g shortest (exponent from 1e+06 and below 1e-4)', () => {
    assert.deepEqual([1.5, 100000.5, 1234567.5, 0.0001, 0.00001234, -2.5e-7, 1e21].map(goFloat),
      ['1.5', '100000.5', '1.2345675e+06', '0.0001', '1.234e-05', '-2.5e-07', '1e+21']);
    assert.equal(goV(2.5), '2.5');
  });
  it('prints %s of non-strings with the %!s(type=value) marker', () => {
    assert.equal(goS('merge'), 'merge');
    assert.equal(goS(5), '%!s(int64=5)');
    assert.equal(goS(1.5), '%!s(float64=1.5)');
    assert.equal(goS(true), '%!s(bool=true)');
    assert.equal(goS(null), '%!s(<nil>)');
  });
  it('names reflect types', () => {
    assert.deepEqual(['a', 1, 1.5, false, [], {}, null].map(goTypeName),
      ['string', 'int64', 'float64', 'bool', '[]interface {}', 'map[string]interface {}', '%!s(<nil>)']);
  });
});
