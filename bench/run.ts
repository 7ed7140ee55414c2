/**
 * `npm run bench`: our wardle against k8s.io/sample-apiserver on the same machine, the same etcd
 * and the same load generator, directly and through kube-apiserver's aggregator; writes
 * bench/results/latest.json, docs/bench-report.md and docs/bench-chart.png.
 *
 *   npm run bench                      # full run: 5 runs per figure, the scale curve, per-line profiles
 *   npm run bench -- --quick           # one short run of everything, small scale curve (a check of the script, not a report)
 *   npm run bench -- --render-only     # re-render the report from bench/results/latest.json
 *   npm run bench -- --managed-fields  # only the cost of managedFields on update (about 3 minutes):
 *                                        docs/bench-managed-fields.md; --runs = pairs (default 11),
 *                                        --duration (default 3), --variants one storage (default ts-memory),
 *                                        --allow-dirty prints the figures without writing the report
 *   flags: --runs N --duration S --warmup S --variants ts-etcd,ts-memory,ts-embedded --no-aggregated --no-profile
 *          --profile-out FILE (keep the raw .cpuprofile) --no-line-profiles (no profile per target line not met)
 *          --scale-objects 1000,10000,100000 --scale-watchers 100,1000,10000 --no-scale
 *          --allow-dirty (measure an uncommitted tree: the report goes to stdout, docs/ stays untouched)
 * A tree with uncommitted changes is refused (the report names the commit it measured).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../src/testing/binaries.ts';
import { registerWardle, unregisterWardle } from '../test/parity/support/cluster.ts';
import { renderChart, chartRows } from './chart.ts';
import { etcdBackendAvailable, SERVER_CPU, setUpBench, VARIANT_LABELS, type BenchEnv, type Target, type TsVariant } from './env.ts';
import type { Endpoint, LoadResult } from './loadgen.ts';
import { HEAVY_MODULES, memoryOf, moduleLoadTimes, startupTimes } from './measure.ts';
import { CONCURRENCY, measure, OPS, seed } from './ops.ts';
import { etcdKvCalls, startCpuWindow, type CpuShare } from './cpu-usage.ts';
import { startGcWindow, type GcPauses } from './gc-pauses.ts';
import { profileRun } from './profile.ts';
import { renderReport } from './report.ts';
import { cleanCommit, measureManagedFields, type ManagedFieldsOptions } from './managed-fields/measure.ts';
import { renderManagedFieldsReport } from './managed-fields/report.ts';
import { fanoutFigure, machine, opFigure, type BenchResults } from './results.ts';
import { fanout, type FanoutResult } from './watch-fanout.ts';
import { scaleCurve, type ScaleOptions } from './scale-curve.ts';
import { unmetOps } from './targets.ts';

const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

interface Options {
  runs: number;
  timing: { durationMs: number; warmupMs: number };
  variants: TsVariant[];
  aggregated: boolean;
  profile: boolean;
  /** Keep the raw .cpuprofile here (open it in Chrome DevTools or speedscope). */
  profileOut?: string;
  fanoutWrites: number;
  /** The scale curve's steps, or undefined with --no-scale. */
  scale?: ScaleOptions;
  lineProfiles: boolean;
  allowDirty: boolean;
}

function options(): Options & { renderOnly: boolean; managedFields?: ManagedFieldsOptions & { allowDirty: boolean } } {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, variants: { type: 'string' },
      quick: { type: 'boolean' }, 'no-aggregated': { type: 'boolean' }, 'no-profile': { type: 'boolean' }, 'render-only': { type: 'boolean' },
      'profile-out': { type: 'string' }, 'managed-fields': { type: 'boolean' }, 'allow-dirty': { type: 'boolean' },
      'scale-objects': { type: 'string' }, 'scale-watchers': { type: 'string' }, 'no-scale': { type: 'boolean' }, 'no-line-profiles': { type: 'boolean' },
    },
  });
  const quick = !!values.quick;
  const all: TsVariant[] = etcdBackendAvailable() ? ['ts-etcd', 'ts-memory', 'ts-embedded'] : ['ts-memory', 'ts-embedded'];
  const variants = values.variants ? values.variants.split(',') as TsVariant[] : all;
  return {
    runs: Number(values.runs ?? (quick ? 1 : 5)),
    timing: { durationMs: 1000 * Number(values.duration ?? (quick ? 2 : 3)), warmupMs: 1000 * Number(values.warmup ?? 1) },
    variants, aggregated: !values['no-aggregated'], profile: !values['no-profile'], fanoutWrites: quick ? 5 : 10,
    renderOnly: !!values['render-only'], profileOut: values['profile-out'],
    lineProfiles: !values['no-line-profiles'], allowDirty: !!values['allow-dirty'],
    scale: values['no-scale'] ? undefined : {
      objects: numbers(values['scale-objects'] ?? (quick ? '200,1000' : '1000,10000,100000')),
      watchers: numbers(values['scale-watchers'] ?? (quick ? '10,100' : '100,1000,10000')),
      runs: Number(values.runs ?? (quick ? 1 : 5)), fanoutWrites: quick ? 3 : 5,
    },
    managedFields: values['managed-fields'] ? {
      pairs: Number(values.runs ?? (quick ? 5 : 11)), durationMs: 1000 * Number(values.duration ?? 3), warmupMs: 1000 * Number(values.warmup ?? 1),
      variant: (values.variants?.split(',')[0] ?? 'ts-memory') as TsVariant, microRounds: 5, microIterations: quick ? 5_000 : 20_000, allowDirty: !!values['allow-dirty'],
    } : undefined,
  };
}

const numbers = (csv: string) => csv.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);

function gitDescribe(): string | undefined {
  try { return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: REPO_ROOT }).toString().trim(); } catch { return undefined; }
}

function checkPrerequisites(): void {
  for (const [cmd, why] of [['taskset', 'pins the server and the load generator to different CPUs (util-linux)'], ['go', 'builds sample-apiserver and the control plane']]) {
    try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); } catch { throw new Error(`${cmd} is required: it ${why}`); }
  }
  const cores = Number(execFileSync('nproc').toString().trim());
  if (cores < 2) throw new Error('the benchmark needs 2 CPUs (server on CPU 1, load generator on CPU 0)');
}

/** Direct load: runs × ops × targets, interleaved so Go and TypeScript see the same conditions. */
async function directLoad(env: BenchEnv, o: Options, r: BenchResults): Promise<void> {
  const raw = new Map<string, LoadResult[]>();
  const targets = env.targets.filter((t) => t.id !== 'ceiling');
  const ceiling = env.targets.find((t) => t.id === 'ceiling')!;
  for (let run = 0; run < o.runs; run++) {
    for (const op of OPS) {
      for (const t of [...targets, ceiling]) {
        const res = await measure(op, t.direct, o.timing);
        raw.set(`${t.id}/${op}`, [...(raw.get(`${t.id}/${op}`) ?? []), res]);
        log(`direct run ${run + 1} ${op.padEnd(10)} ${t.id.padEnd(11)} ${Math.round(res.rps)} req/s p50 ${res.p50.toFixed(1)} p99 ${res.p99.toFixed(1)} ms${res.errors ? ` errors ${res.errors}: ${res.failures[0]}` : ''}`);
      }
    }
  }
  for (const t of targets) r.load.direct[t.id] = Object.fromEntries(OPS.map((op) => [op, opFigure(raw.get(`${t.id}/${op}`) ?? [])]));
  r.ceilingOps = Object.fromEntries(OPS.map((op) => [op, opFigure(raw.get(`ceiling/${op}`) ?? [])]));
  r.ceiling = r.ceilingOps.get;
}

/** The etcd bound: our etcd client alone on the server's CPU (bench/etcd-ceiling.ts), once per run. */
async function etcdCeiling(env: BenchEnv, o: Options, r: BenchResults): Promise<void> {
  const runs: Array<Record<'get' | 'create' | 'update', number>> = [];
  for (let run = 0; run < o.runs; run++) {
    const out = execFileSync('taskset', ['-c', SERVER_CPU, process.execPath, '--import', 'tsx', join(REPO_ROOT, 'bench', 'etcd-ceiling.ts'), env.etcd.url, String(o.timing.durationMs), String(o.timing.warmupMs)], { cwd: REPO_ROOT, encoding: 'utf8' });
    runs.push(JSON.parse(out.trim().split('\n').pop()!));
    log(`etcd client alone run ${run + 1}: ${Object.entries(runs[run]).map(([k, v]) => `${k} ${Math.round(v)}/s`).join(', ')}`);
  }
  r.etcdCeiling = { get: runs.map((x) => x.get), create: runs.map((x) => x.create), update: runs.map((x) => x.update) };
}

/** One fan-out measurement; a failure is logged, noted, and counted as every write missed. */
async function fanoutOnce(ep: Endpoint, n: number, o: Options, label: string, notes: string[]): Promise<FanoutResult> {
  try {
    const res = await fanout(ep, n, o.fanoutWrites);
    log(`${label} fan-out ${n}: last ${res.lastMs.toFixed(1)} ms, median ${res.medianMs.toFixed(1)} ms, missed ${res.missed}`);
    return res;
  } catch (err) {
    log(`${label} fan-out ${n} failed: ${(err as Error).message}`);
    notes.push(`${label}: the fan-out with ${n} watchers failed (${(err as Error).message.trim()}); the median is over the other runs.`);
    return { watchers: n, writes: o.fanoutWrites, lastMs: NaN, worstMs: NaN, medianMs: NaN, missed: o.fanoutWrites };
  }
}

async function fanouts(ep: Endpoint, o: Options, label: string, notes: string[]): Promise<Record<string, ReturnType<typeof fanoutFigure>>> {
  const out: Record<string, ReturnType<typeof fanoutFigure>> = {};
  for (const n of [100, 1000]) {
    const runs: FanoutResult[] = [];
    for (let run = 0; run < o.runs; run++) runs.push(await fanoutOnce(ep, n, o, `${label} run ${run + 1}`, notes));
    out[String(n)] = fanoutFigure(runs);
  }
  return out;
}

/**
 * Through the aggregator: one server registered at a time (both claim wardle.example.com); each
 * run registers Go, measures, then TypeScript, then the ceiling server (load only: what the
 * aggregator's proxy allows with a backend that does no work), so all see the same conditions.
 * Each measurement records where the CPU went (kube-apiserver, etcd, the server, the load generator)
 * and how many etcd KV calls each request cost.
 */
async function aggregatedLoad(env: BenchEnv, o: Options, r: BenchResults, compared: Target[]): Promise<void> {
  const raw = new Map<string, Array<LoadResult & { cpu: CpuShare; etcdCallsPerRequest: number; gc?: GcPauses }>>();
  const fans = new Map<string, FanoutResult[]>();
  const ceiling = env.targets.find((t) => t.id === 'ceiling')!;
  for (let run = 0; run < o.runs; run++) {
    for (const t of [...compared, ceiling]) {
      await registerWardle(env.cp, 'bench', t.id, t.server.port, t.server.ca.certPem);
      log(`registered ${t.id} behind the aggregator`);
      for (const op of OPS) {
        const [calls0, t0] = [await etcdKvCalls(env.etcd.url), performance.now()];
        const window = startCpuWindow({ kubeApiserver: env.cp.state.pids.kubeApiserver, etcd: env.etcd.proc.pid, server: t.server.proc.pid, loadGenerator: process.pid });
        const gcWindow = t.id === 'go' || t === ceiling ? undefined : startGcWindow(t.server.proc.logPath);
        const load = await measure(op, env.aggregator, o.timing);
        const [cpu, gc] = [window.end(), gcWindow?.end()];
        const etcdCallsPerRequest = ((await etcdKvCalls(env.etcd.url)) - calls0) / ((performance.now() - t0) / 1000) / load.rps;
        const res = { ...load, cpu, etcdCallsPerRequest, gc };
        raw.set(`${t.id}/${op}`, [...(raw.get(`${t.id}/${op}`) ?? []), res]);
        const busy = res.cpu.cpus.map((x, i) => `CPU ${i} ${Math.round(100 * x)} %`).join(', ');
        log(`aggregated run ${run + 1} ${op.padEnd(10)} ${t.id.padEnd(11)} ${Math.round(res.rps)} req/s p50 ${res.p50.toFixed(1)} p99 ${res.p99.toFixed(1)} ms (${busy}, etcd calls/request ${etcdCallsPerRequest.toFixed(2)}${gc ? `, GC paused ${(100 * gc.pausedShare).toFixed(1)} %, longest ${gc.longestMs.toFixed(0)} ms` : ''})${res.errors ? ` errors ${res.errors}: ${res.failures[0]}` : ''}`);
      }
      if (t !== ceiling) for (const n of [100, 1000]) fans.set(`${t.id}/${n}`, [...(fans.get(`${t.id}/${n}`) ?? []), await fanoutOnce(env.aggregator, n, o, `aggregated ${t.id} run ${run + 1}`, r.notes)]);
      await unregisterWardle(env.cp, 'bench', t.id);
    }
  }
  for (const t of [...compared, ceiling]) r.load.aggregated[t.id] = Object.fromEntries(OPS.map((op) => [op, opFigure(raw.get(`${t.id}/${op}`) ?? [])]));
  for (const t of compared) r.fanout.aggregated[t.id] = Object.fromEntries([100, 1000].map((n) => [String(n), fanoutFigure(fans.get(`${t.id}/${n}`) ?? [])]));
}

/** Runs `fn`; a failure is logged and noted in the report instead of losing the whole run. */
async function phase(r: BenchResults, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log(`${name} failed: ${(err as Error).stack ?? err}`);
    r.notes.push(`The ${name} phase failed in this run: ${(err as Error).message.split('\n')[0]}`);
  }
}

async function measureAll(env: BenchEnv, o: Options, r: BenchResults): Promise<void> {
  const targets = env.targets.filter((t) => t.id !== 'ceiling');
  const empty = Object.fromEntries(targets.map((t) => [t.id, memoryOf(t.server.proc.pid).rssMiB]));
  for (const t of targets) await seed(t.direct, (m) => log(`${t.id}${m}`));
  await new Promise((res) => setTimeout(res, 2000));
  for (const t of targets) r.memory[t.id] = { emptyRssMiB: empty[t.id], seededRssMiB: memoryOf(t.server.proc.pid).rssMiB, afterRssMiB: NaN, peakMiB: NaN, objects: 11_044 };
  await directLoad(env, o, r);
  if (env.etcd) await phase(r, 'etcd client bound', () => etcdCeiling(env, o, r));
  const compared = targets.filter((t) => t.id === 'go' || t.id === r.primaryTs);
  await phase(r, 'direct fan-out', async () => {
    for (const t of compared) r.fanout.direct[t.id] = await fanouts(t.direct, o, `direct ${t.id}`, r.notes);
    const ceiling = env.targets.find((t) => t.id === 'ceiling')!;
    r.fanout.direct.ceiling = await fanouts(ceiling.direct, o, 'direct ceiling', r.notes);
  });
  for (const t of targets) Object.assign(r.memory[t.id], { afterRssMiB: memoryOf(t.server.proc.pid).rssMiB, peakMiB: memoryOf(t.server.proc.pid).peakMiB });
  if (o.aggregated) await phase(r, 'aggregated', () => aggregatedLoad(env, o, r, compared));
  await phase(r, 'startup', async () => {
    log('startup times');
    r.startup = await startupTimes(env, r.primaryTs as TsVariant, Math.max(3, o.runs));
    r.moduleLoad = moduleLoadTimes(HEAVY_MODULES, Math.max(3, o.runs));
  });
  if (o.profile) {
    await phase(r, 'profile', async () => {
      log('profiling the TypeScript server (node --cpu-prof)');
      r.profile = await profileRun(env, r.primaryTs as TsVariant, o.timing, log, o.profileOut);
    });
  }
  if (o.profile && o.lineProfiles) {
    for (const op of unmetOps(r)) {
      await phase(r, `profile of ${op}`, async () => {
        log(`profiling ${op} alone (its target is not met)`);
        (r.lineProfiles ??= {})[op] = await profileRun(env, r.primaryTs as TsVariant, o.timing, log, undefined, [op]);
      });
    }
  }
  if (o.scale) {
    const scale = o.scale;
    await phase(r, 'scale curve', async () => {
      log(`scale curve: objects ${scale.objects.join(', ')}; watchers ${scale.watchers.join(', ')}`);
      r.scale = await scaleCurve(env, r.primaryTs as TsVariant, scale, log);
    });
  }
}

async function writeOutputs(r: BenchResults): Promise<void> {
  await mkdir(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  await writeFile(join(REPO_ROOT, 'bench', 'results', 'latest.json'), JSON.stringify(r, null, 1) + '\n');
  const png = renderChart(chartRows(r), 'TypeScript wardle / Go sample-apiserver', `${r.date.slice(0, 10)}, ${r.machine.cores} x ${r.machine.cpu.slice(0, 40)}; right of 1 = TypeScript better`);
  await writeFile(join(REPO_ROOT, 'docs', 'bench-chart.png'), png);
  await writeFile(join(REPO_ROOT, 'docs', 'bench-report.md'), renderReport(r));
  log('wrote bench/results/latest.json, docs/bench-chart.png, docs/bench-report.md');
}

/** The managedFields comparison alone: writes bench/results/managed-fields.json and docs/bench-managed-fields.md. */
async function managedFieldsOnly(o: ManagedFieldsOptions & { allowDirty: boolean }): Promise<void> {
  checkPrerequisites();
  const commit = o.allowDirty ? `${gitDescribe() ?? 'unknown'} (not clean)` : cleanCommit();
  const r = await measureManagedFields(o, commit, log);
  const report = renderManagedFieldsReport(r);
  if (o.allowDirty) {
    process.stdout.write(report);
    return;
  }
  await mkdir(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  await writeFile(join(REPO_ROOT, 'bench', 'results', 'managed-fields.json'), JSON.stringify(r, null, 1) + '\n');
  await writeFile(join(REPO_ROOT, 'docs', 'bench-managed-fields.md'), report);
  log('wrote bench/results/managed-fields.json, docs/bench-managed-fields.md');
}

async function main(): Promise<void> {
  const o = options();
  if (o.managedFields) return managedFieldsOnly(o.managedFields);
  if (o.renderOnly) return writeOutputs(JSON.parse(await readFile(join(REPO_ROOT, 'bench', 'results', 'latest.json'), 'utf8')));
  checkPrerequisites();
  const commit = o.allowDirty ? `${gitDescribe() ?? 'unknown'} (not clean: figures not written to docs/)` : cleanCommit();
  const loadBefore = loadavg();
  const t0 = performance.now();
  const env = await setUpBench(o.variants, log);
  const r: BenchResults = {
    date: new Date().toISOString(), commit, machine: machine(loadBefore), primaryTs: o.variants[0],
    settings: { runs: o.runs, ...o.timing, concurrency: { ...CONCURRENCY }, serverCpu: '1', loadCpu: '0' },
    labels: { ...VARIANT_LABELS }, load: { direct: {}, aggregated: {} }, fanout: { direct: {}, aggregated: {} }, memory: {}, startup: {},
    wallSeconds: 0, notes: etcdBackendAvailable() ? [] : ['src/storage/etcd is not in the tree: the TypeScript server ran with memory and embedded storage only.'],
  };
  try {
    await measureAll(env, o, r);
  } finally {
    await env.close();
  }
  r.machine = machine(loadBefore);
  r.wallSeconds = Math.round((performance.now() - t0) / 1000);
  if (o.allowDirty) {
    await mkdir(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(join(REPO_ROOT, 'bench', 'results', 'dirty.json'), JSON.stringify(r, null, 1) + '\n');
    process.stdout.write(renderReport(r));
    log('tree not clean: wrote bench/results/dirty.json and printed the report; docs/ untouched');
    return;
  }
  await writeOutputs(r);
}

await main();
