import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient, KubeRequestOptions } from '../../kube/client.ts';
import { FIELD_MANAGER, serverSideApply } from './apply.ts';
import { collectionPath, displayName, objectPath } from './rest-mapping.ts';

const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'apiserver', namespace: 'wardle' } };

/** A client holding one object; PATCH returns `afterPatch(current)`. */
function client(current: any, afterPatch: (cur: any) => any) {
  const calls: Array<{ method: string; path: string; opts?: KubeRequestOptions }> = [];
  const c: KubeClient = {
    server: 'https://x', contextName: 'x',
    async request(method, path, opts) { calls.push({ method, path, opts }); return afterPatch(current) as never; },
    async getOrNull() { return current; },
    async watch() { /* unused */ },
  };
  return { c, calls };
}

test('server-side apply: PATCH apply-patch+yaml, fieldManager extapi, force', async () => {
  const { c, calls } = client(null, () => ({ ...sa, metadata: { ...sa.metadata, resourceVersion: '5' } }));
  const r = await serverSideApply(c, sa);
  assert.equal(r.outcome, 'created');
  assert.equal(calls[0].method, 'PATCH');
  assert.equal(calls[0].path, '/api/v1/namespaces/wardle/serviceaccounts/apiserver');
  assert.equal(calls[0].opts?.contentType, 'application/apply-patch+yaml');
  assert.deepEqual(calls[0].opts?.query, { fieldManager: FIELD_MANAGER, force: 'true' });
});

test('unchanged when the resourceVersion stays, or only status/bookkeeping moved', async () => {
  const cur = { ...sa, metadata: { ...sa.metadata, resourceVersion: '5' } };
  assert.equal((await serverSideApply(client(cur, (x) => x).c, sa)).outcome, 'unchanged');
  const statusOnly = (x: any) => ({ ...x, metadata: { ...x.metadata, resourceVersion: '6', managedFields: [{}] }, status: { x: 1 } });
  assert.equal((await serverSideApply(client(cur, statusOnly).c, sa)).outcome, 'unchanged');
  const changed = (x: any) => ({ ...x, metadata: { ...x.metadata, resourceVersion: '7', labels: { a: 'b' } } });
  assert.equal((await serverSideApply(client(cur, changed).c, sa)).outcome, 'configured');
});

test('REST paths and display names', () => {
  assert.equal(objectPath({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'a:b', namespace: 'kube-system' } }),
    '/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings/a%3Ab');
  assert.equal(collectionPath({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService' }), '/apis/apiregistration.k8s.io/v1/apiservices');
  assert.equal(displayName(sa), 'ServiceAccount wardle/apiserver');
  assert.throws(() => objectPath({ apiVersion: 'v9', kind: 'Nope', metadata: { name: 'x' } }), /no REST mapping/);
});
