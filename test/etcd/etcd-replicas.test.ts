import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject, WatchEvent } from '../../src/apimachinery/types.ts';
import { withWatchCache } from '../../src/storage/cache/watch-cache.ts';
import { describeEvent, openWatch, take } from '../../src/storage/conformance-helpers.ts';
import { createEtcdStorage } from '../../src/storage/etcd/etcd-storage.ts';
import type { EtcdStorage, EtcdStorageOptions } from '../../src/storage/etcd/etcd-storage.ts';
import { isStorageError } from '../../src/storage/interface.ts';
import { startEtcd } from './etcd-process.ts';
import type { EtcdCluster } from './etcd-process.ts';

/**
 * Two Storage instances (as two replicas of a server) on one real etcd: optimistic concurrency
 * across instances, cross-instance watch, and coordinated periodic compaction.
 */

let etcd: EtcdCluster | undefined;
let n = 0;
const stores: EtcdStorage[] = [];

before(async () => {
  etcd = await startEtcd(1);
});

after(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await etcd?.destroy();
});

/** `count` stores on `prefix` (a fresh one by default), like replicas of a server; closed after the file. */
function replicas(opts: Partial<EtcdStorageOptions> = {}, count = 2, prefix = `/replicas-${n++}`): EtcdStorage[] {
  if (!etcd) throw new Error('etcd did not start');
  const endpoints = etcd.endpoints;
  const made = Array.from({ length: count }, () => createEtcdStorage({ endpoints, prefix, compactionIntervalMs: 0, ...opts }));
  stores.push(...made);
  return made;
}

const item = (name: string, data: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Item', metadata: { name, namespace: 'ns', uid: `uid-${name}` }, data });
const counter = (o: KubeObject): number => (o.data as { n: number }).n;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('etcd: two instances on one etcd', () => {
  it('concurrent guaranteedUpdates on one key from both: exactly one write per revision, nothing lost', async () => {
    const [a, b] = replicas();
    const key = '/g/counters/ns/c';
    const created = await a.create(key, item('c', { n: 0, by: [] }));
    const base = Number(created.metadata.resourceVersion);
    const w = openWatch(a, key, base);
    const perInstance = 15;
    const bump = (s: EtcdStorage, who: string, i: number) => s.guaranteedUpdate(key, async (cur) => {
      await sleep((i * 7) % 4);
      const d = cur!.data as { n: number; by: string[] };
      return { ...cur!, data: { n: d.n + 1, by: [...d.by, `${who}${i}`] } };
    });
    const results = await Promise.all([
      ...Array.from({ length: perInstance }, (_, i) => bump(a, 'a', i)),
      ...Array.from({ length: perInstance }, (_, i) => bump(b, 'b', i)),
    ]);
    const total = 2 * perInstance;
    const revs = results.map((r) => Number(r.metadata.resourceVersion)).sort((x, y) => x - y);
    assert.deepEqual(revs, Array.from({ length: total }, (_, i) => base + 1 + i), 'one write per revision');
    for (const r of results) assert.equal(counter(r), Number(r.metadata.resourceVersion) - base, 'each write saw the one before');
    const final = await b.get(key);
    assert.equal(counter(final), total);
    assert.equal(new Set((final.data as { by: string[] }).by).size, total, 'every update is in the final object once');
    const events = await take(w.it, total);
    assert.deepEqual(events.map((e) => counter(e.object)), Array.from({ length: total }, (_, i) => i + 1));
    w.ctl.abort();
  });

  it('a watch on instance A sees the writes made through B, in order, with B\'s revisions', async () => {
    const [a, b, a2] = replicas({}, 3);
    const from = await a.currentRevision();
    const w = openWatch(a, '/g/things/', from);
    const cachedA = withWatchCache(a2);
    const written: string[] = [];
    const note = (type: string, o: KubeObject): void => { written.push(`${type} ${o.metadata.name} ${o.metadata.resourceVersion}`); };
    try {
      await cachedA.warm('/g/things/');
      const cw = openWatch(cachedA, '/g/things/', from);
      note('ADDED', await b.create('/g/things/ns/x', item('x', { v: 1 })));
      note('ADDED', await b.create('/g/things/ns/y', item('y', { v: 1 })));
      note('MODIFIED', await b.guaranteedUpdate('/g/things/ns/x', (cur) => ({ ...cur!, data: { v: 2 } })));
      note('DELETED', await b.delete('/g/things/ns/y'));
      note('ADDED', await a.create('/g/things/ns/z', item('z', { v: 1 })));
      assert.deepEqual((await take(w.it, 5)).map(describeEvent), written);
      assert.deepEqual((await take(cw.it, 5)).map(describeEvent), written, 'a watch cache on another instance sees them too');
      cw.ctl.abort();
      assert.deepEqual((await a.list('/g/things/')).items.map((o) => o.metadata.name), ['x', 'z']);
    } finally {
      w.ctl.abort();
      await cachedA.close();
    }
  });

  it('create races between instances: exactly one wins, the other gets KeyExists', async () => {
    const [a, b] = replicas();
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).create('/g/things/ns/race', item('race', { i }))));
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const o of outcomes) if (o.status === 'rejected') assert.ok(isStorageError(o.reason, 'KeyExists'));
  });
});

describe('etcd: compaction', () => {
  it('replicas compact about once per interval in total, keeping one interval of history', async () => {
    const interval = 300;
    const prefix = `/replicas-${n++}`;
    const [a, b] = replicas({ compactionIntervalMs: interval }, 2, prefix);
    const first = await a.create('/g/compact/ns/x', item('x', { v: 0 }));
    for (let i = 1; i <= 5; i++) await b.guaranteedUpdate('/g/compact/ns/x', (cur) => ({ ...cur!, data: { v: i } }));
    const early = await a.currentRevision();
    await sleep(interval * 3.5);
    await Promise.all([a.close(), b.close()]);
    const [c] = replicas({}, 1, prefix);
    const oldest = await c.oldestRevision();
    assert.ok(oldest > Number(first.metadata.resourceVersion), `history before the first interval is compacted (oldest ${oldest})`);
    assert.ok(oldest >= early, `oldest ${oldest} covers the early writes ${early}`);
    const err = await c.list('/g/compact/', { resourceVersion: Number(first.metadata.resourceVersion), match: 'Exact' }).catch((e: unknown) => e);
    assert.ok(isStorageError(err, 'ResourceVersionTooOld'), String(err));
    assert.equal(err.oldestRevision, oldest);
    const current = await c.currentRevision();
    assert.ok(current - oldest <= 4, `compacted to within about one interval of the newest revision (${oldest}..${current})`);
    assert.deepEqual((await c.list('/g/compact/', { match: 'Exact', resourceVersion: oldest })).items.map((o) => o.data), [{ v: 5 }]);
  });

  it('a watch from a compacted revision ends with ResourceVersionTooOld carrying the compaction revision', async () => {
    const [a] = replicas();
    const first = await a.create('/g/compact2/ns/x', item('x', { v: 0 }));
    for (let i = 1; i <= 3; i++) await a.guaranteedUpdate('/g/compact2/ns/x', (cur) => ({ ...cur!, data: { v: i } }));
    const current = await a.currentRevision();
    await a.compact(current - 1);
    const events: WatchEvent[] = [];
    const err = await (async () => {
      for await (const ev of a.watch('/g/compact2/', { fromRevision: Number(first.metadata.resourceVersion), signal: AbortSignal.timeout(5000) })) events.push(ev);
    })().catch((e: unknown) => e);
    assert.ok(isStorageError(err, 'ResourceVersionTooOld'), String(err));
    assert.equal(err.oldestRevision, current - 1);
    assert.deepEqual(events, []);
    assert.equal(a.watcherCount(), 0);
  });
});
