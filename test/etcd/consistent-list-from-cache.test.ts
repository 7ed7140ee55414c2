import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WatchEvent } from '../../src/apimachinery/types.ts';
import { withWatchCache, type CachedStorage } from '../../src/storage/cache/watch-cache.ts';
import { describeEvent, expectStorageError, names, obj, openWatch, take } from '../../src/storage/conformance-helpers.ts';
import { createEtcdStorage } from '../../src/storage/etcd/etcd-storage.ts';
import type { EtcdStorage } from '../../src/storage/etcd/etcd-storage.ts';
import { isProgressWatch } from '../../src/storage/interface.ts';
import type { ListOptions, ListResult, Storage } from '../../src/storage/interface.ts';
import { startEtcd } from './etcd-process.ts';
import type { EtcdCluster } from './etcd-process.ts';

/**
 * Consistent lists from the watch cache on a real etcd (kube-apiserver's ConsistentListFromCache):
 * the cache learns etcd's current revision, waits for its upstream watch's progress bookmark and
 * answers from memory — with every acknowledged write, at a revision at least etcd's current one
 * even when the newest writes went to other resources — while Exact, continue and future
 * NotOlderThan lists still reach etcd.
 */

let etcd: EtcdCluster | undefined;
let n = 0;

before(async () => {
  etcd = await startEtcd(1);
});

after(async () => {
  await etcd?.destroy();
});

const A = '/g.example.com/as/';
const B = '/g.example.com/bs/';

/** A store that counts the lists and gets reaching it. */
function countingReads(store: Storage): { store: Storage; lists: () => number; gets: () => number } {
  let lists = 0;
  let gets = 0;
  const counted = Object.create(store) as Storage;
  counted.list = (prefix: string, opts?: ListOptions): Promise<ListResult> => {
    lists++;
    return store.list(prefix, opts);
  };
  counted.get = (key: string) => {
    gets++;
    return store.get(key);
  };
  return { store: counted, lists: () => lists, gets: () => gets };
}

function open(): { etcdStore: EtcdStorage; backend: Storage; lists: () => number; gets: () => number } {
  if (!etcd) throw new Error('etcd did not start');
  const etcdStore = createEtcdStorage({ endpoints: etcd.endpoints, prefix: `/consistent-${n++}`, compactionIntervalMs: 0 });
  const { store, lists, gets } = countingReads(etcdStore);
  return { etcdStore, backend: store, lists, gets };
}

/** A watch cache in front of `backend` that caches the resource under A only. */
function cacheOfA(backend: Storage): CachedStorage {
  return withWatchCache(backend, { resources: [{ prefix: A, keyOf: (o) => `${A}${o.metadata.namespace}/${o.metadata.name}` }] });
}

describe('watch cache on etcd: consistent lists and gets from memory', () => {
  it('etcd watches opened with progressBookmarks answer progress requests with a bookmark at the current revision', async () => {
    const { etcdStore } = open();
    try {
      const written = await etcdStore.create(`${B}ns/x`, obj('x'));
      const ctl = new AbortController();
      const watch = etcdStore.watch(A, { fromRevision: Number(written.metadata.resourceVersion), signal: ctl.signal, progressBookmarks: true });
      assert.ok(isProgressWatch(watch));
      const it = watch[Symbol.asyncIterator]();
      const first = it.next();
      // etcd answers only once its watcher has synced, which needs a write after the watch began.
      const later = await etcdStore.create(`${B}ns/y`, obj('y'));
      const asking = setInterval(() => watch.requestProgress(), 25);
      const bookmark = (await first).value as WatchEvent;
      clearInterval(asking);
      assert.equal(bookmark.type, 'BOOKMARK');
      assert.ok(Number(bookmark.object.metadata.resourceVersion) >= Number(later.metadata.resourceVersion));
      ctl.abort();
      assert.equal(isProgressWatch(etcdStore.watch(A, { fromRevision: 0, signal: ctl.signal })), false);
    } finally {
      await etcdStore.close();
    }
  });

  it('reads its own writes from memory, at etcd\'s current revision, without listing etcd', async () => {
    const { etcdStore, backend, lists } = open();
    const cached = cacheOfA(backend);
    try {
      await cached.warm(A);
      const listsAfterWarm = lists();
      for (let i = 0; i < 20; i++) {
        const created = await cached.create(`${A}ns/a${i}`, obj(`a${i}`));
        // A write to another resource moves etcd's revision past everything the cache has seen.
        const other = await cached.create(`${B}ns/b${i}`, obj(`b${i}`));
        const listed = await cached.list(A);
        assert.equal(listed.items.length, i + 1, 'every acknowledged write is in the consistent list');
        assert.ok(listed.resourceVersion >= Number(other.metadata.resourceVersion), `list RV ${listed.resourceVersion} >= ${other.metadata.resourceVersion}`);
        assert.ok(Number(created.metadata.resourceVersion) <= listed.resourceVersion);
        const notOlder = await cached.list(A, { resourceVersion: Number(other.metadata.resourceVersion), match: 'NotOlderThan', limit: 5 });
        assert.equal(notOlder.items.length, Math.min(5, i + 1));
        assert.equal(notOlder.continue !== undefined, i + 1 > 5);
      }
      assert.equal(lists(), listsAfterWarm, 'no consistent list reached etcd');

      const page = await cached.list(A, { limit: 5 });
      const rest = await cached.list(A, { continue: page.continue });
      assert.deepEqual([...names(page.items), ...names(rest.items)].length, 20);
      assert.equal(rest.resourceVersion, page.resourceVersion, 'a continue page is read at the first page\'s revision');
      assert.equal(lists(), listsAfterWarm + 1, 'the continue page was read from etcd');

      const exact = await cached.list(A, { resourceVersion: page.resourceVersion, match: 'Exact' });
      assert.equal(exact.resourceVersion, page.resourceVersion);
      assert.equal(lists(), listsAfterWarm + 2, 'the Exact list was read from etcd');

      const current = await etcdStore.currentRevision();
      await expectStorageError(() => cached.list(A, { resourceVersion: current + 100, match: 'NotOlderThan' }), 'ResourceVersionTooLarge');

      // A watch from the list's revision gets exactly the later events.
      const listed = await cached.list(A);
      const w = openWatch(cached, A, listed.resourceVersion);
      const next = await cached.create(`${A}ns/z`, obj('z'));
      assert.deepEqual((await take(w.it, 1)).map(describeEvent), [`ADDED z ${next.metadata.resourceVersion}`]);
      w.ctl.abort();
    } finally {
      await cached.close();
    }
  });

  it('stays consistent under concurrent writers to both resources', async () => {
    const { backend, lists } = open();
    const cached = cacheOfA(backend);
    try {
      await cached.warm(A);
      const before = lists();
      const acknowledged = new Set<string>();
      const writers = [0, 1, 2].map(async (wr) => {
        for (let i = 0; i < 15; i++) {
          const name = `w${wr}-${i}`;
          await cached.create(`${A}ns/${name}`, obj(name));
          await cached.create(`${B}ns/${name}`, obj(name));
          acknowledged.add(name);
          const expected = [...acknowledged];
          const seen = new Set(names((await cached.list(A)).items));
          for (const done of expected) assert.ok(seen.has(done), `${done} acknowledged before the list began but missing`);
        }
      });
      await Promise.all(writers);
      assert.equal((await cached.list(A)).items.length, 45);
      assert.equal(lists(), before, 'every consistent list was answered from memory');
    } finally {
      await cached.close();
    }
  });

  it('answers gets from memory with every write acknowledged before them, also writes made past the cache', async () => {
    const { etcdStore, backend, gets } = open();
    const cached = cacheOfA(backend);
    try {
      await cached.warm(A);
      const before = gets();
      for (let i = 0; i < 20; i++) {
        // Written straight to etcd, not through the cache: the get must still see it.
        const created = await etcdStore.create(`${A}ns/g${i}`, obj(`g${i}`, { i }));
        assert.deepEqual(await cached.get(`${A}ns/g${i}`), created);
        const updated = await etcdStore.guaranteedUpdate(`${A}ns/g${i}`, (cur) => ({ ...cur!, data: { i, updated: true } }));
        await cached.create(`${B}ns/g${i}`, obj(`g${i}`));
        assert.deepEqual(await cached.get(`${A}ns/g${i}`), updated);
        await etcdStore.delete(`${A}ns/g${i}`);
        const missing = await expectStorageError(() => cached.get(`${A}ns/g${i}`), 'KeyNotFound');
        const fromEtcd = await expectStorageError(() => etcdStore.get(`${A}ns/g${i}`), 'KeyNotFound');
        assert.equal(missing.message, fromEtcd.message);
      }
      assert.equal(gets(), before, 'no get reached etcd');
      await cached.create(`${A}ns/kept`, obj('kept'));
      const mine = await cached.get(`${A}ns/kept`);
      mine.metadata.name = 'changed';
      assert.equal((await cached.get(`${A}ns/kept`)).metadata.name, 'kept', 'each get is its own copy');
      assert.equal(gets(), before);
    } finally {
      await cached.close();
    }
  });
});
