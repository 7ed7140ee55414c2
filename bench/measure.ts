/**
 * Measurements other than load: resident memory of a server process, and the time from process
 * start to the first `/readyz` 200 (our wardle run by tsx, as `npm start` does, and as the
 * pre-built bundle the Dockerfile runs).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../src/testing/binaries.ts';
import { startTarget, type BenchEnv, type TsVariant } from './env.ts';

/** Resident set size and its peak (VmRSS, VmHWM) of a process, in MiB. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

/** Builds examples/wardle into one ES module (as the Dockerfile does) and returns the node arguments that run it. */
export async function buildBundle(dir: string): Promise<string[]> {
  const out = join(dir, 'bundle');
  await mkdir(join(out, 'dist'), { recursive: true });
  await symlink(join(REPO_ROOT, 'node_modules'), join(out, 'node_modules')).catch(() => undefined);
  execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'esbuild'), [join(REPO_ROOT, 'examples', 'wardle', 'main.ts'), '--bundle', '--platform=node',
    '--format=esm', '--target=node20', '--packages=external', '--log-level=warning', `--outfile=${join(out, 'dist', 'wardle.mjs')}`]);
  return [join(out, 'dist', 'wardle.mjs')];
}

/** Startup times (ms) of each way of running, `times` starts each. */
export async function startupTimes(env: BenchEnv, tsVariant: TsVariant, times: number): Promise<Record<string, number[]>> {
  const bundle = await buildBundle(env.dir);
  const kinds: Array<[string, () => ReturnType<typeof startTarget>]> = [];
  const out: Record<string, number[]> = { go: [], 'ts (tsx)': [], 'ts (bundle)': [] };
  for (let i = 0; i < times; i++) {
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
