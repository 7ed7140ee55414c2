import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defineResource, type GarbageCollectionPolicy } from '../resource/define-resource.ts';
import { startApiTestServer, type ApiTestServer } from '../testing/api-test-server.ts';

const gadgets = (plural: string, policy: GarbageCollectionPolicy) => defineResource({
  group: 'test.extapi.dev', kind: plural === 'orphaners' ? 'Orphaner' : 'Keeper', plural, namespaced: true, garbageCollectionPolicy: policy,
  versions: [{ name: 'v1', storage: true, schema: { type: 'object', properties: { spec: { type: 'object' } } } }],
});
const PATH = (plural: string) => `/apis/test.extapi.dev/v1/namespaces/default/${plural}`;
const body = (kind: string, name: string) => ({ apiVersion: 'test.extapi.dev/v1', kind, metadata: { name }, spec: {} });

describe('a resource\'s garbageCollectionPolicy over HTTP', () => {
  let t: ApiTestServer;
  before(async () => { t = await startApiTestServer([gadgets('orphaners', 'OrphanDependents'), gadgets('keepers', 'Unsupported')]); });
  after(async () => { await t.close(); });

  it('OrphanDependents: a DELETE without a policy adds orphan and keeps the object; Background deletes it', async () => {
    await t.request('POST', PATH('orphaners'), { body: body('Orphaner', 'a') });
    const res = await t.request('DELETE', `${PATH('orphaners')}/a`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.metadata.finalizers, ['orphan']);
    assert.equal(res.body.metadata.deletionGracePeriodSeconds, 0);
    assert.equal(res.body.metadata.generation, 2);
    const background = await t.request('DELETE', `${PATH('orphaners')}/a?propagationPolicy=Background`);
    assert.equal(background.body.status, 'Success');
    assert.equal((await t.request('GET', `${PATH('orphaners')}/a`)).status, 404);
  });

  it('Unsupported: Foreground and orphanDependents delete at once, no finalizer added', async () => {
    await t.request('POST', PATH('keepers'), { body: body('Keeper', 'a') });
    const res = await t.request('DELETE', `${PATH('keepers')}/a`, { body: { propagationPolicy: 'Foreground' } });
    assert.equal(res.body.status, 'Success');
    await t.request('POST', PATH('keepers'), { body: body('Keeper', 'b') });
    assert.equal((await t.request('DELETE', `${PATH('keepers')}/b?orphanDependents=true`)).body.status, 'Success');
  });

  it('refuses orphanDependents with propagationPolicy as kube-apiserver (422)', async () => {
    const res = await t.request('DELETE', `${PATH('orphaners')}/x?orphanDependents=true`, { body: { propagationPolicy: 'Orphan' } });
    assert.equal(res.status, 422);
    assert.equal(res.body.message, 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set');
  });
});
