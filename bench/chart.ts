/**
 * The benchmark chart (PNG, drawn with bench/png.ts): one row per measurement, one bar per route,
 * the TypeScript-to-Go ratio on a logarithmic axis, oriented so that right of 1 means TypeScript
 * did better (more requests/s; less latency, memory or start time).
 */
import { Canvas, encodePng, type Rgb } from './png.ts';
import { OPS } from './ops.ts';
import type { BenchResults } from './results.ts';

/** One row of the chart: a label and a ratio per route (undefined: not measured). */
export interface ChartRow {
  label: string;
  direct?: number;
  aggregated?: number;
}

const COLORS: Record<'direct' | 'aggregated', Rgb> = { direct: [47, 111, 183], aggregated: [230, 140, 40] };
const INK: Rgb = [30, 30, 30];
const GRID: Rgb = [215, 215, 215];

/** The rows of the chart from results (ratios oriented "higher is better for TypeScript"). */
export function chartRows(r: BenchResults): ChartRow[] {
  const ts = r.primaryTs;
  const rows: ChartRow[] = [];
  const ratio = (route: string, op: (typeof OPS)[number]) => {
    const g = r.load[route]?.go?.[op]?.rps;
    const t = r.load[route]?.[ts]?.[op]?.rps;
    return g && t ? t / g : undefined;
  };
  for (const op of OPS) rows.push({ label: `${op} req/s`, direct: ratio('direct', op), aggregated: ratio('aggregated', op) });
  for (const n of ['100', '1000']) {
    const inv = (route: string) => {
      const g = r.fanout[route]?.go?.[n]?.lastMs;
      const t = r.fanout[route]?.[ts]?.[n]?.lastMs;
      return g && t ? g / t : undefined;
    };
    rows.push({ label: `watch ${n} (1/latency)`, direct: inv('direct'), aggregated: inv('aggregated') });
  }
  const gm = r.memory.go?.seededRssMiB;
  const tm = r.memory[ts]?.seededRssMiB;
  if (gm && tm) rows.push({ label: 'memory (1/RSS)', direct: gm / tm });
  const gs = median(r.startup.go);
  const tb = median(r.startup['ts (bundle)']);
  if (gs && tb) rows.push({ label: 'start (1/time)', direct: gs / tb });
  return rows;
}

function median(xs: number[] | undefined): number | undefined {
  if (!xs?.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Draws the chart and returns the PNG bytes. */
export function renderChart(rows: ChartRow[], title: string, subtitle: string): Buffer {
  const rowH = 44;
  const left = 300;
  const right = 90;
  const top = 96;
  const width = 1100;
  const height = top + rows.length * rowH + 70;
  const c = new Canvas(width, height);
  c.text(20, 16, title, INK, 3);
  c.text(20, 52, subtitle, [90, 90, 90], 2);
  const values = rows.flatMap((r) => [r.direct, r.aggregated]).filter((v): v is number => !!v && v > 0);
  const lo = Math.min(0.25, 2 ** Math.floor(Math.log2(Math.min(...values, 1))));
  const hi = Math.max(4, 2 ** Math.ceil(Math.log2(Math.max(...values, 1))));
  const plotW = width - left - right;
  const x = (v: number) => left + ((Math.log2(v) - Math.log2(lo)) / (Math.log2(hi) - Math.log2(lo))) * plotW;
  const bottom = top + rows.length * rowH;
  for (let v = lo; v <= hi * 1.0001; v *= 2) {
    c.fillRect(x(v), top - 6, 1, bottom - top + 6, v === 1 ? INK : GRID);
    const label = v >= 1 ? `${v}` : `1/${Math.round(1 / v)}`;
    c.text(x(v) - Canvas.textWidth(label) / 2, bottom + 8, label, INK, 2);
  }
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    c.text(20, y + 14, row.label, INK, 2);
    (['direct', 'aggregated'] as const).forEach((route, j) => {
      const v = row[route];
      if (!v) return;
      const by = y + 6 + j * 16;
      const x0 = x(1);
      const x1 = x(Math.min(Math.max(v, lo), hi));
      c.fillRect(Math.min(x0, x1), by, Math.max(2, Math.abs(x1 - x0)), 13, COLORS[route]);
      const txt = `${v.toFixed(2)}x`;
      c.text(v >= 1 ? x1 + 6 : Math.max(left, x1 - Canvas.textWidth(txt) - 6), by, txt, INK, 2);
    });
  });
  const ly = bottom + 40;
  c.fillRect(left, ly, 14, 14, COLORS.direct);
  c.text(left + 22, ly, 'direct', INK, 2);
  c.fillRect(left + 140, ly, 14, 14, COLORS.aggregated);
  c.text(left + 162, ly, 'through the aggregator', INK, 2);
  return encodePng(c);
}
