import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiTestServer, type ApiTestServer } from '../testing/api-test-server.ts';
import { wardleResources } from '../../examples/wardle/resources.ts';

const G = '/apis/wardle.example.com';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('discovery, views and versions', () => {
  let t: ApiTestServer;
  before(async () => {
    t = await startApiTestServer(wardleResources);
    await t.request('POST', `${G}/v1alpha1/namespaces/default/flunders`, { body: { metadata: { name: 'one' }, spec: { reference: 'fi', referenceType: 'Fischer' } } });
  });
  after(async () => { await t.close(); });

  it('serves APIGroupList, APIGroup with the preferred version, and APIResourceList', async () => {
    const groups = (await t.request('GET', '/apis')).body;
    assert.equal(groups.kind, 'APIGroupList');
    assert.deepEqual(groups.groups[0].preferredVersion, { groupVersion: 'wardle.example.com/v1beta1', version: 'v1beta1' });
    const group = (await t.request('GET', G)).body;
    assert.deepEqual(group.versions.map((v: any) => v.version), ['v1beta1', 'v1alpha1']);
    const list = (await t.request('GET', `${G}/v1alpha1`)).body;
    assert.equal(list.kind, 'APIResourceList');
    const flunders = list.resources.find((r: any) => r.name === 'flunders');
    assert.equal(flunders.kind, 'Flunder');
    assert.equal(flunders.namespaced, true);
    assert.ok(flunders.storageVersionHash);
    assert.ok(list.resources.some((r: any) => r.name === 'flunders/status'));
    assert.equal(list.resources.find((r: any) => r.name === 'fischers').namespaced, false);
  });

  it('serves aggregated discovery v2 with ETag and 304', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const res = await t.request('GET', '/apis', { headers: { accept } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.equal(res.body.kind, 'APIGroupDiscoveryList');
    const v1alpha1 = res.body.items[0].versions.find((v: any) => v.version === 'v1alpha1');
    assert.equal(v1alpha1.freshness, 'Current');
    assert.equal(v1alpha1.resources.find((r: any) => r.resource === 'flunders').scope, 'Namespaced');
    const again = await t.request('GET', '/apis', { headers: { accept, 'if-none-match': res.headers.get('etag')! } });
    assert.equal(again.status, 304);
  });

  it('answers Table with declared columns for get and list', async () => {
    const res = await t.request('GET', `${G}/v1alpha1/namespaces/default/flunders`, { headers: { accept: TABLE } });
    assert.equal(res.body.kind, 'Table');
    assert.equal(res.body.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(res.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Reference-Type', 'Age', 'Reference']);
    assert.deepEqual(res.body.rows[0].cells.slice(0, 2), ['one', 'Fischer']);
    assert.match(res.body.rows[0].cells[2], /^\d+s$/, 'a date column is an age, as kubectl shows it');
    assert.equal(res.body.rows[0].object.kind, 'PartialObjectMetadata');
    const none = await t.request('GET', `${G}/v1alpha1/namespaces/default/flunders/one?includeObject=None`, { headers: { accept: TABLE } });
    assert.equal(none.body.rows[0].object, undefined);
  });

  it('answers PartialObjectMetadata(List) and 406 for what it cannot serve', async () => {
    const list = await t.request('GET', `${G}/v1alpha1/namespaces/default/flunders`, { headers: { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' } });
    assert.equal(list.body.kind, 'PartialObjectMetadataList');
    assert.equal(list.body.items[0].metadata.name, 'one');
    assert.equal(list.body.items[0].spec, undefined);
    const one = await t.request('GET', `${G}/v1alpha1/namespaces/default/flunders/one`, { headers: { accept: 'application/json;as=PartialObjectMetadata;v=v1beta1;g=meta.k8s.io' } });
    assert.equal(one.body.apiVersion, 'meta.k8s.io/v1beta1');
    const proto = await t.request('GET', `${G}/v1alpha1/namespaces/default/flunders/one`, { headers: { accept: 'application/vnd.kubernetes.protobuf' } });
    assert.equal(proto.status, 406);
    assert.equal(proto.body.reason, 'NotAcceptable');
    const fallback = await t.request('GET', `${G}/v1alpha1/namespaces/default/flunders/one`, { headers: { accept: 'application/vnd.kubernetes.protobuf, application/json' } });
    assert.equal(fallback.status, 200);
  });

  it('converts between versions', async () => {
    const beta = (await t.request('GET', `${G}/v1beta1/namespaces/default/flunders/one`)).body;
    assert.equal(beta.apiVersion, 'wardle.example.com/v1beta1');
    assert.deepEqual(beta.spec, { fischerReference: 'fi', referenceType: 'Fischer' });
    const created = await t.request('POST', `${G}/v1beta1/namespaces/default/flunders`, { body: { metadata: { name: 'two' }, spec: { flunderReference: 'one' } } });
    assert.equal(created.status, 201);
    assert.equal(created.body.spec.referenceType, 'Flunder', 'defaulted');
    const alpha = (await t.request('GET', `${G}/v1alpha1/namespaces/default/flunders/two`)).body;
    assert.deepEqual(alpha.spec, { reference: 'one', referenceType: 'Flunder' });
  });

  it('serves OpenAPI v2 and v3 with group-version-kind extensions', async () => {
    const v3 = (await t.request('GET', '/openapi/v3')).body;
    const entry = v3.paths['apis/wardle.example.com/v1alpha1'];
    assert.match(entry.serverRelativeURL, /^\/openapi\/v3\/apis\/wardle.example.com\/v1alpha1\?hash=[0-9A-F]+$/);
    const doc = (await t.request('GET', entry.serverRelativeURL)).body;
    const flunder = doc.components.schemas['com.example.wardle.v1alpha1.Flunder'];
    assert.deepEqual(flunder['x-kubernetes-group-version-kind'], [{ group: 'wardle.example.com', kind: 'Flunder', version: 'v1alpha1' }]);
    const patch = doc.paths['/apis/wardle.example.com/v1alpha1/namespaces/{namespace}/flunders/{name}'].patch;
    assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation'));
    const v2 = await t.request('GET', '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json' } });
    assert.equal(v2.status, 200);
    assert.equal(v2.body.swagger, '2.0');
  });

  it('serves health and version', async () => {
    assert.equal((await t.request('GET', '/healthz')).text, 'ok');
    const verbose = await t.request('GET', '/readyz?verbose');
    assert.match(verbose.text, /\[\+\]ping ok/);
    assert.match(verbose.text, /readyz check passed/);
    assert.equal((await t.request('GET', '/readyz/nonexistent')).status, 404);
    assert.equal((await t.request('GET', '/version')).status, 200);
  });
});
