import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fischers, flunders, wardleResources } from '../../examples/wardle/resources.ts';
import { resourceKeys } from '../registry/keys.ts';
import { defineResource, type Resource } from '../resource/define-resource.ts';
import { deprecationWarning } from '../resource/versions.ts';
import { startApiTestServer, type ApiTestServer } from '../testing/api-test-server.ts';

const G = '/apis/wardle.example.com';
const FLUNDER_WARNING = '299 - "wardle.example.com/v1alpha1 Flunder is deprecated in v1.3+, unavailable in v1.10+"';
const FISCHER_WARNING = '299 - "wardle.example.com/v1alpha1 Fischer is deprecated in v1.3+, unavailable in v1.10+"';
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

const schema = { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } };
const same = { schema, toStorage: (o: any) => o, fromStorage: (o: any) => o };
const widget = (versions: Parameters<typeof defineResource>[0]['versions']) => defineResource({ group: 'g.example.com', kind: 'Widget', plural: 'widgets', namespaced: true, versions });

describe('deprecationWarning', () => {
  it('is kube-apiserver\'s default text for a CRD, naming the highest-priority served, non-deprecated newer version', () => {
    const r = widget([
      { name: 'v1alpha1', ...same, deprecated: true },
      { name: 'v1beta1', ...same, deprecated: true },
      { name: 'v1beta2', storage: true, schema },
      { name: 'v1', ...same, served: false },
      { name: 'v2alpha1', ...same },
    ]);
    const v = (name: string) => r.versions.find((x) => x.name === name)!;
    assert.equal(deprecationWarning(r, v('v1alpha1')), 'g.example.com/v1alpha1 Widget is deprecated; use g.example.com/v1beta2 Widget');
    assert.equal(deprecationWarning(r, v('v1beta1')), 'g.example.com/v1beta1 Widget is deprecated; use g.example.com/v1beta2 Widget');
    assert.equal(deprecationWarning(r, v('v1beta2')), undefined);
  });

  it('has no replacement when no newer version is served and not deprecated; an explicit text wins', () => {
    const r = widget([{ name: 'v1', storage: true, schema, deprecated: true }, { name: 'v1alpha1', ...same }]);
    assert.equal(deprecationWarning(r, r.versions[0]), 'g.example.com/v1 Widget is deprecated');
    const own = widget([{ name: 'v1', storage: true, schema, deprecated: true, deprecationWarning: 'use v2' }]);
    assert.equal(deprecationWarning(own, own.versions[0]), 'use v2');
    const notDeprecated = widget([{ name: 'v1', storage: true, schema, deprecationWarning: 'ignored' }]);
    assert.equal(deprecationWarning(notDeprecated, notDeprecated.versions[0]), undefined);
  });

  it('refuses a resource that serves no version', () => {
    assert.throws(() => widget([{ name: 'v1', storage: true, schema, served: false }]), /at least one version must be served/);
  });
});

describe('a deprecated version (wardle v1alpha1, marked as upstream marks it)', () => {
  let t: ApiTestServer;
  before(async () => { t = await startApiTestServer(wardleResources); });
  after(async () => { await t.close(); });

  it('sends the Warning header on every request to it, errors included, and none on v1beta1', async () => {
    const flunder = { metadata: { name: 'w' }, spec: { reference: 'x', referenceType: 'Flunder' } };
    const requests: [string, string, unknown?][] = [
      ['POST', `${G}/v1alpha1/namespaces/default/flunders`, flunder],
      ['GET', `${G}/v1alpha1/namespaces/default/flunders/w`],
      ['GET', `${G}/v1alpha1/namespaces/default/flunders`],
      ['GET', `${G}/v1alpha1/namespaces/default/flunders/w/status`],
      ['PATCH', `${G}/v1alpha1/namespaces/default/flunders/w`, { metadata: { labels: { a: 'b' } } }],
      ['GET', `${G}/v1alpha1/namespaces/default/flunders/absent`],
      ['POST', `${G}/v1alpha1/namespaces/default/flunders`, flunder],
      ['DELETE', `${G}/v1alpha1/namespaces/default/flunders/w`],
    ];
    const statuses: number[] = [];
    for (const [method, path, body] of requests) {
      const res = await t.request(method, path, { body, contentType: method === 'PATCH' ? 'application/merge-patch+json' : undefined });
      statuses.push(res.status);
      assert.equal(res.headers.get('warning'), FLUNDER_WARNING, `${method} ${path}`);
    }
    assert.deepEqual(statuses, [201, 200, 200, 200, 200, 404, 409, 200]);
    assert.equal((await t.request('GET', '/apis/wardle.example.com/v1alpha1/fischers')).headers.get('warning'), FISCHER_WARNING);
    assert.equal((await t.request('GET', `${G}/v1beta1/namespaces/default/flunders`)).headers.get('warning'), null);
    assert.equal((await t.request('GET', `${G}/v1alpha1`)).headers.get('warning'), null, 'discovery is not a request to the version');
    const notAllowed = await t.request('POST', `${G}/v1alpha1/namespaces/default/flunders/x`, { body: {} });
    assert.equal(notAllowed.status, 405);
    assert.equal(notAllowed.headers.get('warning'), null, 'a 405 carries no deprecation, as in sample-apiserver');
  });

  it('puts the deprecation first, before the request\'s own warnings', async () => {
    const res = await t.request('POST', `${G}/v1alpha1/namespaces/default/flunders`, { body: { metadata: { name: 'u' }, spec: { unknown: 1 } } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('warning'), `${FLUNDER_WARNING}, 299 - "unknown field \\"spec.unknown\\""`);
  });

  it('sends it on a watch', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.url}${G}/v1alpha1/namespaces/default/flunders?watch=true`, { signal: controller.signal });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('warning'), FLUNDER_WARNING);
    controller.abort();
  });
});

describe('a version with served: false', () => {
  let t: ApiTestServer;
  const unserved = (r: Resource): Resource => ({ ...r, versions: r.versions.map((v) => (v.name === 'v1alpha1' ? { ...v, served: false } : v)) });
  before(async () => { t = await startApiTestServer([unserved(flunders), fischers]); });
  after(async () => { await t.close(); });

  it('is gone from routing: 404 NotFound as kube-apiserver answers an unserved version', async () => {
    for (const path of [`${G}/v1alpha1/namespaces/default/flunders`, `${G}/v1alpha1/namespaces/default/flunders/x`, `${G}/v1alpha1/namespaces/default/flunders/x/status`]) {
      const res = await t.request('GET', path);
      assert.equal(res.status, 404, path);
      assert.deepEqual(res.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
    }
    const fischerList = await t.request('GET', `${G}/v1alpha1`);
    assert.deepEqual(fischerList.body.resources.map((r: { name: string }) => r.name), ['fischers'], 'the group version stays for fischers only');
  });

  it('is gone from discovery v1 and v2 and from OpenAPI v2 and v3', async () => {
    const versions = (await t.request('GET', '/apis')).body.groups[0].versions.map((v: { version: string }) => v.version);
    assert.deepEqual(versions, ['v1beta1', 'v1alpha1'], 'v1alpha1 is still served for fischers');
    const aggregated = (await t.request('GET', '/apis', { headers: { accept: AGGREGATED } })).body.items[0].versions;
    const v1alpha1 = aggregated.find((v: { version: string }) => v.version === 'v1alpha1');
    assert.deepEqual(v1alpha1.resources.map((r: { resource: string }) => r.resource), ['fischers']);
    const v2 = (await t.request('GET', '/openapi/v2')).body;
    assert.ok(!Object.keys(v2.paths).some((p) => p.includes('/v1alpha1/namespaces/{namespace}/flunders')), 'no v1alpha1 flunder path');
    assert.ok(Object.keys(v2.paths).some((p) => p.includes('/v1beta1/namespaces/{namespace}/flunders')));
    assert.ok(!Object.keys(v2.definitions).some((d) => d.endsWith('v1alpha1.Flunder')), 'no v1alpha1 Flunder definition');
    const v3 = (await t.request('GET', '/openapi/v3/apis/wardle.example.com/v1alpha1')).body;
    assert.ok(!Object.keys(v3.paths).some((p) => p.includes('flunders')));
  });

  it('stays readable from storage, converted to the served version', async () => {
    const keys = resourceKeys(flunders);
    await t.storage.create(keys.key('default', 'old'), {
      apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder', spec: { reference: 'fish', referenceType: 'Fischer' },
      metadata: { name: 'old', namespace: 'default', uid: 'u-old', creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 },
    });
    const res = await t.request('GET', `${G}/v1beta1/namespaces/default/flunders/old`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.spec, { fischerReference: 'fish', referenceType: 'Fischer' });
    assert.equal(res.headers.get('warning'), null);
  });

  it('is reported while objects are stored in it (the stored-versions report)', async () => {
    const res = await t.request('GET', `${G}/v1beta1/storedversions.extapi.dev`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.resources.find((r: { resource: string }) => r.resource === 'flunders'), {
      resource: 'flunders', kind: 'Flunder', storageVersion: 'v1beta1', servedVersions: ['v1beta1'], declaredVersions: ['v1beta1', 'v1alpha1'],
      storedVersions: ['v1beta1', 'v1alpha1'], objects: { v1alpha1: 1 },
    });
    assert.equal((await t.request('DELETE', `${G}/v1beta1/storedversions.extapi.dev`)).status, 405);
    assert.equal((await t.request('GET', `${G}/v2/storedversions.extapi.dev`)).status, 404);
  });
});
