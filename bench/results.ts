/** The shape of a benchmark run's results (bench/results/latest.json), and the helpers that reduce runs to medians. */
import { cpus, loadavg, totalmem, release } from 'node:os';
import type { CpuShare } from './cpu-usage.ts';
import type { GcPauses } from './gc-pauses.ts';
import type { LoadResult } from './loadgen.ts';
import type { Op } from './ops.ts';
import type { ProfileSummary } from './profile.ts';
import type { ScaleCurve } from './scale-curve.ts';
import type { FanoutResult } from './watch-fanout.ts';

/** How a request reaches the server. */
export type Route = 'direct' | 'aggregated';

/** Median figures of one operation over the runs. */
export interface OpFigure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  runs: Array<LoadRun>;
}

/** One run of an operation; through the aggregator, with where the CPU went during it. */
export type LoadRun = Pick<LoadResult, 'rps' | 'p50' | 'p99' | 'errors' | 'failures'> & { cpu?: CpuShare; etcdCallsPerRequest?: number; gc?: GcPauses };

/** Median fan-out figures over the runs. */
export interface FanoutFigure {
  lastMs: number;
  medianMs: number;
  worstMs: number;
  missed: number;
  runs: FanoutResult[];
}

/** Everything a run measured. */
export interface BenchResults {
  date: string;
  /** `git describe --always --dirty` of the tree that was measured. */
  commit?: string;
  machine: { cpu: string; cores: number; memGiB: number; kernel: string; node: string; loadBefore: number[]; loadAfter: number[] };
  settings: { runs: number; durationMs: number; warmupMs: number; concurrency: Record<string, number>; serverCpu: string; loadCpu: string };
  /** The TypeScript variant compared with Go (the one on etcd when available). */
  primaryTs: string;
  labels: Record<string, string>;
  /** route → target id → op → figure. */
  load: Record<string, Record<string, Partial<Record<Op, OpFigure>>>>;
  /** The ceiling: `get` against the bare node:http2 server. */
  ceiling?: OpFigure;
  /** Every operation against the bare node:http2 server (bench/ceiling-server.ts): what Node's HTTP/2 on one core allows. */
  ceilingOps?: Partial<Record<Op, OpFigure>>;
  /** Calls/s of our etcd client alone on the server's CPU, per run (bench/etcd-ceiling.ts). */
  etcdCeiling?: Record<'get' | 'create' | 'update', number[]>;
  /** route → target id → watcher count → figure. */
  fanout: Record<string, Record<string, Record<string, FanoutFigure>>>;
  /** target id → memory after seeding 11,000+ objects and after the load runs. */
  memory: Record<string, { emptyRssMiB?: number; seededRssMiB: number; afterRssMiB: number; peakMiB: number; objects: number }>;
  /** kind → ready times (ms) of each start. */
  startup: Record<string, number[]>;
  /** Milliseconds to import each heavy dependency into a fresh Node on the server's core, per run (bench/measure.ts). */
  moduleLoad?: Record<string, number[]>;
  profile?: ProfileSummary;
  /** A profile of each target line not met (by operation), driven with that operation alone. */
  lineProfiles?: Partial<Record<Op, ProfileSummary>>;
  /** The scale curve (bench/scale-curve.ts). */
  scale?: ScaleCurve;
  wallSeconds: number;
  notes: string[];
}

/** The median of numbers (NaN for none). */
export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Reduces load runs to their medians. */
export function opFigure(runs: Array<LoadResult & Pick<LoadRun, 'cpu' | 'etcdCallsPerRequest' | 'gc'>>): OpFigure {
  return {
    rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    runs: runs.map(({ rps, p50, p99, errors, failures, cpu, etcdCallsPerRequest, gc }) => ({ rps, p50, p99, errors, failures, ...(cpu ? { cpu, etcdCallsPerRequest } : {}), ...(gc ? { gc } : {}) })),
  };
}

/** Reduces fan-out runs to their medians. */
export function fanoutFigure(runs: FanoutResult[]): FanoutFigure {
  return {
    lastMs: median(runs.map((r) => r.lastMs)), medianMs: median(runs.map((r) => r.medianMs)),
    worstMs: worst(runs.map((r) => r.worstMs)), missed: runs.reduce((a, r) => a + r.missed, 0), runs,
  };
}

function worst(xs: number[]): number {
  const finite = xs.filter((x) => Number.isFinite(x));
  return finite.length ? Math.max(...finite) : NaN;
}

/** This machine, for the report. */
export function machine(loadBefore: number[]): BenchResults['machine'] {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, memGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version, loadBefore, loadAfter: loadavg() };
}
