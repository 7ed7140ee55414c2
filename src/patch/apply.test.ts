import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  JSON_PATCH_TYPE, MERGE_PATCH_TYPE, STRATEGIC_MERGE_PATCH_TYPE, applyPatch, decodePatchBody, patchTypeOf,
} from './apply.ts';
import { PatchError } from './errors.ts';
import { deploymentSchema } from './smp-test-schemas.test.ts';

describe('patchTypeOf', () => {
  it('strips parameters after ; as kube-apiserver does', () => {
    assert.equal(patchTypeOf('application/merge-patch+json; charset=utf-8'), MERGE_PATCH_TYPE);
    assert.equal(patchTypeOf('application/json-patch+json'), JSON_PATCH_TYPE);
  });
  it('refuses unknown, differently cased or excluded types', () => {
    assert.equal(patchTypeOf('application/json'), undefined);
    assert.equal(patchTypeOf('Application/Merge-Patch+Json'), undefined);
    assert.equal(patchTypeOf(undefined), undefined);
    assert.equal(patchTypeOf(STRATEGIC_MERGE_PATCH_TYPE, [JSON_PATCH_TYPE, MERGE_PATCH_TYPE]), undefined);
  });
});

describe('decodePatchBody', () => {
  it('parses JSON from strings and bytes', () => {
    assert.deepEqual(decodePatchBody('{"a":1}'), { a: 1 });
    assert.deepEqual(decodePatchBody(new TextEncoder().encode('[1]')), [1]);
  });
  it('answers invalid JSON with 400 "invalid JSON patch"', () => {
    for (const body of ['', '{', '\ufeff{}']) {
      assert.throws(() => decodePatchBody(body), (err: unknown) => err instanceof PatchError && err.code === 400 && err.message === 'invalid JSON patch');
    }
  });
});

describe('applyPatch', () => {
  const original = { metadata: { name: 'x', finalizers: ['a'] }, spec: { replicas: 1 } };
  it('dispatches on the patch type', () => {
    assert.deepEqual(applyPatch(JSON_PATCH_TYPE, original, [{ op: 'replace', path: '/spec/replicas', value: 2 }]),
      { metadata: { name: 'x', finalizers: ['a'] }, spec: { replicas: 2 } });
    assert.deepEqual(applyPatch(MERGE_PATCH_TYPE, original, { metadata: { finalizers: ['b'] } }),
      { metadata: { name: 'x', finalizers: ['b'] }, spec: { replicas: 1 } });
    assert.deepEqual(applyPatch(STRATEGIC_MERGE_PATCH_TYPE, original, { metadata: { finalizers: ['b'] } }, { schema: deploymentSchema }),
      { metadata: { name: 'x', finalizers: ['b', 'a'] }, spec: { replicas: 1 } });
  });
});
