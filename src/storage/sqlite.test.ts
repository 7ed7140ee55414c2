import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { KubeObject, WatchEvent } from '../apimachinery/types.ts';
import { runStorageConformance } from './conformance.ts';
import { isStorageError } from './interface.ts';
import { createSqliteStorage } from './sqlite.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'extapi-sqlite-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `store-${n++}.db`);

runStorageConformance('sqlite', async (opts) => createSqliteStorage({ path: freshPath(), ...opts }));

const item = (name: string, data: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Item', metadata: { name }, data });
const rv = (o: KubeObject, rev: number): KubeObject => ({ ...o, metadata: { ...o.metadata, resourceVersion: String(rev) } });

describe('sqlite persistence', () => {
  it('reopening a file keeps objects and history and continues the revision counter', async () => {
    const path = freshPath();
    const s1 = createSqliteStorage({ path, historyRevisions: 100 });
    await s1.create('/p/a', item('a', { v: 1 }));
    await s1.create('/p/b', item('b', { v: 1 }));
    await s1.guaranteedUpdate('/p/a', (cur) => ({ ...cur!, data: { v: 2 } }));
    await s1.delete('/p/b');
    await s1.close();

    const s2 = createSqliteStorage({ path, historyRevisions: 100 });
    try {
      assert.equal(await s2.currentRevision(), 4);
      assert.deepEqual(await s2.get('/p/a'), rv(item('a', { v: 2 }), 3));
      await assert.rejects(s2.get('/p/b'), (e) => isStorageError(e, 'KeyNotFound'));
      assert.deepEqual((await s2.list('/p/', { resourceVersion: 2, match: 'Exact' })).items,
        [rv(item('a', { v: 1 }), 1), rv(item('b', { v: 1 }), 2)]);
      const ctl = new AbortController();
      const events: string[] = [];
      for await (const ev of s2.watch('/p/', { fromRevision: 1, signal: ctl.signal }) as AsyncIterable<WatchEvent>) {
        events.push(`${ev.type} ${ev.object.metadata.name} ${ev.object.metadata.resourceVersion}`);
        if (events.length === 3) break;
      }
      assert.deepEqual(events, ['ADDED b 2', 'MODIFIED a 3', 'DELETED b 4']);
      assert.deepEqual(await s2.create('/p/c', item('c', {})), rv(item('c', {}), 5));
    } finally {
      await s2.close();
    }
  });

  it('compaction removes versions older than the window from the file, and survives reopen', async () => {
    const path = freshPath();
    const s1 = createSqliteStorage({ path, historyRevisions: 10 });
    await s1.create('/p/a', item('a', { i: 0 }));
    for (let i = 1; i < 200; i++) await s1.guaranteedUpdate('/p/a', (cur) => ({ ...cur!, data: { i } }));
    await s1.create('/p/gone', item('gone', {}));
    await s1.delete('/p/gone');
    for (let i = 0; i < 20; i++) await s1.guaranteedUpdate('/p/a', (cur) => ({ ...cur!, data: { i: 1000 + i } }));
    await s1.close();

    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT key, mod_rev, deleted FROM kv ORDER BY mod_rev').all() as { key: string; mod_rev: number }[];
    const meta = Object.fromEntries((db.prepare('SELECT name, value FROM meta').all() as { name: string; value: number }[]).map((r) => [r.name, r.value]));
    db.close();
    assert.deepEqual(rows.map((r) => r.key), Array(11).fill('/p/a'), 'only the window (+ the version at its start) is kept');
    assert.deepEqual(rows.map((r) => r.mod_rev), Array.from({ length: 11 }, (_, i) => 212 + i));
    assert.deepEqual(meta, { compacted: 212, revision: 222 });

    const s2 = createSqliteStorage({ path, historyRevisions: 10 });
    try {
      assert.equal(await s2.currentRevision(), 222);
      await assert.rejects(s2.list('/p/', { resourceVersion: 211, match: 'Exact' }), (e) => isStorageError(e, 'ResourceVersionTooOld'));
      assert.deepEqual((await s2.list('/p/', { resourceVersion: 212, match: 'Exact' })).items, [rv(item('a', { i: 1009 }), 212)]);
    } finally {
      await s2.close();
    }
  });

});

describe('sqlite durability and locking', () => {
  it('a second open of a file in use is refused with Unavailable', async () => {
    const path = freshPath();
    const s1 = createSqliteStorage({ path });
    try {
      await s1.create('/p/a', item('a', {}));
      assert.throws(() => createSqliteStorage({ path }), (e) => isStorageError(e, 'Unavailable'));
      assert.equal((await s1.get('/p/a')).metadata.name, 'a');
    } finally {
      await s1.close();
    }
  });

  it('kill -9 of a writing process loses no acknowledged write', async () => {
    const path = freshPath();
    const acked = await runAndKill(path, 300);
    assert.ok(acked + 1 >= 300, `child acknowledged ${acked + 1} iterations`);
    const s = createSqliteStorage({ path });
    try {
      for (let i = 0; i <= acked; i++) assert.deepEqual((await s.get(`/crash/items/${i}`)).data, { i });
      const counter = (await s.get('/crash/counter')).data as { i: number };
      assert.ok(counter.i >= acked, `counter ${counter.i} >= last ack ${acked}`);
      const rev = await s.currentRevision();
      assert.ok(rev >= 2 * (acked + 1), `revision ${rev}`);
      assert.equal((await s.create('/crash/after', item('after', {}))).metadata.resourceVersion, String(rev + 1));
    } finally {
      await s.close();
    }
  });
});

/** Runs sqlite-crash-child.ts on `path`, SIGKILLs it after `minAcks` acks; returns the last acked index. */
async function runAndKill(path: string, minAcks: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'sqlite-crash-child.ts'), path],
    { cwd: join(here, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  let last = -1;
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^ack (\d+)$/.exec(line);
      if (m) last = Number(m[1]);
    }
    if (last + 1 >= minAcks && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  assert.equal(signal, 'SIGKILL', `child exited by itself with code ${code}`);
  return last;
}
