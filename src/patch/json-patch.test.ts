import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, UNPROCESSABLE_PATCH_MESSAGE } from './errors.ts';
import { MAX_JSON_PATCH_OPERATIONS, applyJsonPatch, decodeJsonPatch } from './json-patch.ts';

/** One case; every expectation was checked against gopkg.in/evanphx/json-patch.v4 v4.13.0. */
export interface JsonPatchCase {
  name: string;
  patch: unknown;
  expected?: unknown;
  error?: { code: number; message: string };
}

export const JSON_PATCH_DOC = (): Record<string, unknown> => ({
  metadata: { name: 'x', labels: { app: 'a' }, finalizers: ['f1', 'f2', 'f3'] },
  spec: { replicas: 1, 'a/b': { '~c': true }, empty: null },
});

export const JSON_PATCH_CASES: JsonPatchCase[] = [
  {
    name: 'add, replace and remove members',
    patch: [
      { op: 'add', path: '/metadata/labels/tier', value: 'web' },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'remove', path: '/metadata/labels/app' },
    ],
    expected: { metadata: { name: 'x', labels: { tier: 'web' }, finalizers: ['f1', 'f2', 'f3'] }, spec: { replicas: 3, 'a/b': { '~c': true }, empty: null } },
  },
  {
    name: 'array insert, append with -, negative index',
    patch: [
      { op: 'add', path: '/metadata/finalizers/0', value: 'f0' },
      { op: 'add', path: '/metadata/finalizers/-', value: 'f4' },
      { op: 'remove', path: '/metadata/finalizers/-1' },
      { op: 'replace', path: '/metadata/finalizers/-4', value: 'F1' },
    ],
    expected: { finalizers: ['F1', 'f1', 'f2', 'f3'] },
  },
  {
    name: 'escaped pointer tokens',
    patch: [{ op: 'replace', path: '/spec/a~1b/~0c', value: false }],
    expected: { spec: { replicas: 1, 'a/b': { '~c': false }, empty: null } },
  },
  {
    name: 'replace of an absent member adds it (kube deviation from the RFC)',
    patch: [{ op: 'replace', path: '/spec/paused', value: true }],
    expected: { spec: { replicas: 1, 'a/b': { '~c': true }, empty: null, paused: true } },
  },
  {
    name: 'test passes, move and copy',
    patch: [
      { op: 'test', path: '/metadata/labels', value: { app: 'a' } },
      { op: 'test', path: '/spec/missing', value: null },
      { op: 'test', path: '/spec/empty' },
      { op: 'move', from: '/metadata/labels', path: '/spec/selector' },
      { op: 'copy', from: '/spec/selector/app', path: '/metadata/name' },
    ],
    expected: { metadata: { name: 'a', finalizers: ['f1', 'f2', 'f3'] }, spec: { replicas: 1, 'a/b': { '~c': true }, empty: null, selector: { app: 'a' } } },
  },
  {
    name: 'add without value sets null; copy of an absent member copies null',
    patch: [{ op: 'add', path: '/spec/x' }, { op: 'copy', from: '/spec/nope', path: '/spec/y' }],
    expected: { spec: { replicas: 1, 'a/b': { '~c': true }, empty: null, x: null, y: null } },
  },
  { name: 'null patch is empty', patch: null, expected: JSON_PATCH_DOC() },
  { name: 'failing test', patch: [{ op: 'test', path: '/spec/replicas', value: 2 }], error: { code: 422, message: 'testing value /spec/replicas failed: test failed' } },
  { name: 'test of an absent member', patch: [{ op: 'test', path: '/spec/nope', value: 2 }], error: { code: 422, message: 'testing value /spec/nope failed: test failed' } },
  { name: 'test under a missing parent', patch: [{ op: 'test', path: '/nope/x', value: 2 }], error: { code: 422, message: 'test operation does not apply: is missing path: /nope/x: missing value' } },
  { name: 'add under a missing parent', patch: [{ op: 'add', path: '/status/phase', value: 'x' }], error: { code: 422, message: 'add operation does not apply: doc is missing path: "/status/phase": missing value' } },
  { name: 'remove of an absent member', patch: [{ op: 'remove', path: '/spec/nope' }], error: { code: 422, message: "error in remove for path: '/spec/nope': Unable to remove nonexistent key: nope: missing value" } },
  { name: 'add past the end of an array', patch: [{ op: 'add', path: '/metadata/finalizers/4', value: 'x' }], error: { code: 422, message: "error in add for path: '/metadata/finalizers/4': Unable to access invalid index: 4: invalid index referenced" } },
  { name: 'non-numeric array index', patch: [{ op: 'add', path: '/metadata/finalizers/x', value: 'x' }], error: { code: 422, message: 'error in add for path: \'/metadata/finalizers/x\': value was not a proper array index: \'x\': strconv.Atoi: parsing "x": invalid syntax' } },
  { name: 'replace of a bad index', patch: [{ op: 'replace', path: '/metadata/finalizers/9', value: 'x' }], error: { code: 422, message: 'replace operation does not apply: doc is missing key: /metadata/finalizers/9: missing value' } },
  { name: 'path without leading slash', patch: [{ op: 'add', path: 'spec', value: 1 }], error: { code: 422, message: 'add operation does not apply: doc is missing path: "spec": missing value' } },
  { name: 'unknown op', patch: [{ op: 'merge', path: '/spec' }], error: { code: 422, message: 'Unexpected kind: merge' } },
  { name: 'missing op', patch: [{ path: '/spec' }], error: { code: 422, message: 'Unexpected kind: unknown' } },
  { name: 'missing path', patch: [{ op: 'remove' }], error: { code: 422, message: 'remove operation failed to decode path: missing value' } },
  { name: 'non-string path on replace', patch: [{ op: 'replace', path: 1, value: 1 }], error: { code: 422, message: 'replace operation failed to decode path: json: cannot unmarshal number into Go value of type string' } },
  { name: 'missing from', patch: [{ op: 'move', path: '/a' }], error: { code: 422, message: 'move operation failed to decode from: operation, missing from field: missing value' } },
  { name: 'move of an absent member', patch: [{ op: 'move', from: '/spec/nope', path: '/spec/x' }], error: { code: 422, message: "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value" } },
  { name: 'replace of the root with a scalar', patch: [{ op: 'replace', path: '', value: 1 }], error: { code: 422, message: 'replace operation value must be object or array: %!w(<nil>)' } },
  { name: 'a patch that is an object', patch: { op: 'add' }, error: { code: 400, message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' } },
  { name: 'an operation that is a string', patch: ['add'], error: { code: 400, message: 'json: cannot unmarshal string into Go value of type jsonpatch.Operation' } },
];

describe('applyJsonPatch', () => {
  for (const tc of JSON_PATCH_CASES) {
    it(tc.name, () => {
      const run = (): Record<string, unknown> => applyJsonPatch(JSON_PATCH_DOC(), tc.patch);
      if (tc.error) {
        assert.throws(run, (err: unknown) => {
          assert.ok(err instanceof PatchError);
          assert.deepEqual([err.code, err.message], [tc.error?.code, tc.error?.message]);
          return true;
        });
        return;
      }
      const result = run();
      const expected = tc.expected as Record<string, unknown>;
      if ('finalizers' in expected) assert.deepEqual((result.metadata as Record<string, unknown>).finalizers, expected.finalizers);
      else for (const key of Object.keys(expected)) assert.deepEqual(result[key], expected[key], key);
    });
  }

  it('does not modify the document or the patch', () => {
    const doc = JSON_PATCH_DOC();
    const value = { a: 1 };
    const patch = [{ op: 'add', path: '/spec/v', value }, { op: 'add', path: '/spec/v/b', value: 2 }];
    const out = applyJsonPatch(doc, patch);
    assert.deepEqual(doc, JSON_PATCH_DOC());
    assert.deepEqual(value, { a: 1 });
    assert.deepEqual((out.spec as Record<string, unknown>).v, { a: 1, b: 2 });
  });

  it('answers failures as kube-apiserver does: 422 with the generic message', () => {
    try {
      applyJsonPatch(JSON_PATCH_DOC(), [{ op: 'test', path: '/spec/replicas', value: 2 }]);
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof PatchError);
      assert.equal(err.statusMessage, UNPROCESSABLE_PATCH_MESSAGE);
      const status = err.toStatusError().toStatus();
      assert.deepEqual([status.code, status.reason, status.message, status.details], [422, 'Invalid', UNPROCESSABLE_PATCH_MESSAGE, {}]);
    }
  });

  it('answers undecodable patches with 400 and the decoder text', () => {
    try {
      applyJsonPatch({}, 'x');
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof PatchError);
      const status = err.toStatusError().toStatus();
      assert.deepEqual([status.code, status.reason, status.message], [400, 'BadRequest', 'json: cannot unmarshal string into Go value of type jsonpatch.Patch']);
    }
  });

  it('limits the number of operations (413)', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/a', value: 1 }));
    assert.throws(() => decodeJsonPatch(ops), (err: unknown) => {
      assert.ok(err instanceof PatchError);
      assert.equal(err.code, 413);
      assert.equal(err.toStatusError().message, 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
      return true;
    });
  });

  it('limits the bytes copy operations add', () => {
    const doc = { big: 'x'.repeat(10) };
    assert.throws(() => applyJsonPatch(doc, [{ op: 'copy', from: '/big', path: '/a' }, { op: 'copy', from: '/big', path: '/b' }], { maxCopyBytes: 20 }),
      { message: 'Unable to complete the copy, the accumulated size increase of copy is 24, exceeding the limit 20' });
  });

  it('refuses __proto__ edits instead of touching the prototype', () => {
    assert.throws(() => applyJsonPatch({}, [{ op: 'add', path: '/__proto__/x', value: 1 }]), PatchError);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
});
