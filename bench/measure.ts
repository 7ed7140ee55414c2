/**
 * Measurements other than load: resident memory of a server process, and the time from process
 * start to the first `/readyz` 200 (our wardle run by tsx, as `npm start` does, and as the
 * pre-built bundle the Dockerfile runs), and of Node itself running nothing (the floor of any Node server).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../src/testing/binaries.ts';
import { SERVER_CPU, startTarget, type BenchEnv, type TsVariant } from './env.ts';

/** Resident set size and its peak (VmRSS, VmHWM) of a process, in MiB. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

/**
 * The dependencies the server loads at start whose loading weighs on it (schemas, CEL, YAML,
 * SQLite; the etcd client is our own, over node:http2). `@kubernetes/client-node` is not among them: the server reads
 * kubeconfigs itself and imports it only for `exec`/`auth-provider` users (src/kube/kubeconfig.ts).
 */
export const HEAVY_MODULES = ['ajv', '@marcbachmann/cel-js', 'yaml', 'better-sqlite3'];

/** Milliseconds to import each of `modules` into a fresh Node on the server's core, `times` imports each (module → times). */
export function moduleLoadTimes(modules: string[], times: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (let i = 0; i < times; i++) {
    for (const m of modules) {
      const script = `const t = performance.now(); await import(${JSON.stringify(m)}); console.log(performance.now() - t);`;
      const ms = Number(execFileSync('taskset', ['-c', SERVER_CPU, process.execPath, '--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' }).trim());
      (out[m] ??= []).push(ms);
    }
  }
  return out;
}

/** Startup times (ms) of each way of running, `times` starts each. */
export async function startupTimes(env: BenchEnv, tsVariant: TsVariant, times: number): Promise<Record<string, number[]>> {
  const { bundle } = env;
  const kinds: Array<[string, () => ReturnType<typeof startTarget>]> = [];
  const out: Record<string, number[]> = { go: [], 'ts (tsx)': [], 'ts (bundle)': [], 'node (no code)': [] };
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    execFileSync('taskset', ['-c', SERVER_CPU, process.execPath, '-e', '0']);
    out['node (no code)'].push(performance.now() - t0);
    kinds.length = 0;
    kinds.push(['go', () => startTarget(env, 'go', `-start${i}`)]);
    kinds.push(['ts (tsx)', () => startTarget(env, tsVariant, `-start${i}`)]);
    kinds.push(['ts (bundle)', () => startTarget(env, tsVariant, `-bundle${i}`, { entry: bundle })]);
    for (const [name, start] of kinds) {
      const server = await start();
      out[name].push(server.readyMs);
      await server.stop();
    }
  }
  return out;
}
