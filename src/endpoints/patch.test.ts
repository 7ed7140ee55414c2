import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiTestServer, type ApiTestServer } from '../testing/api-test-server.ts';
import { widgets } from '../testing/fixtures.ts';

const W = '/apis/test.extapi.dev/v1/namespaces/default/widgets';
const patch = (t: ApiTestServer, name: string, type: string, body: unknown, query = '') =>
  t.request('PATCH', `${W}/${name}${query}`, { body, contentType: type });

describe('patch', () => {
  let t: ApiTestServer;
  before(async () => {
    t = await startApiTestServer([widgets]);
    await t.request('POST', W, { body: { metadata: { name: 'p', labels: { a: '1' }, finalizers: ['x.io/one'] }, spec: { replicas: 1, containers: [{ name: 'app', image: 'v1' }, { name: 'side', image: 's1' }], tags: ['a'] } } });
  });
  after(async () => { await t.close(); });

  it('applies a JSON merge patch (null deletes)', async () => {
    const res = await patch(t, 'p', 'application/merge-patch+json', { metadata: { labels: { a: null, b: '2' } }, spec: { replicas: 3 } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.metadata.labels, { b: '2' });
    assert.equal(res.body.spec.replicas, 3);
    assert.equal(res.body.metadata.generation, 2);
    assert.equal(res.body.spec.containers.length, 2);
  });

  it('applies a strategic merge patch, merging containers by name and finalizers as a set', async () => {
    const res = await patch(t, 'p', 'application/strategic-merge-patch+json', {
      metadata: { finalizers: ['x.io/two'] },
      spec: { containers: [{ name: 'app', image: 'v2' }, { name: 'side', $patch: 'delete' }, { name: 'new', image: 'n1' }], tags: ['b'] },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.spec.containers, [{ name: 'app', image: 'v2' }, { name: 'new', image: 'n1' }]);
    // Upstream's ordering: patch items first unless both sides' positions are known (mergeSortedSlice).
    assert.deepEqual(res.body.spec.tags, ['b', 'a']);
    assert.deepEqual(res.body.metadata.finalizers, ['x.io/two', 'x.io/one']);
    const stored = (await t.request('GET', `${W}/p`)).body;
    assert.deepEqual(stored.spec.containers, res.body.spec.containers);
  });

  it('applies a JSON patch, and a failed test op changes nothing (422)', async () => {
    const before = (await t.request('GET', `${W}/p`)).body;
    const ok = await patch(t, 'p', 'application/json-patch+json', [{ op: 'replace', path: '/spec/replicas', value: 5 }]);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.spec.replicas, 5);
    const failed = await patch(t, 'p', 'application/json-patch+json', [{ op: 'test', path: '/spec/replicas', value: 99 }, { op: 'replace', path: '/spec/replicas', value: 6 }]);
    assert.equal(failed.status, 422);
    assert.equal((await t.request('GET', `${W}/p`)).body.spec.replicas, 5);
    assert.notEqual(before.metadata.resourceVersion, ok.body.metadata.resourceVersion);
  });

  it('refuses malformed patches with 400 and invalid results with 422, storing nothing', async () => {
    const rv = (await t.request('GET', `${W}/p`)).body.metadata.resourceVersion;
    assert.equal((await patch(t, 'p', 'application/merge-patch+json', '{not json')).status, 400);
    assert.equal((await patch(t, 'p', 'application/json-patch+json', { op: 'add' })).status, 400);
    const missingKey = await patch(t, 'p', 'application/strategic-merge-patch+json', { spec: { containers: [{ image: 'no-name' }] } });
    assert.equal(missingKey.status, 400);
    const invalid = await patch(t, 'p', 'application/merge-patch+json', { spec: { replicas: -4 } });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.body.details.causes[0].field, 'spec.replicas');
    assert.equal((await t.request('GET', `${W}/p`)).body.metadata.resourceVersion, rv);
  });

  it('answers 409 for a stale resourceVersion in the patch, 404 for a missing object', async () => {
    const res = await patch(t, 'p', 'application/merge-patch+json', { metadata: { resourceVersion: '1' }, spec: { replicas: 7 } });
    assert.equal(res.status, 409);
    assert.equal(res.body.reason, 'Conflict');
    assert.equal((await patch(t, 'nope', 'application/merge-patch+json', { spec: {} })).status, 404);
  });

  it('patches status through /status only', async () => {
    const res = await patch(t, 'p', 'application/merge-patch+json', { status: { phase: 'Running' }, spec: { replicas: 0 } }, '/status');
    assert.equal(res.status, 200);
    assert.equal(res.body.status.phase, 'Running');
    assert.equal(res.body.spec.replicas, 5);
  });

  it('requires a field manager for server-side apply, as kube-apiserver', async () => {
    const apply = await patch(t, 'p', 'application/apply-patch+yaml', 'spec: {}');
    assert.equal(apply.status, 422);
    assert.equal(apply.body.reason, 'Invalid');
    assert.equal(apply.body.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  });

  it('answers 415 for unknown patch types, apply as CBOR or JSON included (kube-apiserver serves apply as YAML only here)', async () => {
    for (const type of ['text/plain', 'application/apply-patch+cbor', 'application/apply-patch+json']) {
      const res = await patch(t, 'p', type, '{}');
      assert.equal(res.status, 415);
      assert.equal(res.body.reason, 'UnsupportedMediaType');
      assert.match(res.body.message, /accepted media types include: .*application\/apply-patch\+yaml/);
    }
  });
});
