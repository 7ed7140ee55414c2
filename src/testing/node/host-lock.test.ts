import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../processes.ts';
import { acquireNodeHostLock } from './host-lock.ts';

test('the node host lock: a second cluster waits (saying so) until the first releases; a timeout is one sentence', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'extapi-lock-test-'));
  const lockFile = join(dir, 'node.lock');
  try {
    const first = await acquireNodeHostLock({ lockFile });
    const said: string[] = [];
    let secondHeld = false;
    const second = acquireNodeHostLock({ lockFile, log: (m) => said.push(m) }).then((l) => { secondHeld = true; return l; });
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(secondHeld, false, 'the second acquisition must wait while the first holds the lock');
    assert.match(said.join('\n'), /waiting for another node cluster to finish \(host-wide lock .*node\.lock\)/);
    await assert.rejects(acquireNodeHostLock({ lockFile, timeoutMs: 1000 }), /another node cluster held .*node\.lock for more than 1 s; stop it/);
    await first.release();
    assert.equal(isAlive(first.pid), false, 'released: the holder is gone and reaped');
    const held = await second;
    assert.equal(secondHeld, true);
    await held.release();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the node host lock lets go by itself when its cluster directory disappears', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'extapi-lock-test-'));
  const clusterDir = await mkdtemp(join(tmpdir(), 'extapi-lock-cluster-'));
  const lockFile = join(dir, 'node.lock');
  try {
    const lock = await acquireNodeHostLock({ lockFile, dir: clusterDir });
    await rm(clusterDir, { recursive: true });
    const again = await acquireNodeHostLock({ lockFile, timeoutMs: 10_000 });
    await again.release();
    await lock.release(); // a no-op: the holder is gone
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
