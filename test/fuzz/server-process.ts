/**
 * The server under test as a real process: the wardle sample, standalone (development CA and
 * client certificate), on a free loopback port, with the chosen storage. Reports its RSS and
 * open descriptors from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPorts } from '../../src/testing/ports.ts';
import type { Credentials } from './transport.ts';
import { http1Transport } from './transport.ts';

/** A running server process. */
export interface ServerProcess {
  url: string;
  pid: number;
  creds: Credentials;
  /** Resident memory, bytes. */
  rss(): Promise<number>;
  /** Open file descriptors. */
  descriptors(): Promise<number>;
  /** Memory after a full garbage collection in the server (see memory-probe.ts). */
  memoryAfterGc(): Promise<MemoryAfterGc>;
  /** Lines the process logged (stderr and stdout). */
  output(): string;
  stop(): Promise<void>;
}

/** The server's memory after GC, bytes (process.memoryUsage()). */
export interface MemoryAfterGc {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** Storage of the server under test. */
export type Backend = { kind: 'memory' } | { kind: 'embedded' } | { kind: 'etcd'; servers: string };

/**
 * Starts the wardle server with `backend` and `flags` (e.g. shortened timeouts) and waits for
 * /readyz. FUZZ_SERVER_NODE_ARGS adds Node options to the server process (e.g. `--cpu-prof`).
 */
export async function startServerProcess(backend: Backend, flags: string[] = []): Promise<ServerProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'extapi-fuzz-'));
  const [port] = await freeLoopbackPorts(1);
  const storage = backend.kind === 'etcd' ? ['--storage', 'etcd', '--etcd-servers', backend.servers, '--etcd-prefix', `/fuzz-${port}`] : ['--storage', backend.kind, '--data-dir', join(dir, 'data')];
  const child: ChildProcess = spawn(process.execPath, [...(process.env.FUZZ_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--expose-gc', '--import', 'tsx', '--import', './test/fuzz/memory-probe.ts', 'examples/wardle/main.ts', '--standalone', '--dev-dir', dir,
    '--secure-port', String(port), '--bind-address', '127.0.0.1', ...storage, ...flags], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: '' } });
  let output = '';
  const log = process.env.FUZZ_SERVER_LOG;
  child.stdout!.on('data', (d) => { output += d; if (log) appendFileSync(log, d); });
  child.stderr!.on('data', (d) => { output += d; if (log) appendFileSync(log, d); });
  const url = `https://127.0.0.1:${port}`;
  // Generous: on a loaded 2-core machine tsx takes minutes to compile and start the server.
  const deadline = Date.now() + 300_000;
  let creds: Credentials | undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      creds ??= { ca: await readFile(join(dir, 'ca.crt'), 'utf8'), cert: await readFile(join(dir, 'client.crt'), 'utf8'), key: await readFile(join(dir, 'client.key'), 'utf8') };
      const probe = http1Transport(url, creds, 1);
      const outcome = await probe.send({ method: 'GET', path: '/readyz', headers: {} });
      probe.close();
      if ('status' in outcome && outcome.status === 200) break;
    } catch { creds = undefined; }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!creds) { child.kill('SIGKILL'); throw new Error(`server not ready in 300 s:\n${output}`); }
  const pid = child.pid!;
  let stopping = false;
  child.once('exit', (code, signal) => { if (!stopping) console.error(`server process exited unexpectedly (${code ?? signal}):\n${output.slice(-4000)}`); });
  return {
    url, pid, creds,
    rss: async () => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ""))?.[1] ?? 0) * 1024,
    descriptors: async () => (await readdir(`/proc/${pid}/fd`).catch(() => [])).length,
    output: () => output,
    memoryAfterGc: async () => {
      const mark = output.length;
      child.kill('SIGUSR2');
      const deadline = Date.now() + 30_000;
      for (;;) {
        const line = /memory-probe (\{.*\})\n/.exec(output.slice(mark));
        if (line) return JSON.parse(line[1]) as MemoryAfterGc;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error('the server did not report its memory within 30 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async () => {
      stopping = true;
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
