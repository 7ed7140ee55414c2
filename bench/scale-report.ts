/** The report's "Scale curve" section: the figures of bench/scale-curve.ts, and slopes computed from them. */
import { median, type BenchResults } from './results.ts';
import type { ScaleCurve, ScaleSide } from './scale-curve.ts';

const f0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const div = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN);
const span = (xs: number[]) => {
  const f = xs.filter((x) => Number.isFinite(x));
  return f.length > 1 ? ` (${f0(Math.min(...f))}–${f0(Math.max(...f))})` : '';
};

/** Cost per 1,000 objects between the smallest and the largest step: (y_max − y_min) / (n_max − n_min) × 1000. */
function slope(curve: ScaleCurve, y: (s: ScaleSide) => number, side: 'go' | 'ts'): number {
  const pts = curve.objects;
  if (pts.length < 2) return NaN;
  const a = pts[0];
  const b = pts[pts.length - 1];
  return div(y(b[side]) - y(a[side]), b.objects - a.objects) * 1000;
}

/**
 * How far from linear a cost grows: the cost per object at the largest step over the cost per
 * object at the middle step (1.0 = linear; each point's fixed cost makes small steps look dear,
 * so the comparison leaves out the smallest step when there are three or more).
 */
function linearity(curve: ScaleCurve, y: (s: ScaleSide) => number, side: 'go' | 'ts'): number {
  const pts = curve.objects;
  if (pts.length < 2) return NaN;
  const a = pts.length >= 3 ? pts[pts.length - 2] : pts[0];
  const b = pts[pts.length - 1];
  return div(div(y(b[side]), b.objects), div(y(a[side]), a.objects));
}

const listMs = (s: ScaleSide) => median(s.listAllMs);

/** The section's lines. */
export function scaleSection(r: BenchResults): string[] {
  const c = r.scale;
  if (!c) return ['Not measured in this run (`--no-scale`).'];
  const objects = [
    '| objects | RSS MiB Go / TS (TS/Go) | list-all ms Go / TS, median (min–max) | TS/Go list-all | restart → /readyz ms Go / TS | restart → first list-all 200 ms Go / TS | list bytes Go / TS | non-2xx Go / TS |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...c.objects.map((p) => `| ${f0(p.objects)} | ${f0(p.go.rssMiB)} / ${f0(p.ts.rssMiB)} (${f2(div(p.ts.rssMiB, p.go.rssMiB))}) | ${f0(listMs(p.go))}${span(p.go.listAllMs)} / ${f0(listMs(p.ts))}${span(p.ts.listAllMs)} | **${f2(div(listMs(p.ts), listMs(p.go)))}** | ${f0(p.go.restartReadyMs)} / ${f0(p.ts.restartReadyMs)} | ${f0(p.go.restartFirstListMs)} / ${f0(p.ts.restartFirstListMs)} | ${f0(p.go.listBytes)} / ${f0(p.ts.listBytes)} | ${p.go.errors} / ${p.ts.errors} |`),
  ];
  const watchers = [
    '| watchers (objects) | RSS MiB with the watchers open Go / TS (TS/Go) | write → last delivery ms Go / TS, median (min–max) | **TS/Go** | writes missed Go / TS |',
    '|--:|--:|--:|--:|--:|',
    ...c.watchers.map((w) => `| ${f0(w.watchers)} (${f0(w.objects)}) | ${f0(w.go.rssMiB)} / ${f0(w.ts.rssMiB)} (${f2(div(w.ts.rssMiB, w.go.rssMiB))}) | ${f0(median(w.go.lastMs))}${span(w.go.lastMs)} / ${f0(median(w.ts.lastMs))}${span(w.ts.lastMs)} | **${f2(div(median(w.ts.lastMs), median(w.go.lastMs)))}** | ${w.go.missed} / ${w.ts.missed} |`),
  ];
  const costs: Array<[string, (s: ScaleSide) => number]> = [['RSS (MiB)', (s) => s.rssMiB], ['list-all (ms)', listMs], ['restart → first list-all (ms)', (s) => s.restartFirstListMs]];
  const slopes = [
    '| cost | Go per 1,000 objects | TS per 1,000 objects | TS slope / Go slope | growth per object, largest vs previous step: Go / TS (1.00 = linear) |',
    '|---|--:|--:|--:|--:|',
    ...costs.map(([name, y]) => `| ${name} | ${f2(slope(c, y, 'go'))} | ${f2(slope(c, y, 'ts'))} | **${f2(div(slope(c, y, 'ts'), slope(c, y, 'go')))}** | ${f2(linearity(c, y, 'go'))} / ${f2(linearity(c, y, 'ts'))} |`),
  ];
  return [
    `Go and ${r.labels[c.variant] ?? c.variant} (run as the shipped esbuild bundle) on a pair of servers of their own (fresh etcd prefixes), Flunders added in steps to one namespace. At each step both servers are restarted (start → /readyz, and start → the first list-all answered 200, which includes loading the watch cache), then list-all (the whole namespace, one request at a time, Go and TypeScript alternating) and RSS. The fan-outs run with the largest data set; RSS is the highest sample taken while the watchers were open.`,
    '', ...objects, '', ...watchers, '', 'Slopes between the smallest and the largest step, computed from the figures above:', '', ...slopes, '',
    ...scaleFindings(c, costs),
    ...c.notes.map((n) => `- **Note:** ${n}`),
  ];
}

/** One sentence per cost: where the TypeScript slope is worse than Go's, or the growth is not linear. */
function scaleFindings(c: ScaleCurve, costs: Array<[string, (s: ScaleSide) => number]>): string[] {
  return costs.map(([name, y]) => {
    const [ts, go] = [slope(c, y, 'ts'), slope(c, y, 'go')];
    const rel = div(ts, go);
    const lin = linearity(c, y, 'ts');
    const slopeText = !Number.isFinite(rel) ? 'its slope cannot be compared with Go\'s (missing figures)'
      : ts <= 0 || go <= 0 ? `its slope cannot be compared with Go's (TS ${f2(ts)}, Go ${f2(go)} per 1,000 objects: a slope at or below zero means the fixed cost and noise outweigh the growth over these steps)`
      : rel <= 1 ? `its slope is ${f2(rel)}× Go's (no worse)` : `its slope is **${f2(rel)}× Go's (worse)**`;
    const linText = !Number.isFinite(lin) ? '' : lin <= 1.25 ? `, and it grows linearly (per-object cost ×${f2(lin)} at the largest step)` : `, and it grows **faster than linearly** (per-object cost ×${f2(lin)} at the largest step)`;
    return `- **${name}:** ${slopeText}${linText}.`;
  });
}
