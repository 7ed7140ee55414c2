/**
 * Issue 17's targets as data, and the TypeScript/Go ratios of a run computed per run (Go and
 * TypeScript alternate within every run, so run i of one is paired with run i of the other):
 * each ratio's median and its min–max across runs, and which runs failed (a run with non-2xx
 * answers or missed watch events is a failed run). A run where TypeScript failed fails its line; a
 * run where only Go failed has no ratio and is left out, and the line needs a ratio from most runs.
 */
import { OPS, type Op } from './ops.ts';
import { median, type BenchResults } from './results.ts';

/** A ratio over the runs. */
export interface RatioFigure {
  median: number;
  min: number;
  max: number;
  /** The ratio of each run (NaN where a side has no figure, or where Go failed). */
  runs: number[];
  /** Runs where TypeScript had errors (non-2xx answers, missed events). */
  failedRuns: number;
  /** Runs where only Go had errors: left out of the ratio. */
  goFailedRuns: number;
}

/** One target line of the issue: a ratio and its bound. */
export interface TargetLine {
  line: string;
  /** 'min': the ratio must be at least `bound` (throughput); 'max': at most (latency, memory, time). */
  kind: 'min' | 'max';
  bound: number;
  /** The load operation it profiles, when it is a load line. */
  op?: Op;
  ratio(r: BenchResults): RatioFigure | undefined;
}

/** Which side of a run failed. */
export interface RunFailure {
  ts: boolean;
  go: boolean;
}

/** The ratios t[i]/g[i]; a run where TypeScript failed counts in failedRuns, one where only Go failed has no ratio. */
export function pairedRatio(t: number[], g: number[], failed: RunFailure[] = []): RatioFigure {
  const goOnly = (i: number) => !!failed[i]?.go && !failed[i]?.ts;
  const runs = t.map((x, i) => (!goOnly(i) && Number.isFinite(x) && Number.isFinite(g[i]) && g[i] !== 0 ? x / g[i] : NaN));
  const finite = runs.filter((x) => Number.isFinite(x));
  return {
    median: median(finite), min: finite.length ? Math.min(...finite) : NaN, max: finite.length ? Math.max(...finite) : NaN,
    runs, failedRuns: failed.filter((f) => f?.ts).length, goFailedRuns: t.filter((_, i) => goOnly(i)).length,
  };
}

/** The requests/s ratio of `op` on `route` for the primary TypeScript variant. */
export function opRatio(r: BenchResults, route: string, op: Op, ts = r.primaryTs): RatioFigure | undefined {
  const t = r.load[route]?.[ts]?.[op];
  const g = r.load[route]?.go?.[op];
  if (!t || !g) return undefined;
  const failed = t.runs.map((run, i) => ({ ts: run.errors > 0, go: (g.runs[i]?.errors ?? 0) > 0 }));
  return pairedRatio(t.runs.map((x) => x.rps), g.runs.map((x) => x.rps), failed);
}

/** The write → last delivery ratio of the fan-out with `n` watchers on `route`. */
export function fanoutRatio(r: BenchResults, route: string, n: string): RatioFigure | undefined {
  const t = r.fanout[route]?.[r.primaryTs]?.[n];
  const g = r.fanout[route]?.go?.[n];
  if (!t || !g) return undefined;
  const failed = t.runs.map((run, i) => ({ ts: run.missed > 0, go: (g.runs[i]?.missed ?? 0) > 0 }));
  return pairedRatio(t.runs.map((x) => x.lastMs), g.runs.map((x) => x.lastMs), failed);
}

/** The ratio of the start → /readyz times (start i of TypeScript with start i of Go). */
export function startupRatio(r: BenchResults, kind: string): RatioFigure | undefined {
  const t = r.startup[kind];
  const g = r.startup.go;
  return t && g ? pairedRatio(t, g) : undefined;
}

/** The RSS ratio after seeding (one figure: the servers are seeded once). */
export function rssRatio(r: BenchResults): RatioFigure | undefined {
  const t = r.memory[r.primaryTs]?.seededRssMiB;
  const g = r.memory.go?.seededRssMiB;
  return t === undefined || g === undefined ? undefined : pairedRatio([t], [g]);
}

/** The operation with the lowest aggregated requests/s ratio (the "every line" target's line). */
export function lowestAggregatedOp(r: BenchResults): Op | undefined {
  const all = OPS.map((op) => [op, opRatio(r, 'aggregated', op)] as const).filter((x): x is [Op, RatioFigure] => !!x[1] && Number.isFinite(x[1].median));
  return all.length ? all.reduce((a, b) => (b[1].median < a[1].median ? b : a))[0] : undefined;
}

function worstAggregated(r: BenchResults): RatioFigure | undefined {
  const op = lowestAggregatedOp(r);
  return op && opRatio(r, 'aggregated', op);
}

const load = (line: string, op: Op, bound: number): TargetLine => ({ line, kind: 'min', bound, op, ratio: (r) => opRatio(r, 'direct', op) });

/** Issue 17's targets (TypeScript on etcd / Go on the same etcd, direct unless said). */
export const TARGETS: TargetLine[] = [
  load('get', 'get', 1.5),
  load('list-10', 'list-10', 1.5),
  load('list-1,000', 'list-1000', 2.0),
  load('list-10,000', 'list-10000', 1.5),
  load('create', 'create', 1.2),
  load('update', 'update', 1.2),
  { line: 'watch fan-out 1,000: write → last delivery (lower is better)', kind: 'max', bound: 0.5, ratio: (r) => fanoutRatio(r, 'direct', '1000') },
  { line: 'through the aggregator, every line (the lowest shown)', kind: 'min', bound: 1.0, ratio: worstAggregated },
  { line: 'RSS with the seeded objects', kind: 'max', bound: 1.0, ratio: rssRatio },
  { line: 'start → /readyz, the shipped form (bundle)', kind: 'max', bound: 1.5, ratio: (r) => startupRatio(r, 'ts (bundle)') },
];

/**
 * Whether `ratio` meets the target: its median on the right side of the bound, no run where
 * TypeScript failed, and a ratio from more than half of the runs.
 */
export function targetMet(t: TargetLine, ratio: RatioFigure | undefined): boolean {
  if (!ratio || !Number.isFinite(ratio.median) || ratio.failedRuns > 0) return false;
  if (2 * ratio.runs.filter((x) => Number.isFinite(x)).length <= ratio.runs.length) return false;
  return t.kind === 'min' ? ratio.median >= t.bound : ratio.median <= t.bound;
}

/** The load operations whose target is not met in `r` (they get a profile of their own). */
export function unmetOps(r: BenchResults): Op[] {
  return TARGETS.filter((t) => t.op && !targetMet(t, t.ratio(r))).map((t) => t.op!);
}

/** "0.93 (0.81–1.02)", or "n/a". */
export function formatRatio(x: RatioFigure | undefined): string {
  if (!x || !Number.isFinite(x.median)) return 'n/a';
  const range = x.runs.filter((v) => Number.isFinite(v)).length > 1 ? ` (${x.min.toFixed(2)}–${x.max.toFixed(2)})` : '';
  const plural = (n: number) => (n > 1 ? 's' : '');
  const failed = x.failedRuns ? `, ${x.failedRuns} failed run${plural(x.failedRuns)}` : '';
  const goFailed = x.goFailedRuns ? `, ${x.goFailedRuns} run${plural(x.goFailedRuns)} where Go failed left out` : '';
  return `**${x.median.toFixed(2)}**${range}${failed}${goFailed}`;
}

/**
 * What bounds a load line, measured in the same run: the bare node:http2 server answering the same
 * bytes on the server's core (no work at all), and for get/create/update our etcd client alone
 * doing that operation's etcd calls on that core; each as requests/s and as the best TS/Go ratio it
 * allows (bound / Go).
 */
export interface LineBound {
  op: Op;
  goRps: number;
  tsRps: number;
  node?: { rps: number; bestRatio: number };
  etcd?: { rps: number; bestRatio: number };
}

/** The bounds of `op` in `r` (undefined when the run has no figures for it). */
export function lineBound(r: BenchResults, op: Op): LineBound | undefined {
  const goRps = r.load.direct.go?.[op]?.rps;
  const tsRps = r.load.direct[r.primaryTs]?.[op]?.rps;
  if (!goRps || !tsRps) return undefined;
  const nodeRps = r.ceilingOps?.[op]?.rps;
  // A get is answered from the watch cache after one revision read shared by the concurrent gets,
  // so the one-range-per-get etcd figure bounds it no longer; writes still make their etcd calls.
  const etcdRuns = op === 'create' || op === 'update' ? r.etcdCeiling?.[op] : undefined;
  const etcdRps = etcdRuns?.length ? median(etcdRuns) : undefined;
  return {
    op, goRps, tsRps,
    node: nodeRps ? { rps: nodeRps, bestRatio: nodeRps / goRps } : undefined,
    etcd: etcdRps ? { rps: etcdRps, bestRatio: etcdRps / goRps } : undefined,
  };
}

/** Median CPU use over an operation's aggregated runs of one server, in fractions of one core. */
export interface AggregatedCpu {
  /** The load generator's CPU (kube-apiserver, the load generator, etcd) and the server's CPU, busy fraction. */
  loadCpu: number;
  serverCpu: number;
  kubeApiserver: number;
  /** The etcd both servers store in (the control plane's own etcd is not counted). */
  etcd: number;
  server: number;
  loadGenerator: number;
  /** etcd KV calls per request answered. */
  etcdCallsPerRequest: number;
  /** The server's GC pauses (TypeScript servers only, which run with `--trace-gc`): share of the window and longest pause in ms. */
  gcPausedShare?: number;
  longestGcPauseMs?: number;
}

/**
 * What bounds an operation through the aggregator, measured in the same run: the ceiling server
 * (no work at all) registered behind the same aggregator, as requests/s and as the best TS/Go
 * ratio it allows; and where the CPU went for each of Go, TypeScript and the ceiling.
 */
export interface AggregatedBound {
  op: Op;
  goRps: number;
  tsRps: number;
  ceilingRps: number;
  bestRatio: number;
  cpu: Partial<Record<'go' | 'ts' | 'ceiling', AggregatedCpu>>;
}

function aggregatedCpu(r: BenchResults, id: string, op: Op, loadCpu: number, serverCpu: number): AggregatedCpu | undefined {
  const all = r.load.aggregated[id]?.[op]?.runs ?? [];
  const runs = all.map((x) => x.cpu).filter((c) => !!c);
  if (!runs.length) return undefined;
  const m = (f: (c: NonNullable<typeof runs[number]>) => number) => median(runs.map(f));
  const gcs = all.map((x) => x.gc).filter((g) => !!g);
  return {
    ...(gcs.length ? { gcPausedShare: median(gcs.map((g) => g.pausedShare)), longestGcPauseMs: median(gcs.map((g) => g.longestMs)) } : {}),
    etcdCallsPerRequest: median(all.map((x) => x.etcdCallsPerRequest ?? NaN)),
    loadCpu: m((c) => c.cpus[loadCpu]), serverCpu: m((c) => c.cpus[serverCpu]),
    kubeApiserver: m((c) => c.processes.kubeApiserver), etcd: m((c) => c.processes.etcd), server: m((c) => c.processes.server), loadGenerator: m((c) => c.processes.loadGenerator),
  };
}

/** The aggregator's bound of `op` in `r` (undefined when the run has no ceiling figures through the aggregator). */
export function aggregatedBound(r: BenchResults, op: Op): AggregatedBound | undefined {
  const fig = (id: string) => r.load.aggregated[id]?.[op]?.rps;
  const [goRps, tsRps, ceilingRps] = [fig('go'), fig(r.primaryTs), fig('ceiling')];
  if (!goRps || !tsRps || !ceilingRps) return undefined;
  const [loadCpu, serverCpu] = [Number(r.settings.loadCpu), Number(r.settings.serverCpu)];
  const cpu = { go: aggregatedCpu(r, 'go', op, loadCpu, serverCpu), ts: aggregatedCpu(r, r.primaryTs, op, loadCpu, serverCpu), ceiling: aggregatedCpu(r, 'ceiling', op, loadCpu, serverCpu) };
  return { op, goRps, tsRps, ceilingRps, bestRatio: ceilingRps / goRps, cpu };
}
