import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, removeDir, spawnManaged, stopGroupByPid } from './processes.ts';
import { freeLoopbackPorts } from './ports.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (cond()) return true; await sleep(100); }
  return cond();
}

test('spawnManaged logs output, reports exit and stops the whole group', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'extapi-proc-'));
  t.after(() => removeDir(dir));
  const p = spawnManaged('sh', 'sh', ['-c', 'echo hello; sleep 30 & sleep 30'], { logPath: join(dir, 'log') });
  await waitUntil(() => p.logTail().includes('hello'), 3000);
  assert.match(p.logTail(), /hello/);
  assert.equal(isAlive(-p.pid), true);
  await p.stop(2000);
  assert.equal(p.hasExited(), true);
  assert.equal(await waitUntil(() => !isAlive(-p.pid), 2000), true, 'background sleep in the group survived');
});

test('stopGroupByPid stops a group this process did not keep a handle to', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'extapi-proc-'));
  t.after(() => removeDir(dir));
  const p = spawnManaged('sleep', 'sleep', ['30'], { logPath: join(dir, 'log'), detached: true });
  await stopGroupByPid(p.pid, 2000);
  assert.equal(await p.exited, 'SIGTERM');
});

test('the watchdog kills the children and removes the run dir when the parent is SIGKILLed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'extapi-proc-'));
  const runDir = join(dir, 'run');
  mkdirSync(runDir);
  t.after(() => removeDir(dir));
  const script = join(dir, 'parent.mts');
  const mod = fileURLToPath(new URL('./processes.ts', import.meta.url));
  writeFileSync(script, `import { spawnManaged } from ${JSON.stringify(mod)};
const p = spawnManaged('sleep', 'sleep', ['60'], { logPath: ${JSON.stringify(join(dir, 'log'))}, cleanupDir: ${JSON.stringify(runDir)} });
console.log(p.pid); setInterval(() => {}, 1000);\n`);
  const parent = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  parent.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  assert.ok(await waitUntil(() => /\d+\n/.test(out), 15_000), 'parent did not start its child');
  const childPid = Number(out.trim());
  assert.equal(isAlive(childPid), true);
  parent.kill('SIGKILL');
  assert.equal(await waitUntil(() => !isAlive(childPid), 8000), true, 'child outlived its SIGKILLed parent');
  assert.equal(await waitUntil(() => !existsSync(runDir), 3000), true, 'run dir not removed');
});

test('freeLoopbackPorts returns distinct bindable ports', async () => {
  const ports = await freeLoopbackPorts(5);
  assert.equal(new Set(ports).size, 5);
  for (const p of ports) assert.ok(p > 0 && p < 65536);
});
