import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, WatchEvent } from '../../src/apimachinery/types.ts';
import { withWatchCache } from '../../src/storage/cache/watch-cache.ts';
import { describeEvent, openWatch, take } from '../../src/storage/conformance-helpers.ts';
import { createEtcdStorage } from '../../src/storage/etcd/etcd-storage.ts';
import type { EtcdStorage } from '../../src/storage/etcd/etcd-storage.ts';
import { isStorageError } from '../../src/storage/interface.ts';
import { startEtcd } from './etcd-process.ts';
import type { EtcdCluster } from './etcd-process.ts';

/**
 * Failures of real etcd processes under a Storage: a member of a 3-member cluster killed during
 * a write load, and a full restart of a single member.
 */

const item = (name: string, data: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Item', metadata: { name, namespace: 'ns', uid: `uid-${name}` }, data });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const rvOf = (o: KubeObject): number => Number(o.metadata.resourceVersion);

/** Runs `fn` with a cluster of `size` members, always destroying it. */
async function withCluster(size: number, fn: (cluster: EtcdCluster) => Promise<void>): Promise<void> {
  const cluster = await startEtcd(size);
  try {
    await fn(cluster);
  } finally {
    await cluster.destroy();
  }
}

/** What the write load saw. */
interface Acked {
  /** Created key → the revision the create returned. */
  creates: Map<string, number>;
  /** Revisions returned by acknowledged counter increments. */
  increments: number[];
  /** When each acknowledgement came (ms since the epoch). */
  ackTimes: number[];
  /** Keys whose create failed with "outcome unknown", and the number of such increments. */
  unknownCreates: Set<string>;
  unknownIncrements: number;
  /** Any other failure (there should be none). */
  errors: unknown[];
}

const isOutcomeUnknown = (err: unknown): boolean => isStorageError(err, 'Unavailable') && /may or may not have been applied/.test(err.message);

/** `writers` loops creating keys and incrementing one shared counter until `stopped()`. */
async function writeLoad(s: EtcdStorage, writers: number, stopped: () => boolean): Promise<Acked> {
  const acked: Acked = { creates: new Map(), increments: [], ackTimes: [], unknownCreates: new Set(), unknownIncrements: 0, errors: [] };
  const increment = (cur: KubeObject | null): KubeObject => ({ ...cur!, data: { n: (cur!.data as { n: number }).n + 1 } });
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    for (let j = 0; !stopped(); j++) {
      const key = `/g/load/ns/w${w}-${j}`;
      await s.create(key, item(`w${w}-${j}`, { w, j })).then((o) => {
        acked.creates.set(key, rvOf(o));
        acked.ackTimes.push(Date.now());
      }, (err: unknown) => (isOutcomeUnknown(err) ? acked.unknownCreates.add(key) : acked.errors.push(err)));
      await s.guaranteedUpdate('/g/counter/ns/c', increment).then((o) => {
        acked.increments.push(rvOf(o));
        acked.ackTimes.push(Date.now());
      }, (err: unknown) => (isOutcomeUnknown(err) ? acked.unknownIncrements++ : acked.errors.push(err)));
    }
  }));
  return acked;
}

describe('etcd: a member dies under load', () => {
  it('3 members, the leader is killed during writes: writes go on, every acknowledged write is there exactly once', () => withCluster(3, async (cluster) => {
    const s = createEtcdStorage({ endpoints: cluster.endpoints, prefix: '/failover', compactionIntervalMs: 0, dialTimeoutMs: 1000, requestTimeoutMs: 15_000 });
    try {
      await s.create('/g/counter/ns/c', item('c', { n: 0 }));
      const base = await s.currentRevision();
      const w = openWatch(s, '/g/', base);
      let stop = false;
      const load = writeLoad(s, 4, () => stop);
      await sleep(500);
      const leader = await cluster.leader();
      assert.ok(leader, 'the cluster has a leader');
      const killedAt = Date.now();
      await leader.kill();
      await sleep(2500);
      stop = true;
      const acked = await load;
      assert.deepEqual(acked.errors.map(String), [], 'no write failed, except ambiguous ones reported as such');
      const unknown = acked.unknownCreates.size + acked.unknownIncrements;
      assert.ok(unknown <= 12, `few writes end "outcome unknown" (${unknown})`);
      assert.ok(acked.ackTimes.filter((t) => t > killedAt + 1500).length >= 20, 'writes go on after the failover');
      const listed = await s.list('/g/load/');
      const present = new Map(listed.items.map((o) => [`/g/load/ns/${o.metadata.name}`, rvOf(o)]));
      for (const [key, rev] of acked.creates) assert.equal(present.get(key), rev, `${key} is stored at the acknowledged revision`);
      for (const key of present.keys()) assert.ok(acked.creates.has(key) || acked.unknownCreates.has(key), `${key} was written by the load`);
      const n = ((await s.get('/g/counter/ns/c')).data as { n: number }).n;
      assert.ok(n >= acked.increments.length && n <= acked.increments.length + acked.unknownIncrements,
        `every acknowledged increment applied once (${n} applied, ${acked.increments.length} acknowledged, ${acked.unknownIncrements} unknown)`);
      const events = await take(w.it, present.size + n, 20_000);
      const revs = events.map((e: WatchEvent) => rvOf(e.object));
      assert.deepEqual(revs, [...revs].sort((x, y) => x - y), 'the watch delivered in revision order');
      assert.equal(new Set(revs).size, revs.length, 'the watch delivered each write once');
      for (const rev of [...acked.creates.values(), ...acked.increments]) assert.ok(revs.includes(rev), `the watch saw revision ${rev}`);
      w.ctl.abort();
      console.log(`# ${acked.creates.size} creates + ${acked.increments.length} increments acknowledged, ${unknown} outcome unknown`);
    } finally {
      await s.close();
    }
  }));
});

describe('etcd: full restart', () => {
  it('healthCheck fails while etcd is down and recovers by itself; watches resume, or end TooOld when compacted', () => withCluster(1, async (cluster) => {
    const opts = { endpoints: cluster.endpoints, prefix: '/restart', compactionIntervalMs: 0, dialTimeoutMs: 500, healthCheckTimeoutMs: 500, requestTimeoutMs: 3000 };
    const s = createEtcdStorage(opts);
    const cached = withWatchCache(createEtcdStorage(opts));
    try {
      await s.healthCheck();
      await cached.warm('/g/a/');
      const r0 = await s.currentRevision();
      const busy = openWatch(s, '/g/a/', r0);
      const quiet = openWatch(s, '/g/quiet/', r0);
      const viaCache = openWatch(cached, '/g/a/', r0);
      // One event each first, so that both watches are established before the compaction.
      const q = await s.create('/g/quiet/ns/q', item('q', {}));
      assert.deepEqual((await take(quiet.it, 1)).map(describeEvent), [`ADDED q ${rvOf(q)}`]);
      const w0 = `ADDED w ${rvOf(await s.create('/g/a/ns/w', item('w', {})))}`;
      assert.deepEqual((await take(busy.it, 1)).map(describeEvent), [w0]);
      assert.deepEqual((await take(viaCache.it, 1)).map(describeEvent), [w0]);
      for (let i = 0; i < 5; i++) await s.create(`/g/b/ns/o${i}`, item(`o${i}`, {}));
      const compactedTo = await s.currentRevision();
      await s.compact(compactedTo);
      const quietNext = quiet.it.next().catch((e: unknown) => e);
      const before = [];
      for (const name of ['x', 'y', 'z']) before.push(`ADDED ${name} ${rvOf(await s.create(`/g/a/ns/${name}`, item(name, {})))}`);
      assert.deepEqual((await take(busy.it, 3)).map(describeEvent), before, 'live watches are not affected by compaction');
      assert.deepEqual((await take(viaCache.it, 3)).map(describeEvent), before);

      await cluster.members[0].kill();
      const down = await s.healthCheck().catch((e: unknown) => e);
      assert.ok(isStorageError(down, 'Unavailable'), `healthCheck fails while etcd is down: ${String(down)}`);
      await cluster.members[0].start();
      const t0 = Date.now();
      while (await s.healthCheck().then(() => false, () => true)) {
        assert.ok(Date.now() - t0 < 10_000, 'healthCheck recovers');
        await sleep(50);
      }

      const after = [];
      for (const name of ['u', 'v']) after.push(`ADDED ${name} ${rvOf(await s.create(`/g/a/ns/${name}`, item(name, {})))}`);
      assert.deepEqual((await take(busy.it, 2)).map(describeEvent), after, 'the busy watch resumed without gap or duplicate');
      assert.deepEqual((await take(viaCache.it, 2)).map(describeEvent), after, 'the watch cache\'s upstream resumed too');
      const err = await quietNext;
      assert.ok(isStorageError(err, 'ResourceVersionTooOld'), `the quiet watch resumes from a compacted revision: ${String(err)}`);
      assert.equal(err.oldestRevision, compactedTo);
      busy.ctl.abort();
      viaCache.ctl.abort();
      assert.equal(s.watcherCount(), 0);
    } finally {
      await Promise.all([s.close(), cached.close()]);
    }
  }));
});
