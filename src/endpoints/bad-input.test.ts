import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiTestServer, type ApiTestServer } from '../testing/api-test-server.ts';
import { widgets } from '../testing/fixtures.ts';
import { wardleResources } from '../../examples/wardle/resources.ts';

const W = '/apis/test.extapi.dev/v1/namespaces/default/widgets';

/** Bodies a careless or hostile client may send; each must get a 4xx Status, never a 5xx. */
const BAD_BODIES: string[] = [
  '[]', 'null', '"text"', '5', '{"metadata": "x"}', '{"metadata": []}', '{"metadata": {"name": 5}}',
  '{"metadata": {"name": "a", "labels": "x"}}', '{"metadata": {"name": "a", "labels": {"k": 5}}}',
  '{"metadata": {"name": "a", "annotations": []}}', '{"metadata": {"name": "a", "finalizers": "x"}}',
  '{"metadata": {"name": "a", "finalizers": [5]}}', '{"metadata": {"name": "a", "ownerReferences": [5]}}',
  '{"metadata": {"name": "a", "ownerReferences": "x"}}', '{"metadata": {"name": "a", "generateName": 7}}',
  '{"metadata": {"name": "a", "namespace": 7}}', '{"metadata": {"name": "a"}, "spec": []}', '{"metadata": {"name": "a"}, "spec": {"replicas": "x"}}',
  '{"metadata": {"name": "a"}, "spec": {"containers": {"name": "x"}}}', '{"metadata": {"name": "a"}, "spec": {"containers": [5]}}',
  '{"apiVersion": 5, "metadata": {"name": "a"}}', '{"apiVersion": "other.group/v1", "kind": "Widget", "metadata": {"name": "a"}}',
  '{"kind": ["Widget"], "metadata": {"name": "a"}}', '{"metadata": {"name": "' + 'a'.repeat(300) + '"}}',
  '{"metadata": {"name": "a", "labels": {"' + 'k'.repeat(100) + '": "v"}}}', `{"metadata": {"name": "deep"}, "spec": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
  '\u0000\u0001', '{"metadata": {"name": "a", "resourceVersion": 5}}', '{"metadata": {"name": "a", "uid": {}}}',
  '{"metadata": {"name": "a", "creationTimestamp": "not a time"}}', '{"metadata": {"name": "a", "managedFields": "x"}}',
];

const BAD_PATCHES: [string, string][] = [
  ['application/merge-patch+json', '[]'], ['application/merge-patch+json', '"x"'], ['application/merge-patch+json', '{"metadata": {"name": "other"}}'],
  ['application/merge-patch+json', '{"metadata": null}'], ['application/merge-patch+json', '{"spec": {"containers": "x"}}'],
  ['application/json-patch+json', '{}'], ['application/json-patch+json', '[5]'], ['application/json-patch+json', '[{"op": "explode", "path": "/spec"}]'],
  ['application/json-patch+json', '[{"op": "remove", "path": "/metadata"}]'], ['application/json-patch+json', '[{"op": "replace", "path": "", "value": 5}]'],
  ['application/json-patch+json', '[{"op": "move", "from": "/spec", "path": "/spec/x"}]'], ['application/json-patch+json', '[{"op": "add", "path": "/spec/containers/99", "value": {}}]'],
  ['application/strategic-merge-patch+json', '{"$patch": "delete"}'], ['application/strategic-merge-patch+json', '{"spec": {"containers": [{"$patch": "nonsense", "name": "x"}]}}'],
  ['application/strategic-merge-patch+json', '{"spec": {"$setElementOrder/containers": 5}}'], ['application/strategic-merge-patch+json', '[]'],
  ['application/strategic-merge-patch+json', '{"spec": {"tags": {"a": 1}}}'], ['application/strategic-merge-patch+json', '{"metadata": {"finalizers": [{"x": 1}]}}'],
];

const BAD_QUERIES = [
  '?limit=abc', '?resourceVersion=abc', '?resourceVersion=-1', '?continue=garbage', '?continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTV9',
  '?labelSelector=%3D%3D%3D', '?labelSelector=a%20in%20', '?fieldSelector=metadata.name%3D%3D%3Dx', '?fieldSelector=spec', '?resourceVersionMatch=Sometimes&resourceVersion=1',
  '?watch=true&resourceVersion=abc', '?watch=true&timeoutSeconds=abc', '?watch=true&sendInitialEvents=true',
];

describe('bad input always answers a 4xx Status', () => {
  let t: ApiTestServer;
  before(async () => {
    t = await startApiTestServer([widgets, ...wardleResources]);
    await t.request('POST', W, { body: { metadata: { name: 'target' }, spec: { containers: [{ name: 'x', image: 'y' }] } } });
  });
  after(async () => { await t.close(); });

  const expect4xx = (what: string, res: { status: number; body: any }) => {
    assert.ok(res.status >= 400 && res.status < 500, `${what}: got ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`);
    assert.equal(res.body?.kind, 'Status', what);
    assert.ok(res.body.message && !/\n\s+at /.test(res.body.message), `${what}: message without a stack`);
  };

  it('for create and update bodies', async () => {
    for (const body of BAD_BODIES) {
      expect4xx(`POST ${body.slice(0, 60)}`, await t.request('POST', W, { body }));
      expect4xx(`PUT ${body.slice(0, 60)}`, await t.request('PUT', `${W}/target`, { body }));
    }
    const list = (await t.request('GET', W)).body;
    assert.deepEqual(list.items.map((i: any) => i.metadata.name), ['target'], 'nothing half-written');
  });

  it('for patches', async () => {
    const before = (await t.request('GET', `${W}/target`)).body;
    for (const [type, body] of BAD_PATCHES) expect4xx(`PATCH ${type} ${body}`, await t.request('PATCH', `${W}/target`, { body, contentType: type }));
    assert.deepEqual((await t.request('GET', `${W}/target`)).body, before, 'the object is unchanged');
  });

  it('for list and watch queries', async () => {
    for (const q of BAD_QUERIES) expect4xx(`GET ${q}`, await t.request('GET', W + q));
  });

  it('for delete options', async () => {
    for (const body of ['[]', '"x"', '{"preconditions": 5}', '{"propagationPolicy": "Sideways"}', '{not json']) {
      expect4xx(`DELETE ${body}`, await t.request('DELETE', `${W}/target`, { body }));
    }
    assert.equal((await t.request('GET', `${W}/target`)).status, 200);
  });
});
