/** The results of `npm run bench -- --managed-fields` (bench/results/managed-fields.json) and their summary. */
import type { LoadResult } from '../loadgen.ts';
import { median, type BenchResults } from '../results.ts';
import type { MicroResult } from './micro.ts';

/** The server that records managedFields ("with", as shipped) and the one that does not. */
export type Side = 'with' | 'without';

/** Everything one comparison measured. */
export interface ManagedFieldsResults {
  date: string;
  /** The commit of the clean tree that was measured. */
  commit: string;
  variant: string;
  machine: BenchResults['machine'];
  settings: { pairs: number; durationMs: number; warmupMs: number; concurrency: number; serverCpu: string; loadCpu: string };
  /** Per side, the update runs in pair order. */
  runs: Record<Side, Array<Pick<LoadResult, 'rps' | 'p50' | 'p99' | 'errors' | 'failures'>>>;
  micro: MicroResult;
  wallSeconds: number;
}

/** What the report states. */
export interface ManagedFieldsSummary {
  /** with/without update req/s of each pair. */
  ratios: number[];
  ratio: { median: number; min: number; max: number; q1: number; q3: number };
  /** Pairs in which "with" was slower than "without". */
  pairsSlowerWith: number;
  /** Median req/s and p50 (ms) per side. */
  rps: Record<Side, number>;
  p50: Record<Side, number>;
  /** Server time per update added by tracking, µs (1/with − 1/without of each pair; the server runs on one CPU). */
  addedMicros: { median: number; min: number; max: number };
  non2xx: Record<Side, number>;
}

function spread(xs: number[]): { median: number; min: number; max: number } {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** The lower and upper quartile (medians of the lower and upper half). */
function quartiles(xs: number[]): { q1: number; q3: number } {
  const s = [...xs].sort((a, b) => a - b);
  const half = Math.floor(s.length / 2);
  return { q1: median(s.slice(0, half)), q3: median(s.slice(s.length - half)) };
}

/** Reduces the pairs to ratios, medians and spreads. */
export function summarize(r: ManagedFieldsResults): ManagedFieldsSummary {
  const pairs = r.runs.with.map((w, i) => [w, r.runs.without[i]] as const);
  const ratios = pairs.map(([w, wo]) => w.rps / wo.rps);
  return {
    ratios,
    ratio: { ...spread(ratios), ...quartiles(ratios) },
    pairsSlowerWith: ratios.filter((x) => x < 1).length,
    rps: { with: median(r.runs.with.map((x) => x.rps)), without: median(r.runs.without.map((x) => x.rps)) },
    p50: { with: median(r.runs.with.map((x) => x.p50)), without: median(r.runs.without.map((x) => x.p50)) },
    addedMicros: spread(pairs.map(([w, wo]) => 1e6 / w.rps - 1e6 / wo.rps)),
    non2xx: { with: r.runs.with.reduce((a, x) => a + x.errors, 0), without: r.runs.without.reduce((a, x) => a + x.errors, 0) },
  };
}
