import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../apimachinery/types.ts';
import type { MakeStore } from './conformance-helpers.ts';
import { P, expectStorageError, key, names, obj, plainList, withRV, withStore } from './conformance-helpers.ts';

const token = (o: unknown): string => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');
const pad = (i: number): string => `item-${String(i).padStart(2, '0')}`;

/** Registers the list cases of the conformance suite. */
export function registerListCases(make: MakeStore): void {
  registerListBasicCases(make);
  registerListRevisionCases(make);
  registerPagingCases(make);
  registerContinueErrorCases(make);
}

function registerListBasicCases(make: MakeStore): void {
  describe('list', () => {
    it('orders items by key, each with the revision of its last write, at the newest revision', () => withStore(make, 1000, async (s, b) => {
      for (const n of ['c', 'a', 'b']) await s.create(key(n), obj(n));
      await s.guaranteedUpdate(key('a'), (cur) => ({ ...cur!, data: { v: 2 } }));
      const res = plainList(await s.list(P));
      assert.deepEqual(res, {
        items: [withRV(obj('a', { v: 2 }), b + 4), withRV(obj('b'), b + 3), withRV(obj('c'), b + 1)],
        resourceVersion: b + 4,
      });
    }));

    it('a prefix matches only keys under it', () => withStore(make, 1000, async (s) => {
      for (const k of ['/a/b/x', '/a/bc/y', '/a/b/z/w', '/a/b', '/a/ba', '/a/b0']) await s.create(k, obj(k));
      assert.deepEqual(names((await s.list('/a/b/')).items), ['/a/b/x', '/a/b/z/w']);
      assert.deepEqual(names((await s.list('/a/bc/')).items), ['/a/bc/y']);
      assert.equal(await s.count('/a/b/'), 2);
    }));

    it('returns copies', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a', { v: 1 }));
      const res = await s.list(P);
      res.items[0].data = { v: 'mutated' };
      assert.deepEqual((await s.list(P)).items, [withRV(obj('a', { v: 1 }), b + 1)]);
    }));

  });
}

function registerListRevisionCases(make: MakeStore): void {
  describe('list at a revision', () => {
    it('Exact reads the state as of a past revision, including objects deleted since', () => withStore(make, 1000, async (s, b) => {
      await s.create(key('a'), obj('a', { v: 1 }));
      await s.create(key('b'), obj('b'));
      await s.guaranteedUpdate(key('a'), (cur) => ({ ...cur!, data: { v: 2 } }));
      await s.delete(key('b'));
      await s.create(key('c'), obj('c'));
      const at = async (rev: number) => s.list(P, { resourceVersion: rev, match: 'Exact' });
      assert.deepEqual(await at(b), { items: [], resourceVersion: b });
      assert.deepEqual(await at(b + 2), { items: [withRV(obj('a', { v: 1 }), b + 1), withRV(obj('b'), b + 2)], resourceVersion: b + 2 });
      assert.deepEqual(await at(b + 3), { items: [withRV(obj('a', { v: 2 }), b + 3), withRV(obj('b'), b + 2)], resourceVersion: b + 3 });
      assert.deepEqual(await at(b + 4), { items: [withRV(obj('a', { v: 2 }), b + 3)], resourceVersion: b + 4 });
      assert.deepEqual(await at(b + 5), { items: [withRV(obj('a', { v: 2 }), b + 3), withRV(obj('c'), b + 5)], resourceVersion: b + 5 });
    }));

    it('NotOlderThan (or no match) reads the newest revision; a future revision is TooLarge', () => withStore(make, 1000, async (s, b) => {
      for (const n of ['a', 'b', 'c']) await s.create(key(n), obj(n));
      assert.equal((await s.list(P, { resourceVersion: b + 1, match: 'NotOlderThan' })).resourceVersion, b + 3);
      assert.equal((await s.list(P, { resourceVersion: b + 1 })).resourceVersion, b + 3);
      assert.equal((await s.list(P, { resourceVersion: b + 3 })).items.length, 3);
      await expectStorageError(() => s.list(P, { resourceVersion: b + 4, match: 'NotOlderThan' }), 'ResourceVersionTooLarge');
      await expectStorageError(() => s.list(P, { resourceVersion: b + 4 }), 'ResourceVersionTooLarge');
      await expectStorageError(() => s.list(P, { resourceVersion: b + 4, match: 'Exact' }), 'ResourceVersionTooLarge');
    }));

    it('revisions older than the history window are TooOld; the window stays readable', () => withStore(make, 4, async (s, b) => {
      await s.create(key('a'), obj('a', { n: 0 }));
      for (let i = 1; i <= 9; i++) await s.guaranteedUpdate(key('a'), (cur) => ({ ...cur!, data: { n: i } }));
      const err = await expectStorageError(() => s.list(P, { resourceVersion: b + 1, match: 'Exact' }), 'ResourceVersionTooOld');
      assert.equal(typeof err.oldestRevision, 'number');
      assert.ok(err.oldestRevision! > b + 1 && err.oldestRevision! <= b + 7, `oldestRevision ${err.oldestRevision}`);
      for (let rev = b + 7; rev <= b + 10; rev++) {
        const res = await s.list(P, { resourceVersion: rev, match: 'Exact' });
        assert.deepEqual(res, { items: [withRV(obj('a', { n: rev - b - 1 }), rev)], resourceVersion: rev });
      }
    }));
  });
}

function registerPagingCases(make: MakeStore): void {
  describe('list paging', () => {
    it('limit and continue page through at the first page\'s revision even when writes happen between pages', () => withStore(make, 1000, async (s, b) => {
      for (let i = 0; i < 10; i++) await s.create(key(pad(i)), obj(pad(i), { i }));
      const p1 = await s.list(P, { limit: 3 });
      assert.deepEqual(names(p1.items), [pad(0), pad(1), pad(2)]);
      assert.equal(p1.resourceVersion, b + 10);
      assert.equal(p1.remainingItemCount, 7);
      assert.equal(typeof p1.continue, 'string');
      await s.delete(key(pad(5)));
      await s.guaranteedUpdate(key(pad(4)), (cur) => ({ ...cur!, data: { i: 'changed' } }));
      await s.create(key(`${pad(3)}a`), obj(`${pad(3)}a`));
      await s.create(key(pad(10)), obj(pad(10)));
      const p2 = await s.list(P, { limit: 3, continue: p1.continue });
      assert.deepEqual(p2.items, [3, 4, 5].map((i) => withRV(obj(pad(i), { i }), b + 1 + i)));
      assert.equal(p2.resourceVersion, b + 10);
      assert.equal(p2.remainingItemCount, 4);
      const p3 = await s.list(P, { limit: 3, continue: p2.continue });
      assert.deepEqual(names(p3.items), [pad(6), pad(7), pad(8)]);
      assert.equal(p3.remainingItemCount, 1);
      const p4 = await s.list(P, { limit: 3, continue: p3.continue });
      assert.deepEqual(p4, { items: [withRV(obj(pad(9), { i: 9 }), b + 10)], resourceVersion: b + 10 });
      assert.deepEqual(names((await s.list(P)).items), [0, 1, 2, 3, '3a', 4, 6, 7, 8, 9, 10].map((i) => (typeof i === 'number' ? pad(i) : `${pad(3)}a`)));
    }));

    it('a limit at or above the number of objects returns all without continue or remainingItemCount', () => withStore(make, 1000, async (s, b) => {
      for (let i = 0; i < 3; i++) await s.create(key(pad(i)), obj(pad(i)));
      const all = [0, 1, 2].map((i) => withRV(obj(pad(i)), b + 1 + i));
      assert.deepEqual(plainList(await s.list(P, { limit: 3 })), { items: all, resourceVersion: b + 3 });
      assert.deepEqual(plainList(await s.list(P, { limit: 50 })), { items: all, resourceVersion: b + 3 });
    }));

    it('a predicate with a limit keeps reading until limit matches or the end', () => withStore(make, 1000, async (s, b) => {
      for (let i = 0; i < 10; i++) await s.create(key(pad(i)), obj(pad(i), { i }));
      const predicate = (o: KubeObject): boolean => (o.data as { i: number }).i % 3 === 0;
      const p1 = await s.list(P, { limit: 2, predicate });
      assert.deepEqual(names(p1.items), [pad(0), pad(3)]);
      assert.equal(p1.remainingItemCount, undefined);
      assert.equal(typeof p1.continue, 'string');
      const p2 = await s.list(P, { limit: 2, predicate, continue: p1.continue });
      assert.deepEqual(p2, { items: [withRV(obj(pad(6), { i: 6 }), b + 7), withRV(obj(pad(9), { i: 9 }), b + 10)], resourceVersion: b + 10 });
      assert.deepEqual(names((await s.list(P, { predicate })).items), [pad(0), pad(3), pad(6), pad(9)]);
    }));
  });
}

function registerContinueErrorCases(make: MakeStore): void {
  describe('list continue errors', () => {
    it('a malformed continue token is InvalidContinue', () => withStore(make, 1000, async (s) => {
      await s.create(key('a'), obj('a'));
      const bad = [
        'not a token!', token('not json'), token({ v: 'meta.k8s.io/v2', rv: 1, start: 'a' }), token({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }),
        token({ v: 'meta.k8s.io/v1', rv: 1, start: '' }), token({ v: 'meta.k8s.io/v1', rv: 1, start: '../x' }),
        token({ v: 'meta.k8s.io/v1', rv: 1, start: 'a/../../b' }), token({ v: 'meta.k8s.io/v1', rv: 'x', start: 'a' }), token([1]),
      ];
      for (const c of bad) await expectStorageError(() => s.list(P, { continue: c, limit: 1 }), 'InvalidContinue');
    }));

    it('a continue token whose revision was compacted is TooOld with a token that restarts at the newest revision', () => withStore(make, 4, async (s, b) => {
      for (const n of ['a', 'b', 'c']) await s.create(key(n), obj(n));
      const p1 = await s.list(P, { limit: 1 });
      assert.deepEqual(names(p1.items), ['a']);
      for (let i = 0; i < 10; i++) await s.guaranteedUpdate('/conformance.example.com/other/x', () => obj('x', { i }), { ignoreNotFound: true });
      await s.guaranteedUpdate(key('c'), (cur) => ({ ...cur!, data: { v: 2 } }));
      const err = await expectStorageError(() => s.list(P, { limit: 1, continue: p1.continue }), 'ResourceVersionTooOld');
      assert.equal(typeof err.inconsistentContinue, 'string');
      const r1 = await s.list(P, { limit: 1, continue: err.inconsistentContinue });
      assert.deepEqual(r1.items, [withRV(obj('b'), b + 2)]);
      assert.equal(r1.resourceVersion, b + 14);
      assert.equal(r1.remainingItemCount, 1);
      const r2 = await s.list(P, { limit: 1, continue: r1.continue });
      assert.deepEqual(r2, { items: [withRV(obj('c', { v: 2 }), b + 14)], resourceVersion: b + 14 });
    }));
  });
}
