import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepCopy } from './deep-copy.ts';

describe('deepCopy', () => {
  it('copies a JSON object deeply: equal, and sharing nothing', () => {
    const obj = { metadata: { name: 'a', labels: { x: 'y' }, finalizers: ['f'] }, spec: { n: 1, ok: true, none: null, list: [{ k: [1, 2] }] } };
    const copy = deepCopy(obj);
    assert.deepEqual(copy, obj);
    copy.metadata.labels.x = 'changed';
    copy.spec.list[0].k.push(3);
    copy.metadata.finalizers.pop();
    assert.deepEqual(obj, { metadata: { name: 'a', labels: { x: 'y' }, finalizers: ['f'] }, spec: { n: 1, ok: true, none: null, list: [{ k: [1, 2] }] } });
  });

  it('keeps an own "__proto__" key as data, as JSON.parse makes it, without touching the prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = deepCopy(parsed);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal((copy as { polluted?: boolean }).polluted, undefined);
    assert.deepEqual(Object.keys(copy), ['__proto__', 'a']);
    assert.equal(JSON.stringify(copy), JSON.stringify(parsed));
  });

  it('copies frozen objects into unfrozen ones and passes primitives through', () => {
    const frozen = Object.freeze({ a: Object.freeze({ b: 1 }) });
    const copy = deepCopy(frozen) as { a: { b: number } };
    assert.equal(Object.isFrozen(copy) || Object.isFrozen(copy.a), false);
    copy.a.b = 2;
    assert.equal(frozen.a.b, 1);
    assert.equal(deepCopy('s'), 's');
    assert.equal(deepCopy(null), null);
    assert.equal(deepCopy(undefined), undefined);
  });
});
