import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openedOnFirstNext } from './cache-watcher.ts';

/** The iterable that opens a cache watch on its first next() (resource-cache.ts). */

function countingIterator(values: number[]): AsyncIterator<number, undefined> & { returned: number } {
  let i = 0;
  return {
    returned: 0,
    next: async () => (i < values.length ? { value: values[i++], done: false } : { value: undefined, done: true }),
    async return() {
      this.returned++;
      return { value: undefined, done: true };
    },
  };
}

describe('openedOnFirstNext', () => {
  it('opens nothing until the first next(), then iterates what open() gave', async () => {
    let opened = 0;
    const iterable = openedOnFirstNext(async () => {
      opened++;
      return countingIterator([1, 2]);
    });
    const it = iterable[Symbol.asyncIterator]();
    assert.equal(opened, 0);
    const got: number[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) got.push(r.value);
    assert.deepEqual([got, opened], [[1, 2], 1]);
  });

  it('ends at once when open() gives nothing', async () => {
    const it = openedOnFirstNext<number>(async () => undefined)[Symbol.asyncIterator]();
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  });

  it('a return() while opening ends the iterator open() gives afterwards', async () => {
    const inner = countingIterator([1]);
    let release = (): void => undefined;
    const it = openedOnFirstNext(() => new Promise<typeof inner>((resolve) => { release = () => resolve(inner); }))[Symbol.asyncIterator]();
    const pending = it.next();
    await it.return!();
    release();
    assert.deepEqual(await pending, { value: undefined, done: true });
    assert.equal(inner.returned, 1);
  });

  it('a return() after opening ends the inner iterator', async () => {
    const inner = countingIterator([1, 2]);
    const it = openedOnFirstNext(async () => inner)[Symbol.asyncIterator]();
    assert.equal((await it.next()).value, 1);
    await it.return!();
    assert.equal(inner.returned, 1);
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  });
});
