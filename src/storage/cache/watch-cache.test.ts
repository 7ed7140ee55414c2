import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, WatchEvent } from '../../apimachinery/types.ts';
import { P, describeEvent, expectStorageError, key, obj, openWatch, take, withRV } from '../conformance-helpers.ts';
import { runStorageConformance } from '../conformance.ts';
import { StorageError } from '../interface.ts';
import type { DeleteOptions, ListOptions, ListResult, Storage, UpdateOptions, WatchOptions } from '../interface.ts';
import { createMemoryStorage } from '../memory.ts';
import { withCaughtUpWrites } from './caught-up-writes.ts';
import { defaultKeyFunc, defaultResourcePrefix, withWatchCache } from './watch-cache.ts';

runStorageConformance('memory behind the watch cache', async ({ historyRevisions }) => {
  const cached = withWatchCache(createMemoryStorage({ historyRevisions }), { capacity: historyRevisions });
  await cached.warm(P);
  return withCaughtUpWrites(cached);
});

const RESOURCE = '/conformance.example.com/widgets/';
const nsKey = (ns: string, name: string): string => `${RESOURCE}${ns}/${name}`;
const nsObj = (ns: string, name: string, data: Record<string, unknown> = {}): KubeObject => ({ ...obj(name, data), metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` } });

/** A memory backend that counts calls and can break its open watches (as a lost etcd watch would). */
class SpyBackend implements Storage {
  readonly inner = createMemoryStorage();
  lists = 0;
  private breakers = new Set<(err: Error) => void>();

  create(k: string, o: KubeObject): Promise<KubeObject> { return this.inner.create(k, o); }
  get(k: string): Promise<KubeObject> { return this.inner.get(k); }
  list(prefix: string, opts?: ListOptions): Promise<ListResult> { this.lists++; return this.inner.list(prefix, opts); }
  guaranteedUpdate(k: string, f: (c: KubeObject | null) => KubeObject | Promise<KubeObject>, o?: UpdateOptions): Promise<KubeObject> {
    return this.inner.guaranteedUpdate(k, f, o);
  }
  delete(k: string, o?: DeleteOptions): Promise<KubeObject> { return this.inner.delete(k, o); }
  currentRevision(): Promise<number> { return this.inner.currentRevision(); }
  count(prefix: string): Promise<number> { return this.inner.count(prefix); }
  close(): Promise<void> { return this.inner.close(); }
  watcherCount(): number { return this.inner.watcherCount(); }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    const ctl = new AbortController();
    opts.signal.addEventListener('abort', () => ctl.abort(), { once: true });
    const inner = this.inner.watch(prefix, { fromRevision: opts.fromRevision, signal: ctl.signal });
    let broken: Error | undefined;
    const breaker = (err: Error): void => { broken = err; ctl.abort(); };
    this.breakers.add(breaker);
    const breakers = this.breakers;
    return (async function* () {
      try {
        for await (const ev of inner) yield ev;
        if (broken) throw broken;
      } finally {
        breakers.delete(breaker);
      }
    })();
  }

  /** Makes every open watch throw `err`. */
  breakWatches(err: Error): void {
    for (const b of [...this.breakers]) b(err);
  }
}

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Waits until the cache of RESOURCE has applied every event up to `rev` (the cache follows the backend asynchronously). */
async function caughtUp(s: Storage, rev: number): Promise<void> {
  await until(async () => (await s.list(RESOURCE, { match: 'Any' })).resourceVersion >= rev);
}

describe('watch cache: fan-out and lists from memory', () => {
  it('serves many client watches with one upstream watch per resource', async () => {
    const backend = new SpyBackend();
    const s = withWatchCache(backend);
    try {
      await s.warm(RESOURCE);
      const base = await s.currentRevision();
      const watches = Array.from({ length: 40 }, (_, i) => openWatch(s, i % 2 ? RESOURCE : `${RESOURCE}ns${i % 4}/`, base));
      for (let ns = 0; ns < 4; ns++) await s.create(nsKey(`ns${ns}`, 'a'), nsObj(`ns${ns}`, 'a'));
      for (const [i, w] of watches.entries()) {
        const expected = i % 2 ? [1, 2, 3, 4].map((r) => `ADDED a ${base + r}`) : [`ADDED a ${base + 1 + (i % 4)}`];
        assert.deepEqual((await take(w.it, expected.length)).map(describeEvent), expected);
      }
      assert.equal(backend.watcherCount(), 1, 'one upstream watch for the resource');
      assert.equal(s.watcherCount(), 40);
      for (const w of watches) w.ctl.abort();
      assert.equal(s.watcherCount(), 0);
      assert.equal(backend.watcherCount(), 1, 'the upstream watch stays for the next clients');
    } finally {
      await s.close();
    }
    assert.equal(backend.watcherCount(), 0, 'close stops the upstream watch');
  });

  it('delivers every event, in order, to more watchers than one notification slice, writes arriving mid-pass', async () => {
    const s = withWatchCache(new SpyBackend());
    try {
      await s.warm(RESOURCE);
      const base = await s.currentRevision();
      const watches = Array.from({ length: 300 }, () => openWatch(s, RESOURCE, base));
      const firsts = watches.map((w) => w.it.next());
      for (let i = 0; i < 5; i++) await s.create(nsKey('ns', `o${i}`), nsObj('ns', `o${i}`));
      const expected = [0, 1, 2, 3, 4].map((i) => `ADDED o${i} ${base + 1 + i}`);
      for (const [i, w] of watches.entries()) {
        const first = await firsts[i];
        assert.equal(first.done, false);
        const got = [first.value, ...(await take(w.it, 4))].map(describeEvent);
        assert.deepEqual(got, expected, `watcher ${i}`);
      }
      for (const w of watches) w.ctl.abort();
    } finally {
      await s.close();
    }
  });

  it('answers match:Any lists from memory once ready, with paging continued by the backend', async () => {
    const backend = new SpyBackend();
    const s = withWatchCache(backend);
    try {
      for (const n of ['c', 'a', 'b', 'd']) await s.create(nsKey('ns', n), nsObj('ns', n, { n }));
      await s.create(nsKey('other', 'x'), nsObj('other', 'x'));
      const first = await s.list(`${RESOURCE}ns/`, { match: 'Any' });
      assert.deepEqual(first, await backend.inner.list(`${RESOURCE}ns/`), 'before the cache is ready, the backend answers');
      await s.warm(RESOURCE);
      const lists = backend.lists;
      const cached = await s.list(`${RESOURCE}ns/`, { match: 'Any' });
      assert.deepEqual({ items: cached.items, resourceVersion: cached.resourceVersion }, first);
      assert.deepEqual(cached.encoded, { apiVersion: 'v1', items: first.items.map((o) => JSON.stringify(o)) }, 'each item also encoded, as JSON.stringify encodes it');
      const p1 = await s.list(`${RESOURCE}ns/`, { match: 'Any', limit: 2 });
      assert.deepEqual(p1.items.map((o) => o.metadata.name), ['a', 'b']);
      assert.equal(p1.remainingItemCount, 2);
      const filtered = await s.list(RESOURCE, { match: 'Any', predicate: (o) => o.metadata.namespace === 'other' });
      assert.deepEqual(filtered.items.map((o) => o.metadata.name), ['x']);
      const copy = await s.list(`${RESOURCE}ns/`, { match: 'Any' });
      copy.items[0].data = { mutated: true };
      assert.deepEqual((await s.list(`${RESOURCE}ns/`, { match: 'Any' })).items[0], withRV(nsObj('ns', 'a', { n: 'a' }), 2));
      assert.equal(backend.lists, lists, 'all served from memory');
      await s.delete(nsKey('ns', 'c'));
      const p2 = await s.list(`${RESOURCE}ns/`, { limit: 2, continue: p1.continue });
      assert.deepEqual(p2.items.map((o) => o.metadata.name), ['c', 'd'], 'the continue page is read at the first page\'s revision');
      assert.equal(p2.resourceVersion, p1.resourceVersion);
      await until(async () => (await s.list(`${RESOURCE}ns/`, { match: 'Any' })).items.length === 3);
      assert.equal((await s.list(`${RESOURCE}ns/`, { match: 'Any' })).resourceVersion, 6);
    } finally {
      await s.close();
    }
  });

  it('passes other lists, reads and paths outside any resource to the backend', async () => {
    const backend = new SpyBackend();
    const s = withWatchCache(backend);
    try {
      await s.warm(RESOURCE);
      await s.create(nsKey('ns', 'a'), nsObj('ns', 'a'));
      const before = backend.lists;
      await s.list(RESOURCE);
      await s.list(RESOURCE, { resourceVersion: 1, match: 'NotOlderThan' });
      assert.equal(backend.lists, before + 2);
      const top = openWatch(s, '/conformance.example.com/', 0);
      assert.equal((await take(top.it, 1)).map(describeEvent)[0], 'ADDED a 1');
      assert.equal(backend.watcherCount(), 2, 'the cache\'s upstream watch and the passed-through one');
      top.ctl.abort();
    } finally {
      await s.close();
    }
  });
});

describe('watch cache: bounded history', () => {
  it('a watch from before the ring is TooOld; within it, events replay', async () => {
    const s = withWatchCache(createMemoryStorage(), { capacity: 5 });
    try {
      await s.warm(RESOURCE);
      const base = await s.currentRevision();
      for (let i = 0; i < 12; i++) await s.create(nsKey('ns', `o${i}`), nsObj('ns', `o${i}`));
      await caughtUp(s, base + 12);
      const old = openWatch(s, RESOURCE, base + 6);
      const err = await expectStorageError(() => old.it.next(), 'ResourceVersionTooOld');
      assert.equal(err.oldestRevision, base + 7);
      const ok = openWatch(s, RESOURCE, base + 7);
      assert.deepEqual((await take(ok.it, 5)).map((e) => Number(e.object.metadata.resourceVersion)), [8, 9, 10, 11, 12].map((d) => base + d));
      ok.ctl.abort();
    } finally {
      await s.close();
    }
  });

  it('a watcher that falls further behind than the ring gets TooOld; unrelated traffic never fails it', async () => {
    const s = withWatchCache(createMemoryStorage(), { capacity: 4 });
    try {
      await s.warm(RESOURCE);
      const base = await s.currentRevision();
      const slow = openWatch(s, `${RESOURCE}a/`, base);
      const quiet = openWatch(s, `${RESOURCE}b/`, base);
      await s.create(nsKey('a', 'x0'), nsObj('a', 'x0'));
      assert.deepEqual((await take(slow.it, 1)).map(describeEvent), [`ADDED x0 ${base + 1}`]);
      const quietNext = quiet.it.next();
      for (let i = 1; i <= 10; i++) await s.create(nsKey('a', `x${i}`), nsObj('a', `x${i}`));
      await caughtUp(s, base + 11);
      await expectStorageError(() => slow.it.next(), 'ResourceVersionTooOld');
      await s.create(nsKey('b', 'y'), nsObj('b', 'y'));
      const r = await quietNext;
      assert.equal(describeEvent(r.value as WatchEvent), `ADDED y ${base + 12}`);
      quiet.ctl.abort();
      assert.equal(s.watcherCount(), 0);
    } finally {
      await s.close();
    }
  });

  it('keeps at most `capacity` events however many writes and watchers', async () => {
    const s = withWatchCache(createMemoryStorage(), { capacity: 3 });
    try {
      await s.warm(RESOURCE);
      const base = await s.currentRevision();
      for (let i = 0; i < 50; i++) await s.create(nsKey('ns', `o${i}`), nsObj('ns', `o${i}`));
      await caughtUp(s, base + 50);
      await expectStorageError(() => openWatch(s, RESOURCE, base + 46).it.next(), 'ResourceVersionTooOld');
      const w = openWatch(s, RESOURCE, base + 47);
      assert.equal((await take(w.it, 3)).length, 3);
      w.ctl.abort();
    } finally {
      await s.close();
    }
  });
});

describe('watch cache: losing the upstream watch', () => {
  it('ends client watches with TooOld, then re-lists and serves again', async () => {
    const backend = new SpyBackend();
    const s = withWatchCache(backend);
    try {
      await s.warm(RESOURCE);
      const base = await s.currentRevision();
      const w = openWatch(s, RESOURCE, base);
      await s.create(nsKey('ns', 'a'), nsObj('ns', 'a'));
      assert.equal((await take(w.it, 1)).length, 1);
      backend.breakWatches(new StorageError('ResourceVersionTooOld', RESOURCE, 'too old resource version'));
      await expectStorageError(() => w.it.next(), 'ResourceVersionTooOld');
      await s.create(nsKey('ns', 'b'), nsObj('ns', 'b'));
      await until(() => backend.watcherCount() === 1);
      const again = openWatch(s, RESOURCE, base + 2);
      await s.create(nsKey('ns', 'c'), nsObj('ns', 'c'));
      assert.deepEqual((await take(again.it, 1)).map(describeEvent), [`ADDED c ${base + 3}`]);
      assert.deepEqual((await s.list(RESOURCE, { match: 'Any' })).items.map((o) => o.metadata.name), ['a', 'b', 'c']);
      again.ctl.abort();
    } finally {
      await s.close();
    }
  });
});

describe('watch cache: key layout', () => {
  it('derives resources and keys as src/registry lays them out', () => {
    assert.equal(defaultResourcePrefix('/g.example.com/things/ns/x'), '/g.example.com/things/');
    assert.equal(defaultResourcePrefix('/g.example.com/things/'), '/g.example.com/things/');
    assert.equal(defaultResourcePrefix('/g.example.com/'), undefined);
    assert.equal(defaultResourcePrefix('/g.example.com/things'), undefined);
    assert.equal(defaultKeyFunc('/g/things/', { apiVersion: 'v1', kind: 'T', metadata: { name: 'x', namespace: 'ns' } }), '/g/things/ns/x');
    assert.equal(defaultKeyFunc('/g/things/', { apiVersion: 'v1', kind: 'T', metadata: { name: 'x' } }), '/g/things/x');
    assert.equal(key('a'), nsKey('ns', 'a'));
  });
});
