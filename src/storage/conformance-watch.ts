import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import type { WatchEvent } from '../apimachinery/types.ts';
import type { MakeStore } from './conformance-helpers.ts';
import { P, describeEvent, expectStorageError, key, obj, openWatch, take, within, withRV, withStore } from './conformance-helpers.ts';

const revOf = (ev: WatchEvent): number => Number(ev.object.metadata.resourceVersion);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Registers the watch cases of the conformance suite. */
export function registerWatchCases(make: MakeStore): void {
  registerWatchDeliveryCases(make);
  registerWatchWindowCases(make);
  registerWatchFilterCases(make);
  registerWatchLifecycleCases(make);
}

function registerWatchDeliveryCases(make: MakeStore): void {
  describe('watch delivery', () => {
    it('delivers each write after fromRevision once, in order, with type, object and revision', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a', { v: 1 }));
      const { it: w, ctl } = openWatch(s, P, b + 1);
      await s.guaranteedUpdate(key('a'), (cur) => ({ ...cur!, data: { v: 2 } }));
      await s.create(key('b'), obj('b'));
      await s.delete(key('a'));
      await s.create(key('a'), obj('a', { v: 3 }));
      const events = await take(w, 4);
      assert.deepEqual(events, [
        { type: 'MODIFIED', object: withRV(obj('a', { v: 2 }), b + 2) },
        { type: 'ADDED', object: withRV(obj('b'), b + 3) },
        { type: 'DELETED', object: withRV(obj('a', { v: 2 }), b + 4) },
        { type: 'ADDED', object: withRV(obj('a', { v: 3 }), b + 5) },
      ]);
      ctl.abort();
    }));

    it('replays retained history, then continues live without gap or duplicate', () => withStore(make, 1000, async (s, b) => {
      for (const n of ['a', 'b', 'c', 'd', 'e']) await s.create(key(n), obj(n));
      const { it: w, ctl } = openWatch(s, P, b + 2);
      await s.delete(key('a'));
      assert.deepEqual((await take(w, 4)).map(describeEvent), [`ADDED c ${b + 3}`, `ADDED d ${b + 4}`, `ADDED e ${b + 5}`, `DELETED a ${b + 6}`]);
      await s.create(key('f'), obj('f'));
      assert.deepEqual((await take(w, 1)).map(describeEvent), [`ADDED f ${b + 7}`]);
      ctl.abort();
      const all = openWatch(s, P, b);
      assert.deepEqual((await take(all.it, 7)).map(revOf), range(b + 1, b + 7));
      all.ctl.abort();
    }));

    it('a watch started while writes race with it misses and repeats nothing', () => withStore(make, 1000, async (s, b) => {
      for (let i = 0; i < 20; i++) await s.create(key(`pre-${i}`), obj(`pre-${i}`));
      const writers = Array.from({ length: 4 }, async (_, wi) => {
        for (let i = 0; i < 25; i++) {
          await s.create(key(`w${wi}-${i}`), obj(`w${wi}-${i}`));
          await new Promise((resolve) => setImmediate(resolve));
        }
      });
      await new Promise((resolve) => setImmediate(resolve));
      const { it: w, ctl } = openWatch(s, P, b + 10);
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      const events = await take(w, 110);
      await Promise.all(writers);
      assert.deepEqual(events.map(revOf), range(b + 11, b + 120));
      assert.equal(await s.currentRevision(), b + 120);
      ctl.abort();
    }));

  });
}

function registerWatchWindowCases(make: MakeStore): void {
  describe('watch history window', () => {
    it('a fromRevision older than the history window is TooOld; the window can be watched', () => withStore(make, 4, async (s, b) => {
      for (let i = 0; i < 10; i++) await s.create(key(`o-${i}`), obj(`o-${i}`));
      await expectStorageError(async () => {
        for await (const _ of s.watch(P, { fromRevision: b + 1, signal: AbortSignal.timeout(5000) })) break;
      }, 'ResourceVersionTooOld');
      const { it: w, ctl } = openWatch(s, P, b + 6);
      assert.deepEqual((await take(w, 4)).map(revOf), range(b + 7, b + 10));
      ctl.abort();
    }));

  });
}

function registerWatchFilterCases(make: MakeStore): void {
  describe('watch filtering, copies and slow consumers', () => {
    it('a key watch sees only that key; a prefix watch does not see sibling prefixes', () => withStore(make, 1000, async (s, b) => {
      const exact = openWatch(s, key('a'), b);
      const sub = openWatch(s, key('a/'), b);
      await s.create(key('ab'), obj('ab'));
      await s.create(key('a'), obj('a'));
      await s.create(key('a/x'), obj('a/x'));
      await s.guaranteedUpdate(key('ab'), (cur) => ({ ...cur!, data: { v: 2 } }));
      await s.delete(key('a'));
      await s.create(key('a/y'), obj('a/y'));
      await s.create(key('a'), obj('a'));
      assert.deepEqual((await take(exact.it, 3)).map(describeEvent), [`ADDED a ${b + 2}`, `DELETED a ${b + 5}`, `ADDED a ${b + 7}`]);
      assert.deepEqual((await take(sub.it, 2)).map(describeEvent), [`ADDED a/x ${b + 3}`, `ADDED a/y ${b + 6}`]);
      exact.ctl.abort();
      sub.ctl.abort();
    }));

    it('no-op updates produce no event', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a', { v: 1 }));
      const { it: w, ctl } = openWatch(s, P, b + 1);
      await s.guaranteedUpdate(key('a'), (cur) => cur!);
      await s.guaranteedUpdate(key('a'), (cur) => ({ ...cur!, data: { v: 2 } }));
      assert.deepEqual((await take(w, 1)).map(describeEvent), [`MODIFIED a ${b + 2}`]);
      ctl.abort();
    }));

    it('a watcher cannot change what another watcher or a reader gets (copies, or frozen shared objects)', () => withStore(make, 1000, async (s, b) => {
      const w1 = openWatch(s, P, b);
      const w2 = openWatch(s, P, b);
      await s.create(key('a'), obj('a', { v: 1 }));
      const [e1] = await take(w1.it, 1);
      try {
        e1.object.data = { v: 'mutated' };
      } catch (err) {
        assert.ok(err instanceof TypeError && Object.isFrozen(e1.object), `a change to a watch event's object failed with ${String(err)}`);
      }
      assert.deepEqual(await take(w2.it, 1), [{ type: 'ADDED', object: withRV(obj('a', { v: 1 }), b + 1) }]);
      assert.deepEqual(await s.get(key('a')), withRV(obj('a', { v: 1 }), b + 1));
      w1.ctl.abort();
      w2.ctl.abort();
    }));

    it('a slow consumer still receives every event in order', () => withStore(make, 10000, async (s, b) => {
      const { it: w, ctl } = openWatch(s, P, b);
      for (let i = 0; i < 3000; i++) await s.create(key(`s-${i}`), obj(`s-${i}`));
      assert.deepEqual((await take(w, 3000)).map(revOf), range(b + 1, b + 3000));
      ctl.abort();
    }));
  });
}

function registerWatchLifecycleCases(make: MakeStore): void {
  describe('watch lifecycle', () => {
    it('abort ends a pending iteration and leaves no watcher or listener behind', () => withStore(make, 1000, async (s, b) => {
      const count = (): number | undefined => s.watcherCount?.();
      const before = count();
      const ctl = new AbortController();
      const seen: string[] = [];
      const loop = (async () => {
        for await (const ev of s.watch(P, { fromRevision: b, signal: ctl.signal })) seen.push(describeEvent(ev));
      })();
      await s.create(key('a'), obj('a'));
      while (seen.length < 1) await new Promise((resolve) => setTimeout(resolve, 1));
      if (before !== undefined) assert.equal(count(), before + 1);
      ctl.abort();
      await within(loop, 5000, 'the watch loop to end after abort');
      assert.deepEqual(seen, [`ADDED a ${b + 1}`]);
      if (before !== undefined) assert.equal(count(), before);
      assert.equal(getEventListeners(ctl.signal, 'abort').length, 0);
    }));

    it('leaving the loop early (return) unregisters the watch without an abort', () => withStore(make, 1000, async (s, b) => {
      const before = s.watcherCount?.();
      const ctl = new AbortController();
      await s.create(key('a'), obj('a'));
      for await (const ev of s.watch(P, { fromRevision: b, signal: ctl.signal })) {
        assert.equal(describeEvent(ev), `ADDED a ${b + 1}`);
        break;
      }
      if (before !== undefined) assert.equal(s.watcherCount?.(), before);
      assert.equal(getEventListeners(ctl.signal, 'abort').length, 0);
    }));

    it('an already-aborted signal yields nothing', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a'));
      const before = s.watcherCount?.();
      const ctl = new AbortController();
      ctl.abort();
      const events: WatchEvent[] = [];
      for await (const ev of s.watch(P, { fromRevision: b, signal: ctl.signal })) events.push(ev);
      assert.deepEqual(events, []);
      if (before !== undefined) assert.equal(s.watcherCount?.(), before);
    }));

    it('close ends pending watches', async () => {
      const s = await make({ historyRevisions: 1000 });
      const b = await s.currentRevision();
      const { it: w } = openWatch(s, P, b);
      const pending = w.next();
      await s.close();
      assert.deepEqual(await within(pending, 5000, 'the watch to end on close'), { done: true, value: undefined });
      if (s.watcherCount) assert.equal(s.watcherCount(), 0);
    });
  });
}
