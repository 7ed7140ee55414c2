import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WatchEvent } from '../apimachinery/types.ts';
import { P, key, obj } from './conformance-helpers.ts';
import { createMemoryStorage } from './memory.ts';
import { withWatchCache } from './cache/watch-cache.ts';
import { mapWatchEvents } from './watch-map.ts';
import type { Storage } from './interface.ts';

/** mapWatchEvents: applied by the watch cache itself, or by a plain iterator over any other watch. */

const tag = (label: string) => (e: WatchEvent): WatchEvent => ({ ...e, object: { ...e.object, metadata: { ...e.object.metadata, labels: { ...e.object.metadata.labels, [label]: 'y' } } } });

async function firstEvents(store: Storage, count: number, map: (s: AsyncIterable<WatchEvent>) => AsyncIterable<WatchEvent>): Promise<WatchEvent[]> {
  const ctl = new AbortController();
  const from = await store.currentRevision();
  const got: WatchEvent[] = [];
  const done = (async () => {
    for await (const e of map(store.watch(P, { fromRevision: from, signal: ctl.signal }))) {
      got.push(e);
      if (got.length === count) break;
    }
  })();
  await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < count; i++) await store.create(key(`m${i}`), obj(`m${i}`));
  await done;
  ctl.abort();
  return got;
}

for (const [name, open] of [
  ['the watch cache (maps as it delivers)', async () => { const c = withWatchCache(createMemoryStorage(), {}); await c.warm(P); return c; }],
  ['a plain backend (wrapped)', async () => createMemoryStorage()],
] as const) {
  describe(`mapWatchEvents over ${name}`, () => {
    it('applies maps in the order given, to every event', async () => {
      const store = await open();
      const got = await firstEvents(store, 2, (s) => mapWatchEvents(mapWatchEvents(s, tag('a')), (e) => {
        assert.equal(e.object.metadata.labels?.a, 'y', 'the inner map ran first');
        return tag('b')(e);
      }));
      assert.deepEqual(got.map((e) => [e.type, e.object.metadata.name, e.object.metadata.labels]), [
        ['ADDED', 'm0', { a: 'y', b: 'y' }], ['ADDED', 'm1', { a: 'y', b: 'y' }],
      ]);
      assert.equal(store.watcherCount(), 0, 'leaving the loop ended the watch');
      await store.close();
    });

    it('a map that throws rejects next() and ends the watch', async () => {
      const store = await open();
      await assert.rejects(firstEvents(store, 1, (s) => mapWatchEvents(s, () => { throw new Error('cannot map'); })), /cannot map/);
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(store.watcherCount(), 0);
      await store.close();
    });
  });
}
