import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../apimachinery/types.ts';
import type { MakeStore } from './conformance-helpers.ts';
import { P, expectStorageError, gate, key, obj, sleep, withRV, withStore } from './conformance-helpers.ts';

/** Registers the create/get/revision/delete/count cases of the conformance suite. */
export function registerCrudCases(make: MakeStore): void {
  registerCreateCases(make);
  registerRevisionCases(make);
  registerUpdateCases(make);
  registerConcurrencyCases(make);
  registerIncrementCases(make);
  registerDeleteCases(make);
  registerCountCases(make);
}

function registerCreateCases(make: MakeStore): void {
  describe('create and get', () => {
    it('create returns a copy with resourceVersion = the write revision and keeps no reference', () => withStore(make, 1000, async (s, b) => {
      const input = obj('a', { k: 'v' });
      const out = await s.create(key('a'), input);
      assert.deepEqual(out, withRV(obj('a', { k: 'v' }), b + 1));
      assert.equal(input.metadata.resourceVersion, undefined, 'the caller\'s object is not modified');
      assert.equal(await s.currentRevision(), b + 1);
      (input.data as Record<string, string>).k = 'mutated-input';
      (out.data as Record<string, string>).k = 'mutated-output';
      const got = await s.get(key('a'));
      assert.deepEqual(got, withRV(obj('a', { k: 'v' }), b + 1));
      got.metadata.labels = { mutated: 'yes' };
      assert.deepEqual(await s.get(key('a')), withRV(obj('a', { k: 'v' }), b + 1));
    }));

    it('create ignores a resourceVersion supplied by the caller', () => withStore(make, 1000, async (s, b) => {
      const input = obj('a');
      input.metadata.resourceVersion = '777';
      assert.deepEqual(await s.create(key('a'), input), withRV(obj('a'), b + 1));
      assert.equal(input.metadata.resourceVersion, '777');
    }));

    it('create on an existing key throws KeyExists and writes nothing', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a', { v: 1 }));
      const err = await expectStorageError(() => s.create(key('a'), obj('a', { v: 2 })), 'KeyExists');
      assert.equal(err.key, key('a'));
      assert.equal(await s.currentRevision(), b + 1);
      assert.deepEqual(await s.get(key('a')), withRV(obj('a', { v: 1 }), b + 1));
    }));

    it('get of an absent or deleted key throws KeyNotFound', () => withStore(make, 1000, async (s) => {
      const err = await expectStorageError(() => s.get(key('nope')), 'KeyNotFound');
      assert.equal(err.key, key('nope'));
      await s.create(key('a'), obj('a'));
      await s.delete(key('a'));
      await expectStorageError(() => s.get(key('a')), 'KeyNotFound');
    }));

    it('a deleted key can be created again', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a', { v: 1 }));
      await s.delete(key('a'));
      assert.deepEqual(await s.create(key('a'), obj('a', { v: 2 })), withRV(obj('a', { v: 2 }), b + 3));
      assert.deepEqual(await s.get(key('a')), withRV(obj('a', { v: 2 }), b + 3));
    }));
  });
}

function registerRevisionCases(make: MakeStore): void {
  describe('revisions', () => {
    it('one counter per store grows by exactly one per write; failed and no-op operations write nothing', () => withStore(make, 1000, async (s, b) => {
      const x = '/conformance.example.com/others/ns/x';
      assert.equal((await s.create(key('a'), obj('a', { v: 1 }))).metadata.resourceVersion, String(b + 1));
      assert.equal((await s.create(x, obj('x'))).metadata.resourceVersion, String(b + 2));
      const upd = await s.guaranteedUpdate(key('a'), (cur) => ({ ...cur!, data: { v: 2 } }));
      assert.equal(upd.metadata.resourceVersion, String(b + 3));
      assert.equal((await s.delete(x)).metadata.resourceVersion, String(b + 4));
      assert.equal((await s.create(x, obj('x'))).metadata.resourceVersion, String(b + 5));
      await expectStorageError(() => s.create(x, obj('x')), 'KeyExists');
      await expectStorageError(() => s.delete(key('none')), 'KeyNotFound');
      await expectStorageError(() => s.guaranteedUpdate(key('none'), (c) => c!), 'KeyNotFound');
      await expectStorageError(() => s.guaranteedUpdate(key('a'), (c) => c!, { preconditions: { uid: 'other' } }), 'PreconditionFailed');
      await assert.rejects(s.guaranteedUpdate(key('a'), () => { throw new Error('no'); }), /no/);
      assert.equal((await s.guaranteedUpdate(key('a'), (c) => c!)).metadata.resourceVersion, String(b + 3));
      assert.equal(await s.currentRevision(), b + 5);
    }));
  });
}

function registerUpdateCases(make: MakeStore): void {
  describe('guaranteedUpdate', () => {
    it('passes a copy of the current object and stores the result at a new revision', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a', { v: 1 }));
      const seen: KubeObject[] = [];
      const out = await s.guaranteedUpdate(key('a'), (cur) => {
        seen.push(structuredClone(cur!));
        cur!.data = { v: 2 };
        return cur!;
      });
      assert.deepEqual(seen, [withRV(obj('a', { v: 1 }), b + 1)]);
      assert.deepEqual(out, withRV(obj('a', { v: 2 }), b + 2));
      assert.deepEqual(await s.get(key('a')), withRV(obj('a', { v: 2 }), b + 2));
      assert.equal(await s.currentRevision(), b + 2);
    }));

    it('a result equal to the current object (ignoring resourceVersion) writes nothing', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a', { v: 1 }));
      assert.deepEqual(await s.guaranteedUpdate(key('a'), (cur) => cur!), withRV(obj('a', { v: 1 }), b + 1));
      const stale = await s.guaranteedUpdate(key('a'), (cur) => ({ ...cur!, metadata: { ...cur!.metadata, resourceVersion: '999' } }));
      assert.deepEqual(stale, withRV(obj('a', { v: 1 }), b + 1));
      assert.equal(await s.currentRevision(), b + 1);
    }));

    it('an error thrown by tryUpdate propagates unchanged and nothing is written', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a'));
      const boom = new Error('boom');
      await assert.rejects(s.guaranteedUpdate(key('a'), async () => { throw boom; }), (err) => err === boom);
      assert.equal(await s.currentRevision(), b + 1);
    }));

    it('absent key: KeyNotFound, or with ignoreNotFound tryUpdate gets null and the result is created', () => withStore(make, 1000, async (s, b) => {
      let called = 0;
      await expectStorageError(() => s.guaranteedUpdate(key('a'), (c) => { called++; return c!; }), 'KeyNotFound');
      assert.equal(called, 0);
      const seen: (KubeObject | null)[] = [];
      const out = await s.guaranteedUpdate(key('a'), (cur) => { seen.push(cur); return obj('a', { v: 1 }); }, { ignoreNotFound: true });
      assert.deepEqual(seen, [null]);
      assert.deepEqual(out, withRV(obj('a', { v: 1 }), b + 1));
      assert.deepEqual(await s.get(key('a')), withRV(obj('a', { v: 1 }), b + 1));
    }));

    it('preconditions on uid and resourceVersion are checked against the current object', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a', { v: 1 }));
      let called = 0;
      const bump = (cur: KubeObject | null): KubeObject => { called++; return { ...cur!, data: { v: 2 } }; };
      await expectStorageError(() => s.guaranteedUpdate(key('a'), bump, { preconditions: { uid: 'uid-other' } }), 'PreconditionFailed');
      await expectStorageError(() => s.guaranteedUpdate(key('a'), bump, { preconditions: { resourceVersion: String(b + 7) } }), 'PreconditionFailed');
      assert.equal(called, 0);
      assert.equal(await s.currentRevision(), b + 1);
      const out = await s.guaranteedUpdate(key('a'), bump, { preconditions: { uid: 'uid-a', resourceVersion: String(b + 1) } });
      assert.deepEqual(out, withRV(obj('a', { v: 2 }), b + 2));
    }));
  });
}

function registerConcurrencyCases(make: MakeStore): void {
  describe('guaranteedUpdate concurrency', () => {
    it('a write during an async tryUpdate makes it retry on the new state (exactly one wins)', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('c'), obj('c', { n: 0 }));
      const hold = gate();
      const entered = gate();
      const seenBySlow: unknown[] = [];
      const slow = s.guaranteedUpdate(key('c'), async (cur) => {
        seenBySlow.push(structuredClone(cur!.data));
        entered.open();
        await hold.promise;
        const d = cur!.data as { n: number };
        return { ...cur!, data: { ...d, n: d.n + 1, slow: true } };
      });
      await entered.promise;
      const fast = await s.guaranteedUpdate(key('c'), (cur) => {
        const d = cur!.data as { n: number };
        return { ...cur!, data: { ...d, n: d.n + 1, fast: true } };
      });
      assert.deepEqual(fast, withRV(obj('c', { n: 1, fast: true }), b + 2));
      hold.open();
      assert.deepEqual(await slow, withRV(obj('c', { n: 2, fast: true, slow: true }), b + 3));
      assert.deepEqual(seenBySlow, [{ n: 0 }, { n: 1, fast: true }]);
      assert.equal(await s.currentRevision(), b + 3);
    }));

    it('preconditions are re-checked when an update retries', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('c'), obj('c', { n: 0 }));
      const hold = gate();
      const entered = gate();
      let calls = 0;
      const slow = s.guaranteedUpdate(key('c'), async (cur) => {
        calls++;
        entered.open();
        await hold.promise;
        return { ...cur!, data: { n: 100 } };
      }, { preconditions: { resourceVersion: String(b + 1) } });
      await entered.promise;
      await s.guaranteedUpdate(key('c'), (cur) => ({ ...cur!, data: { n: 1 } }));
      hold.open();
      await expectStorageError(() => slow, 'PreconditionFailed');
      assert.equal(calls, 1);
      assert.deepEqual(await s.get(key('c')), withRV(obj('c', { n: 1 }), b + 2));
    }));

  });
}

function registerIncrementCases(make: MakeStore): void {
  describe('guaranteedUpdate under load', () => {
    it('N concurrent increments with async tryUpdate lose nothing', () => withStore(make, 1000, async (s, b) => {
      const n = 25;
      await s.create(key('c'), obj('c', { n: 0 }));
      const results = await Promise.all(Array.from({ length: n }, (_, i) => s.guaranteedUpdate(key('c'), async (cur) => {
        await sleep(i % 3);
        return { ...cur!, data: { n: (cur!.data as { n: number }).n + 1 } };
      })));
      const revs = results.map((r) => Number(r.metadata.resourceVersion)).sort((x, y) => x - y);
      assert.deepEqual(revs, Array.from({ length: n }, (_, i) => b + 2 + i));
      for (const r of results) assert.equal((r.data as { n: number }).n, Number(r.metadata.resourceVersion) - b - 1);
      assert.deepEqual(await s.get(key('c')), withRV(obj('c', { n }), b + 1 + n));
      assert.equal(await s.currentRevision(), b + 1 + n);
    }));
  });
}

function registerDeleteCases(make: MakeStore): void {
  describe('delete', () => {
    it('returns the last state with resourceVersion = the deletion revision', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a', { v: 1 }));
      await s.guaranteedUpdate(key('a'), (cur) => ({ ...cur!, data: { v: 2 } }));
      assert.deepEqual(await s.delete(key('a')), withRV(obj('a', { v: 2 }), b + 3));
      assert.equal(await s.currentRevision(), b + 3);
      await expectStorageError(() => s.get(key('a')), 'KeyNotFound');
      const err = await expectStorageError(() => s.delete(key('a')), 'KeyNotFound');
      assert.equal(err.key, key('a'));
      assert.equal(await s.currentRevision(), b + 3);
    }));

    it('validateDeletion sees the current object and can abort the deletion', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a', { v: 1 }));
      const seen: KubeObject[] = [];
      const veto = new Error('veto');
      await assert.rejects(s.delete(key('a'), { validateDeletion: (cur) => { seen.push(structuredClone(cur)); throw veto; } }), (e) => e === veto);
      assert.deepEqual(seen, [withRV(obj('a', { v: 1 }), b + 1)]);
      assert.equal(await s.currentRevision(), b + 1);
      assert.deepEqual(await s.get(key('a')), withRV(obj('a', { v: 1 }), b + 1));
      assert.deepEqual(await s.delete(key('a'), { validateDeletion: async () => { await sleep(1); } }), withRV(obj('a', { v: 1 }), b + 2));
    }));

    it('validateDeletion racing a write is repeated against the new state', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a', { v: 1 }));
      const hold = gate();
      const entered = gate();
      const seen: string[] = [];
      const del = s.delete(key('a'), { validateDeletion: async (cur) => {
        seen.push(cur.metadata.resourceVersion ?? '');
        entered.open();
        await hold.promise;
      } });
      await entered.promise;
      await s.guaranteedUpdate(key('a'), (cur) => ({ ...cur!, data: { v: 2 } }));
      hold.open();
      assert.deepEqual(await del, withRV(obj('a', { v: 2 }), b + 3));
      assert.deepEqual(seen, [String(b + 1), String(b + 2)]);
    }));

    it('preconditions: a mismatch is PreconditionFailed and deletes nothing', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a'));
      await expectStorageError(() => s.delete(key('a'), { preconditions: { uid: 'uid-b' } }), 'PreconditionFailed');
      await expectStorageError(() => s.delete(key('a'), { preconditions: { resourceVersion: String(b + 2) } }), 'PreconditionFailed');
      assert.equal(await s.currentRevision(), b + 1);
      const out = await s.delete(key('a'), { preconditions: { uid: 'uid-a', resourceVersion: String(b + 1) } });
      assert.deepEqual(out, withRV(obj('a'), b + 2));
    }));
  });

}

function registerCountCases(make: MakeStore): void {
  describe('count', () => {
    it('counts the live objects under a prefix only', () => withStore(make, 1000, async (s) => {
      for (const n of ['a', 'b', 'c']) await s.create(key(n), obj(n));
      await s.create(`${P.slice(0, -1)}x/d`, obj('d'));
      await s.delete(key('b'));
      assert.equal(await s.count(P), 2);
      assert.equal(await s.count(`${P.slice(0, -1)}x/`), 1);
      assert.equal(await s.count('/conformance.example.com/none/'), 0);
    }));
  });
}
