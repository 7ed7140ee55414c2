/**
 * Where our server's time goes: one extra run of the TypeScript server under `node --cpu-prof`
 * (get, list of 1,000, create, update, a few seconds each), then the profile's self time grouped
 * by area (our src/ folders, dependencies, Node internals, V8 builtins, GC) and by function.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../src/testing/binaries.ts';
import { startTarget, type BenchEnv, type TsVariant } from './env.ts';
import { measure, seed, type Op } from './ops.ts';

/** One line of the summary. */
export interface ProfileLine {
  name: string;
  percent: number;
}

/** The summary of a CPU profile (percentages of non-idle samples). */
export interface ProfileSummary {
  variant: TsVariant;
  ops: Op[];
  seconds: number;
  /** Start-up left out of the summary (ms from process start to ready). */
  skippedMs: number;
  areas: ProfileLine[];
  functions: ProfileLine[];
}

interface CpuNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }

/** The parts of a .cpuprofile used here. */
export interface CpuProfile { nodes: CpuNode[]; samples: number[]; timeDeltas: number[] }

/** Groups a script URL into an area. */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : 'V8 builtins (JSON, RegExp, ...)';
  const path = url.replace(/^file:\/\//, '');
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (dep) return `dependency: ${dep[1]}`;
  if (path.startsWith('node:')) return `node: ${path.slice(5).split('/').slice(0, 2).join('/')}`;
  if (path.startsWith(REPO_ROOT)) return relative(REPO_ROOT, path).split('/').slice(0, 2).join('/');
  return path;
}

/** Samples per node id, leaving out the first `skipMs` of the profile (start-up and module loading). */
function hitsAfter(profile: CpuProfile, skipMs: number): Map<number, number> {
  const hits = new Map<number, number>();
  let t = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t / 1000 >= skipMs) hits.set(id, (hits.get(id) ?? 0) + 1);
  });
  return hits;
}

/** Summarises a .cpuprofile, leaving out its first `skipMs` milliseconds. */
export function summarize(profile: CpuProfile, skipMs = 0, top = 15): { areas: ProfileLine[]; functions: ProfileLine[] } {
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  const byNode = hitsAfter(profile, skipMs);
  let total = 0;
  for (const n of profile.nodes) {
    const hits = byNode.get(n.id) ?? 0;
    const { functionName, url, lineNumber } = n.callFrame;
    if (!hits || functionName === '(idle)') continue;
    total += hits;
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + hits);
    const where = url ? `${url.startsWith('file://') ? relative(REPO_ROOT, url.slice(7)) : url}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${where ? ` (${where})` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + hits);
  }
  const lines = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, hits]) => ({ name, percent: (100 * hits) / total }));
  return { areas: lines(areas), functions: lines(fns) };
}

/** Runs the profiled server, drives `ops`, stops it (the profile is written at exit) and summarises; `out` keeps the raw profile. */
export async function profileRun(env: BenchEnv, variant: TsVariant, timing: { durationMs: number; warmupMs: number }, log: (m: string) => void, out?: string,
  ops: Op[] = ['get', 'list-1000', 'create', 'update']): Promise<ProfileSummary> {
  const tag = ops.length === 1 ? `-${ops[0]}` : '';
  const dir = join(env.dir, `cpu-prof${tag}`);
  const server = await startTarget(env, variant, `-prof${tag}`, { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
  const ep = { base: server.url, ca: server.ca.certPem, ...env.admin };
  try {
    await seed(ep, log, ops.filter((op) => op.startsWith('list-')));
    for (const op of ops) await measure(op, ep, timing);
  } finally {
    await server.stop();
  }
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  if (!files.length) throw new Error(`no .cpuprofile written in ${dir}`);
  const raw = await readFile(join(dir, files[0]), 'utf8');
  if (out) await writeFile(out, raw);
  const seconds = (ops.length * (timing.durationMs + timing.warmupMs)) / 1000;
  return { variant, ops, seconds, skippedMs: Math.round(server.readyMs), ...summarize(JSON.parse(raw) as CpuProfile, server.readyMs) };
}
