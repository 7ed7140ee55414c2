/**
 * extapi/client's typed client through a real kube-apiserver's aggregator: every call goes
 * client → kube-apiserver → aggregator proxy → our server (in this process, delegated auth).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { Type } from 'typebox';
import { resourceClient, KubeApiError, type ObjectOfResource, type ResourceClient, type TypedWatchEvent } from '../../src/client/index.ts';
import { defineResource } from '../../src/resource/define-resource.ts';
import { serveBehindAggregator, type AggregatedServer } from '../../src/testing/aggregated-server.ts';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';

const group = `client-${Math.random().toString(36).slice(2, 7)}.e2e.extapi.dev`;
const gizmos = defineResource({
  group, kind: 'Gizmo', plural: 'gizmos', namespaced: true, subresources: { status: true },
  versions: [{
    name: 'v1', storage: true,
    schema: Type.Object({
      spec: Type.Object({ size: Type.Integer(), tags: Type.Optional(Type.Array(Type.String())) }),
      status: Type.Optional(Type.Object({ phase: Type.Optional(Type.String()) })),
    }),
  }],
});
type Gizmo = ObjectOfResource<typeof gizmos>;

let cp: ControlPlane;
let api: AggregatedServer;
let client: ResourceClient<Gizmo>;
let ns: string;
const gizmo = (name: string, size: number, labels: Record<string, string> = {}): Gizmo =>
  ({ apiVersion: `${group}/v1`, kind: 'Gizmo', metadata: { name, namespace: ns, labels }, spec: { size } });

before(async () => {
  cp = await getSharedControlPlane();
  // a short history, so that an old resourceVersion expires (410) after a few writes
  api = await serveBehindAggregator(cp, [gizmos], { storage: { kind: 'memory', historyRevisions: 5 } });
  ns = api.namespace;
  const kc = new KubeConfig();
  kc.loadFromFile(cp.adminKubeconfigPath);
  client = resourceClient(kc, gizmos);
});
after(async () => { await api?.stop(); await cp?.stop(); });

test('create, get, update (conditional), delete with a typed object', async () => {
  const created = await client.create(gizmo('one', 1));
  assert.equal(created.spec.size, 1);
  assert.ok(created.metadata.uid);
  const got = await client.get('one', ns);
  assert.deepEqual(got.spec, { size: 1 });
  got.spec.size = 2;
  const updated = await client.update(got);
  assert.equal(updated.spec.size, 2);
  const stale = await client.update({ ...got, spec: { size: 3 } }).catch((e: unknown) => e);
  assert.ok(stale instanceof KubeApiError);
  assert.equal(stale.code, 409);
  assert.equal(stale.reason, 'Conflict');
  const dry = await client.create(gizmo('dry', 1), { dryRun: true });
  assert.equal(dry.metadata.name, 'dry');
  await assert.rejects(client.get('dry', ns), (e: KubeApiError) => e.code === 404 && e.reason === 'NotFound');
  const deleted = await client.delete('one', { namespace: ns, preconditions: { uid: created.metadata.uid } }) as Record<string, any>;
  assert.equal(deleted.metadata?.name ?? deleted.details?.name, 'one');
  await assert.rejects(client.get('one', ns), (e: KubeApiError) => e.code === 404);
});

test('patch: JSON patch, merge patch and strategic merge patch', async () => {
  await client.create(gizmo('p', 1));
  assert.equal((await client.patch('p', 'json', [{ op: 'replace', path: '/spec/size', value: 5 }], { namespace: ns })).spec.size, 5);
  assert.deepEqual((await client.patch('p', 'merge', { spec: { tags: ['a'] } }, { namespace: ns })).spec, { size: 5, tags: ['a'] });
  assert.deepEqual((await client.patch('p', 'strategic', { spec: { size: 6 } }, { namespace: ns })).spec, { size: 6, tags: ['a'] });
  await client.delete('p', { namespace: ns });
});

test('apply: server-side apply creates, owns fields per manager, conflicts without force, takes over with force', async () => {
  const config = (spec: Partial<Gizmo['spec']>) => ({ apiVersion: `${group}/v1`, kind: 'Gizmo', metadata: { name: 'a', namespace: ns }, spec });
  const dry = await client.apply(config({ size: 1 }), { fieldManager: 'alice', dryRun: true });
  assert.equal(dry.spec.size, 1);
  await assert.rejects(client.get('a', ns), (e: KubeApiError) => e.code === 404);
  const created = await client.apply(config({ size: 1 }), { fieldManager: 'alice' });
  assert.deepEqual(created.spec, { size: 1 });
  const owners = (o: Gizmo) => (o.metadata.managedFields ?? []).map((f) => [f.manager, f.operation, f.subresource ?? '', Object.keys((f.fieldsV1 as any)?.['f:spec'] ?? {}).sort().join(',')]);
  assert.deepEqual(owners(created), [['alice', 'Apply', '', 'f:size']]);
  const conflict = await client.apply(config({ size: 2 }), { fieldManager: 'bob' }).catch((e: unknown) => e);
  assert.ok(conflict instanceof KubeApiError, String(conflict));
  assert.equal(conflict.code, 409);
  assert.equal(conflict.reason, 'Conflict');
  assert.match(conflict.message, /conflict with "alice": \.spec\.size/);
  assert.equal((await client.get('a', ns)).spec.size, 1);
  const forced = await client.apply(config({ size: 2 }), { fieldManager: 'bob', force: true });
  assert.equal(forced.spec.size, 2);
  assert.deepEqual(owners(forced), [['bob', 'Apply', '', 'f:size']]);
  // alice now applies only tags: size stays bob's, tags are hers
  const tagged = await client.apply(config({ tags: ['x'] }), { fieldManager: 'alice' });
  assert.deepEqual(tagged.spec, { size: 2, tags: ['x'] });
  assert.deepEqual(owners(tagged).sort(), [['alice', 'Apply', '', 'f:tags'], ['bob', 'Apply', '', 'f:size']]);
  const status = await client.applyStatus({ ...config({}), status: { phase: 'Ready' } }, { fieldManager: 'controller' });
  assert.deepEqual([status.spec.size, status.status?.phase], [2, 'Ready']);
  assert.ok(status.metadata.managedFields?.some((f) => f.manager === 'controller' && f.subresource === 'status'), JSON.stringify(status.metadata.managedFields));
  await client.delete('a', { namespace: ns });
});

test('status: get, update and patch touch .status only', async () => {
  await client.create(gizmo('s', 1));
  const current = await client.getStatus('s', ns);
  const updated = await client.updateStatus({ ...current, spec: { size: 99 }, status: { phase: 'Ready' } });
  assert.deepEqual([updated.spec.size, updated.status?.phase], [1, 'Ready']);
  const patched = await client.patchStatus('s', 'merge', { status: { phase: 'Done' } }, { namespace: ns });
  assert.equal(patched.status?.phase, 'Done');
  await client.delete('s', { namespace: ns });
});

test('list with label and field selectors, and pagination with continue tokens', async () => {
  for (let i = 0; i < 5; i++) await client.create(gizmo(`l${i}`, i, { parity: i % 2 ? 'odd' : 'even' }));
  const odd = await client.list({ namespace: ns, labelSelector: 'parity=odd' });
  assert.deepEqual(odd.items.map((g) => g.metadata.name), ['l1', 'l3']);
  const byName = await client.list({ namespace: ns, fieldSelector: 'metadata.name=l4' });
  assert.deepEqual(byName.items.map((g) => g.spec.size), [4]);
  const first = await client.list({ namespace: ns, limit: 2 });
  assert.equal(first.items.length, 2);
  assert.ok(first.metadata.continue);
  assert.equal(first.metadata.remainingItemCount, 3);
  const all: string[] = [];
  for await (const g of client.listAll({ namespace: ns, pageSize: 2 })) all.push(g.metadata.name ?? '');
  assert.deepEqual(all, ['l0', 'l1', 'l2', 'l3', 'l4']);
  for (let i = 0; i < 5; i++) await client.delete(`l${i}`, { namespace: ns });
});

/** Collects events until `until` holds, then stops the watch. */
async function watchUntil(opts: { resourceVersion?: string; labelSelector?: string }, act: () => Promise<void>,
  until: (events: TypedWatchEvent<Gizmo>[]) => boolean, relists: number[] = []): Promise<TypedWatchEvent<Gizmo>[]> {
  const events: TypedWatchEvent<Gizmo>[] = [];
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), 60_000);
  const done = client.watch({ namespace: ns, ...opts, signal: stop.signal, onRelist: (l) => relists.push(l.items.length) }, (e) => {
    if (e.type !== 'BOOKMARK') events.push(e);
    if (until(events)) stop.abort();
  });
  await act();
  await done;
  clearTimeout(timer);
  assert.ok(until(events), `watch ended before the expected events: ${JSON.stringify(events.map((e) => [e.type, e.object.metadata.name]))}`);
  return events;
}

test('watch: lists first, then streams typed events; resumes from a resourceVersion', async () => {
  await client.create(gizmo('w0', 0, { watch: 'yes' }));
  const events = await watchUntil({ labelSelector: 'watch=yes' }, async () => {
    await client.create(gizmo('w1', 1, { watch: 'yes' }));
    await client.patch('w1', 'merge', { spec: { size: 2 } }, { namespace: ns });
    await client.delete('w1', { namespace: ns });
  }, (ev) => ev.some((e) => e.type === 'DELETED'));
  assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name, e.object.spec.size]),
    [['ADDED', 'w0', 0], ['ADDED', 'w1', 1], ['MODIFIED', 'w1', 2], ['DELETED', 'w1', 2]]);
  const from = (await client.list({ namespace: ns })).metadata.resourceVersion;
  await client.patch('w0', 'merge', { spec: { size: 10 } }, { namespace: ns });
  const resumed = await watchUntil({ resourceVersion: from, labelSelector: 'watch=yes' }, async () => undefined, (ev) => ev.length >= 1);
  assert.deepEqual(resumed.map((e) => [e.type, e.object.spec.size]), [['MODIFIED', 10]]);
  await client.delete('w0', { namespace: ns });
});

test('watch: an expired resourceVersion (410 Gone) relists and goes on', async () => {
  const old = (await client.create(gizmo('x0', 0, { expire: 'yes' }))).metadata.resourceVersion;
  for (let i = 1; i <= 8; i++) await client.patch('x0', 'merge', { spec: { size: i } }, { namespace: ns }); // beyond the 5-revision history
  const expired = await fetchExpired(old!);
  assert.equal(expired, 410);
  const relists: number[] = [];
  const events = await watchUntil({ resourceVersion: old, labelSelector: 'expire=yes' }, async () => {
    // wait for the relist, then write: the write must arrive on the resumed watch
    const deadline = Date.now() + 30_000;
    while (relists.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await client.patch('x0', 'merge', { spec: { size: 100 } }, { namespace: ns });
  }, (ev) => ev.some((e) => e.object.spec.size === 100), relists);
  assert.deepEqual(relists, [1]);
  assert.deepEqual(events.map((e) => [e.type, e.object.spec.size]), [['MODIFIED', 100]]);
  await client.delete('x0', { namespace: ns });
});

/** The code of the ERROR event a plain watch from `rv` gets (the server's own answer, not the client's). */
async function fetchExpired(rv: string): Promise<number | undefined> {
  const r = await cp.kubectl(['get', '--raw', `/apis/${group}/v1/namespaces/${ns}/gizmos?watch=true&resourceVersion=${rv}&timeoutSeconds=1`]);
  const line = r.stdout.trim().split('\n')[0];
  return line ? JSON.parse(line).object?.code : undefined;
}
