import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError } from './errors.ts';
import { applyMergePatch } from './merge-patch.ts';

/** One case; every expectation was checked against gopkg.in/evanphx/json-patch.v4 MergePatch. */
export interface MergePatchCase {
  name: string;
  original: unknown;
  patch: unknown;
  expected?: unknown;
  error?: string;
}

const deployment = {
  spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr', image: 'nginx' }, { name: 'patch-demo-ctr-2', image: 'redis' }] } } },
};

export const MERGE_PATCH_CASES: MergePatchCase[] = [
  {
    name: 'docs: the containers list is replaced',
    original: deployment,
    patch: { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-3', image: 'gcr.io/google-samples/node-hello:1.0' }] } } } },
    expected: { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-3', image: 'gcr.io/google-samples/node-hello:1.0' }] } } } },
  },
  { name: 'null deletes, objects merge', original: { a: { b: 1, c: 2 }, d: 3 }, patch: { a: { b: null, e: 4 }, d: null }, expected: { a: { c: 2, e: 4 } } },
  { name: 'scalars and arrays replace', original: { a: [1, 2], b: 'x', c: { d: 1 } }, patch: { a: [3], b: { y: 1 }, c: 5 }, expected: { a: [3], b: { y: 1 }, c: 5 } },
  { name: 'nulls are pruned from new objects', original: {}, patch: { a: { b: null, c: { d: null, e: 1 } } }, expected: { a: { c: { e: 1 } } } },
  { name: 'nulls are pruned from objects inside new arrays, null items kept', original: {}, patch: { a: [null, { b: null, c: 1 }] }, expected: { a: [null, { c: 1 }] } },
  { name: 'an array replacing an object keeps its nulls', original: { a: { x: 1 } }, patch: { a: [{ b: null }] }, expected: { a: [{ b: null }] } },
  { name: 'an object replacing a scalar is pruned', original: { a: 1 }, patch: { a: { b: null, c: 2 } }, expected: { a: { c: 2 } } },
  { name: 'deleting an absent member is a no-op', original: { a: 1 }, patch: { b: null }, expected: { a: 1 } },
  { name: 'an empty patch changes nothing', original: { a: 1 }, patch: {}, expected: { a: 1 } },
  { name: 'an array patch replaces the document', original: { a: 1 }, patch: [{ a: null }], expected: [{}] },
  { name: 'a null patch', original: { a: 1 }, patch: null, error: 'Invalid JSON Patch' },
  { name: 'a scalar patch', original: { a: 1 }, patch: 'x', error: 'Invalid JSON Patch' },
];

describe('applyMergePatch', () => {
  for (const tc of MERGE_PATCH_CASES) {
    it(tc.name, () => {
      if (tc.error) {
        assert.throws(() => applyMergePatch(tc.original, tc.patch), (err: unknown) => {
          assert.ok(err instanceof PatchError);
          assert.deepEqual([err.code, err.message], [400, tc.error]);
          return true;
        });
      } else {
        assert.deepEqual(applyMergePatch(tc.original, tc.patch), tc.expected);
      }
    });
  }

  it('does not modify its inputs', () => {
    const original = { a: { b: 1 } };
    const patch = { a: { b: null, c: { d: null } } };
    applyMergePatch(original, patch);
    assert.deepEqual(original, { a: { b: 1 } });
    assert.deepEqual(patch, { a: { b: null, c: { d: null } } });
  });

  it('keeps a __proto__ member as data', () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
