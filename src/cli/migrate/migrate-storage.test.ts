import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../apimachinery/types.ts';
import { KubeApiError, type KubeClient } from '../../kube/client.ts';
import { defineResource } from '../../resource/define-resource.ts';
import { migrateStorage } from './migrate-storage.ts';

const toys = defineResource({ group: 'toys.example.com', kind: 'Toy', plural: 'toys', namespaced: true, versions: [{ name: 'v1', storage: true, schema: {} }] });
const REPORT = '/apis/toys.example.com/v1/storedversions.extapi.dev';
const LIST = '/apis/toys.example.com/v1/toys';
const toy = (name: string, rv: string): KubeObject => ({ apiVersion: 'toys.example.com/v1', kind: 'Toy', metadata: { name, namespace: 'ns', resourceVersion: rv } });
const report = (objects: Record<string, number>) => ({ resources: [{ resource: 'toys', storageVersion: 'v1', servedVersions: ['v1'], declaredVersions: ['v1', 'v1alpha1'], storedVersions: Object.keys(objects), objects }] });

/** A scripted API: a stale write conflicts once, a vanished object is gone, the continue token expires once. */
function scriptedClient(calls: string[]): Pick<KubeClient, 'request'> {
  let reports = 0;
  let expired = false;
  return {
    async request(method, path, o = {}) {
      const query = Object.entries(o.query ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${String(v)}`).join('&');
      calls.push(`${method} ${path}${query ? `?${query}` : ''}`);
      if (path === REPORT) return (reports++ === 0 ? report({ v1alpha1: 3 }) : report({ v1: 2 })) as never;
      if (method === 'GET' && path === LIST) {
        if (!o.query?.continue) return { items: [toy('a', '1'), toy('b', '2')], metadata: { continue: 'page2' } } as never;
        if (!expired) { expired = true; throw new KubeApiError(410, 'The provided continue parameter is too old'); }
        return { items: [toy('c', '3')], metadata: {} } as never;
      }
      const body = o.body as KubeObject;
      if (method === 'PUT' && body.metadata.name === 'a' && body.metadata.resourceVersion === '1') throw new KubeApiError(409, 'the object has been modified');
      if (method === 'GET' && path.endsWith('/toys/a')) return toy('a', '7') as never;
      if (method === 'PUT' && body.metadata.name === 'c') throw new KubeApiError(404, 'not found');
      if (method === 'PUT') return { ...body, metadata: { ...body.metadata, resourceVersion: String(Number(body.metadata.resourceVersion) + 10) } } as never;
      throw new Error(`unexpected ${method} ${path}`);
    },
  };
}

test('migrate-storage re-reads and rewrites on a conflict, skips a deleted object, relists from the start when the continue token expired', async () => {
  const calls: string[] = [];
  const progress: string[] = [];
  const [r] = await migrateStorage({ client: scriptedClient(calls), resources: [toys], pageSize: 2, progress: (l) => progress.push(l) });
  assert.deepEqual({ rewritten: r.rewritten, conflicts: r.conflicts, gone: r.gone, failures: r.failures }, { rewritten: 2, conflicts: 1, gone: 1, failures: [] });
  assert.deepEqual(calls.filter((c) => c.startsWith('PUT')), [
    'PUT /apis/toys.example.com/v1/namespaces/ns/toys/a?fieldManager=extapi-migrate-storage',
    'PUT /apis/toys.example.com/v1/namespaces/ns/toys/a?fieldManager=extapi-migrate-storage',
    'PUT /apis/toys.example.com/v1/namespaces/ns/toys/b?fieldManager=extapi-migrate-storage',
    'PUT /apis/toys.example.com/v1/namespaces/ns/toys/c?fieldManager=extapi-migrate-storage',
  ], 'a and b are not written twice after the relist');
  assert.deepEqual(r.after.objects, { v1: 2 });
  assert.match(progress[0], /stored in v1alpha1: 3; writing every object back in v1/);
});

test('migrate-storage has nothing to do when every object is in the storage version', async () => {
  const client: Pick<KubeClient, 'request'> = { request: async (_m, path) => { assert.equal(path, REPORT); return report({ v1: 4 }) as never; } };
  const progress: string[] = [];
  const [r] = await migrateStorage({ client, resources: [toys], progress: (l) => progress.push(l) });
  assert.equal(r.rewritten, 0);
  assert.deepEqual(progress, ['toys.toys.example.com: every object is stored in v1; nothing to migrate']);
});
