import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedRevisionRead } from './shared-revision-read.ts';

/** A read whose answers the test releases one by one; `started` counts the reads begun. */
function controlledReads() {
  const pending: Array<{ resolve: (rev: number) => void; reject: (err: Error) => void }> = [];
  const reads = { started: 0, pending };
  const read = () => new Promise<number>((resolve, reject) => {
    reads.started++;
    pending.push({ resolve, reject });
  });
  return { reads, read };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('SharedRevisionRead', () => {
  it('callers arriving during a read share the next read, which starts after theirs arrived', async () => {
    const { reads, read } = controlledReads();
    const shared = new SharedRevisionRead(read);
    const first = shared.current();
    assert.equal(reads.started, 1);
    const second = shared.current();
    const third = shared.current();
    assert.equal(reads.started, 1, 'no read starts while one is in flight');
    reads.pending[0].resolve(10);
    assert.equal(await first, 10);
    await tick();
    assert.equal(reads.started, 2, 'the waiting callers get a read begun after they asked');
    reads.pending[1].resolve(12);
    assert.equal(await second, 12);
    assert.equal(await third, 12);
    const fourth = shared.current();
    assert.equal(reads.started, 3, 'with nothing in flight a caller starts its own read');
    reads.pending[2].resolve(13);
    assert.equal(await fourth, 13);
  });

  it('a failed read fails only its own callers; the next callers read again', async () => {
    const { reads, read } = controlledReads();
    const shared = new SharedRevisionRead(read);
    const first = shared.current();
    const joined = shared.current();
    reads.pending[0].reject(new Error('etcd down'));
    await assert.rejects(first, /etcd down/);
    await tick();
    reads.pending[1].resolve(5);
    assert.equal(await joined, 5, 'a caller waiting behind a failed read still gets a fresh read');
    const later = shared.current();
    reads.pending[2].resolve(6);
    assert.equal(await later, 6);
  });
});
