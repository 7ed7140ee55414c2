import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/apimachinery/types.ts';
import { withWatchCache } from '../../src/storage/cache/watch-cache.ts';
import { obj } from '../../src/storage/conformance-helpers.ts';
import { createEtcdStorage } from '../../src/storage/etcd/etcd-storage.ts';
import type { EtcdStorage } from '../../src/storage/etcd/etcd-storage.ts';
import { encodeObject } from '../../src/storage/object-codec.ts';
import type { StoredState } from '../../src/storage/interface.ts';
import { startEtcd } from './etcd-process.ts';
import type { EtcdCluster } from './etcd-process.ts';

/**
 * Updates that start from the watch cache's copy (UpdateOptions.suggestion, kube's
 * cachedExistingObject) on a real etcd: a fresh copy saves the read; a stale one never decides
 * anything — a failed compare, a failed precondition, an error of the update function or a
 * no-op on it are all decided again on a fresh read.
 */

let etcd: EtcdCluster | undefined;
let n = 0;
const KEY = '/g.example.com/ws/ns/a';

before(async () => {
  etcd = await startEtcd(1);
});

after(async () => {
  await etcd?.destroy();
});

function open(): EtcdStorage {
  if (!etcd) throw new Error('etcd did not start');
  return createEtcdStorage({ endpoints: etcd.endpoints, prefix: `/update-from-cache-${n++}`, compactionIntervalMs: 0 });
}

/** Runs `body` on a fresh store (its own prefix) and closes it. */
async function withStore(body: (store: EtcdStorage) => Promise<void>): Promise<void> {
  const store = open();
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

const stored = (o: KubeObject): StoredState => ({ value: encodeObject(o), revision: Number(o.metadata.resourceVersion) });
const v = (o: KubeObject | null) => (o?.data as { v: number }).v;
const bump = (o: KubeObject | null): KubeObject => ({ ...o!, data: { v: v(o) + 1 } });

/** A store at v=2 and the suggestion of its older state (v=1). */
async function staleSetUp(store: EtcdStorage): Promise<{ stale: StoredState; fresh: KubeObject }> {
  const first = await store.create(KEY, obj('a', { v: 1 }));
  const fresh = await store.guaranteedUpdate(KEY, bump);
  return { stale: stored(first), fresh };
}

describe('etcd guaranteedUpdate from a cached copy', () => {
  it('a fresh copy: the update function runs once, on it, and the write lands', () => withStore(async (store) => {
    const created = await store.create(KEY, obj('a', { v: 1 }));
    const seen: number[] = [];
    const out = await store.guaranteedUpdate(KEY, (c) => { seen.push(v(c)); return bump(c); }, { suggestion: stored(created) });
    assert.deepEqual(seen, [1]);
    assert.equal(v(await store.get(KEY)), 2);
    assert.ok(Number(out.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
  }));

  it('a stale copy: the compare fails and the update is made again on the stored object', () => withStore(async (store) => {
    const { stale, fresh } = await staleSetUp(store);
    const seen: number[] = [];
    await store.guaranteedUpdate(KEY, (c) => { seen.push(v(c)); return bump(c); }, { suggestion: stale });
    assert.deepEqual(seen, [1, 2]);
    const now = await store.get(KEY);
    assert.equal(v(now), 3);
    assert.ok(Number(now.metadata.resourceVersion) > Number(fresh.metadata.resourceVersion));
  }));

  it('a stale copy: a failed precondition or update function is decided again on a fresh read', () => withStore(async (store) => {
    const { stale, fresh } = await staleSetUp(store);
    const out = await store.guaranteedUpdate(KEY, bump, { suggestion: stale, preconditions: { resourceVersion: fresh.metadata.resourceVersion } });
    assert.equal(v(out), 3);
    const rv = out.metadata.resourceVersion;
    const conflicting = (c: KubeObject | null) => {
      if (c?.metadata.resourceVersion !== rv) throw new Error(`conflict at ${c?.metadata.resourceVersion}`);
      return bump(c);
    };
    assert.equal(v(await store.guaranteedUpdate(KEY, conflicting, { suggestion: stale })), 4);
    await assert.rejects(store.guaranteedUpdate(KEY, conflicting, { suggestion: stale }), /conflict at/, 'an error on the fresh object is the answer');
  }));

  it('a stale copy: an update that changes nothing on it is made on the stored object', () => withStore(async (store) => {
    const { stale } = await staleSetUp(store);
    const toOne = (c: KubeObject | null): KubeObject => ({ ...c!, data: { v: 1 } });
    const out = await store.guaranteedUpdate(KEY, toOne, { suggestion: stale });
    assert.equal(v(await store.get(KEY)), 1, 'written, not answered as a no-op from the stale copy');
    assert.ok(Number(out.metadata.resourceVersion) > stale.revision + 1);
  }));

  it('the watch cache supplies its copy: an update through it sees the cached object and lands', async () => {
    const store = open();
    const suggestions: Array<StoredState | undefined> = [];
    const spy = Object.create(store) as EtcdStorage;
    spy.guaranteedUpdate = (key, tryUpdate, opts) => { suggestions.push(opts?.suggestion); return store.guaranteedUpdate(key, tryUpdate, opts); };
    const cached = withWatchCache(spy, { resources: [{ prefix: '/g.example.com/ws/', keyOf: (o) => `/g.example.com/ws/${o.metadata.namespace}/${o.metadata.name}` }] });
    try {
      const created = await cached.create(KEY, obj('a', { v: 1 }));
      await cached.warm('/g.example.com/ws/');
      for (let i = 0; i < 50 && cached.cachedRevision(KEY) !== Number(created.metadata.resourceVersion); i++) await new Promise((r) => setTimeout(r, 20));
      const seen: Array<string | undefined> = [];
      await cached.guaranteedUpdate(KEY, (c) => { seen.push(c?.metadata.resourceVersion); return bump(c); });
      assert.deepEqual(seen, [created.metadata.resourceVersion]);
      assert.deepEqual(suggestions, [stored(created)], 'the cache passed its copy');
      assert.equal(v(await cached.get(KEY)), 2);
    } finally {
      await cached.close();
    }
  });
});
