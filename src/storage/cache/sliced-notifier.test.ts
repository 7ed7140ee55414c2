import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlicedNotifier } from './sliced-notifier.ts';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** `n` watchers recording into `log` the index of each one notified. */
function watchers(n: number, log: number[]): { notify(): void }[] {
  return Array.from({ length: n }, (_, i) => ({ notify: () => log.push(i) }));
}

async function settled(log: number[], until: number): Promise<void> {
  for (let turns = 0; log.length < until; turns++) {
    assert.ok(turns < 1000, `only ${log.length} of ${until} notifications arrived`);
    await turn();
  }
}

describe('SlicedNotifier', () => {
  it('notifies one slice per turn of the event loop, each watcher once, in order', async () => {
    const log: number[] = [];
    const notifier = new SlicedNotifier(() => watchers(200, log), 64);
    notifier.notifyAll();
    assert.equal(log.length, 64, 'the first slice at once, the rest later');
    await turn();
    assert.equal(log.length, 128);
    await settled(log, 200);
    await turn();
    assert.deepEqual(log, Array.from({ length: 200 }, (_, i) => i));
  });

  it('a notification during a pass makes one more pass follow it, for everyone', async () => {
    const log: number[] = [];
    const notifier = new SlicedNotifier(() => watchers(150, log), 64);
    notifier.notifyAll();
    await turn();
    notifier.notifyAll();
    notifier.notifyAll();
    await settled(log, 300);
    await turn();
    await turn();
    const firstPass = Array.from({ length: 150 }, (_, i) => i);
    assert.deepEqual(log, [...firstPass, ...firstPass], 'two passes, the second after the first');
  });

  it('a watcher that notifies again from inside notify() does not start a pass within the pass', async () => {
    const log: number[] = [];
    let reentered = false;
    const list = [{ notify: () => { log.push(0); if (!reentered) { reentered = true; notifier.notifyAll(); } } }, { notify: () => log.push(1) }];
    const notifier = new SlicedNotifier(() => list, 64);
    notifier.notifyAll();
    assert.deepEqual(log, [0, 1, 0, 1]);
  });

  it('a small set is notified at once', () => {
    const log: number[] = [];
    new SlicedNotifier(() => watchers(10, log)).notifyAll();
    assert.equal(log.length, 10);
  });
});
