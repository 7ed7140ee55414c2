/** Renders docs/bench-report.md from a run's results. */
import { OPS, CONCURRENCY } from './ops.ts';
import { findings } from './findings.ts';
import { median, type BenchResults, type OpFigure } from './results.ts';
import type { ProfileSummary } from './profile.ts';
import { aggregatedBound, fanoutRatio, formatRatio, lineBound, lowestAggregatedOp, opRatio, rssRatio, startupRatio, targetMet, TARGETS, type AggregatedBound, type AggregatedCpu } from './targets.ts';
import { scaleSection } from './scale-report.ts';

const f0 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 'n/a' : Math.round(x).toLocaleString('en-US'));
const f1 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const ratio = (t: number | undefined, g: number | undefined) => (t && g && Number.isFinite(t) && Number.isFinite(g) ? `**${(t / g).toFixed(2)}**` : 'n/a');

function loadTable(r: BenchResults): string[] {
  const ts = r.primaryTs;
  const out = [
    `| operation | route | Go req/s | TS req/s | **TS/Go req/s** median (min–max over runs) | Go p50 / p99 ms | TS p50 / p99 ms | **TS/Go p99** | non-2xx Go / TS |`,
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const op of OPS) {
    for (const route of ['direct', 'aggregated']) {
      const g = r.load[route]?.go?.[op];
      const t = r.load[route]?.[ts]?.[op];
      if (!g || !t) continue;
      out.push(`| ${op} | ${route} | ${f0(g.rps)} | ${f0(t.rps)} | ${formatRatio(opRatio(r, route, op))} | ${f1(g.p50)} / ${f1(g.p99)} | ${f1(t.p50)} / ${f1(t.p99)} | ${ratio(t.p99, g.p99)} | ${g.errors} / ${t.errors} |`);
    }
  }
  return out;
}

function fanoutTable(r: BenchResults): string[] {
  const ts = r.primaryTs;
  const out = ['| watchers | route | Go: write → last delivery (median / worst) ms | TS: write → last delivery (median / worst) ms | **TS/Go** | Go / TS: write → median watcher ms |', '|--:|---|--:|--:|--:|--:|'];
  for (const n of ['100', '1000']) {
    for (const route of ['direct', 'aggregated']) {
      const g = r.fanout[route]?.go?.[n];
      const t = r.fanout[route]?.[ts]?.[n];
      if (!g || !t) continue;
      const missed = (x: number) => (x ? ` (${x} writes not delivered to all)` : '');
      out.push(`| ${n} | ${route} | ${f1(g.lastMs)} / ${f1(g.worstMs)}${missed(g.missed)} | ${f1(t.lastMs)} / ${f1(t.worstMs)}${missed(t.missed)} | ${ratio(t.lastMs, g.lastMs)} | ${f1(g.medianMs)} / ${f1(t.medianMs)} |`);
    }
  }
  return out;
}

function variantsTable(r: BenchResults): string[] {
  const ids = Object.keys(r.load.direct);
  const out = [`| operation | ${ids.map((id) => r.labels[id] ?? id).join(' | ')} |`, `|---|${ids.map(() => '--:').join('|')}|`];
  const cell = (x?: OpFigure) => (x ? `${f0(x.rps)} req/s, p99 ${f1(x.p99)} ms` : 'n/a');
  for (const op of OPS) out.push(`| ${op} | ${ids.map((id) => cell(r.load.direct[id]?.[op])).join(' | ')} |`);
  out.push(`| RSS after seeding (MiB) | ${ids.map((id) => f0(r.memory[id]?.seededRssMiB)).join(' | ')} |`);
  out.push(`| RSS after the load / peak (MiB) | ${ids.map((id) => `${f0(r.memory[id]?.afterRssMiB)} / ${f0(r.memory[id]?.peakMiB)}`).join(' | ')} |`);
  return out;
}

function summaryTable(r: BenchResults): string[] {
  const out = ['| measurement | direct | through the aggregator |', '|---|--:|--:|'];
  for (const op of OPS) out.push(`| ${op}: requests/s | ${formatRatio(opRatio(r, 'direct', op))} | ${formatRatio(opRatio(r, 'aggregated', op))} |`);
  for (const op of OPS) out.push(`| ${op}: p99 latency (medians) | ${ratio(r.load.direct[r.primaryTs]?.[op]?.p99, r.load.direct.go?.[op]?.p99)} | ${ratio(r.load.aggregated[r.primaryTs]?.[op]?.p99, r.load.aggregated.go?.[op]?.p99)} |`);
  for (const n of ['100', '1000']) out.push(`| watch fan-out ${n}: write → last delivery | ${formatRatio(fanoutRatio(r, 'direct', n))} | ${formatRatio(fanoutRatio(r, 'aggregated', n))} |`);
  out.push(`| RSS with ${r.memory.go?.objects.toLocaleString('en-US') ?? 'n/a'} objects (one measurement) | ${formatRatio(rssRatio(r))} | |`);
  out.push(`| start → /readyz (tsx / bundle) | ${formatRatio(startupRatio(r, 'ts (tsx)'))} / ${formatRatio(startupRatio(r, 'ts (bundle)'))} | |`);
  return out;
}

/** Issue 17's targets: each line's ratio (median, min–max over runs), its bound, and whether it is met. */
function targetsTable(r: BenchResults): string[] {
  const out = ['| line | TS/Go on etcd | target | met? |', '|---|--:|--:|---|'];
  for (const t of TARGETS) {
    const x = t.ratio(r);
    const paired = x?.runs.filter((v) => Number.isFinite(v)).length ?? 0;
    const why = x && x.failedRuns > 0 ? ' (a run failed)' : x && 2 * paired <= x.runs.length ? ` (a ratio from ${paired} of ${x.runs.length} runs only)` : '';
    out.push(`| ${t.line} | ${formatRatio(x)} | ${t.kind === 'min' ? '≥' : '≤'} ${t.bound} | ${targetMet(t, x) ? 'yes' : `**no**${why}`} |`);
  }
  return out;
}

function profileTables(p: ProfileSummary): string[] {
  return [
    '| area | self time |', '|---|--:|', ...p.areas.map((a) => `| ${a.name} | ${a.percent.toFixed(1)} % |`),
    '', '| function (top 15) | self time |', '|---|--:|', ...p.functions.map((a) => `| \`${a.name.replace(/\|/g, '\\|')}\` | ${a.percent.toFixed(1)} % |`),
  ];
}

const pct = (x: number) => `${(100 * x).toFixed(0)} %`;

/** The load lines not met, each with its measured bounds and what the numbers say bounds it. */
function boundsSection(r: BenchResults): string[] {
  const rows = TARGETS.filter((t) => t.op && !targetMet(t, t.ratio(r))).map((t) => {
    const b = lineBound(r, t.op!);
    if (!b) return `| ${t.line} | n/a | n/a | n/a | n/a | no figures |`;
    const bounds = [b.node && { name: 'Node\'s HTTP/2 on one core (bare node:http2, same answer)', ...b.node }, b.etcd && { name: 'our etcd client on one core', ...b.etcd }]
      .filter((x): x is { name: string; rps: number; bestRatio: number } => !!x);
    const tight = bounds.reduce<typeof bounds[number] | undefined>((a, x) => (!a || x.rps < a.rps ? x : a), undefined);
    const cell = (x?: { rps: number; bestRatio: number }) => (x ? `${f0(x.rps)} (${x.bestRatio.toFixed(2)}×)` : '—');
    const areas = r.lineProfiles?.[t.op!]?.areas.slice(0, 3).map((a) => `${a.name} ${a.percent.toFixed(0)} %`).join(', ');
    const why = !tight ? 'no bound measured'
      : tight.bestRatio < t.bound ? `**out of reach here:** ${tight.name} allows at most ${tight.bestRatio.toFixed(2)}× Go; we reach ${pct(b.tsRps / tight.rps)} of it`
        : `within reach of ${tight.name} (${tight.bestRatio.toFixed(2)}× Go); we reach ${pct(b.tsRps / tight.rps)} of it — the rest is the server's own work${areas ? ` (profile: ${areas})` : ''}`;
    return `| ${t.line} | ${f0(b.tsRps)} | ${f0(b.goRps)} | ${cell(b.node)} | ${cell(b.etcd)} | ${why} |`;
  });
  if (!rows.length) return ['Every direct load target line was met.', ...fanoutBound(r), ...aggregatedBoundSection(r)];
  return [
    'For each load line not met, the same run measured what no server can pass on this machine: the bare node:http2 server answering the same bytes on the server\'s core (`bench/ceiling-server.ts`), and, for create and update, our etcd client alone making that operation\'s etcd calls on that core (`bench/etcd-ceiling.ts`; a get makes no etcd call of its own: it is answered from the watch cache after a revision read shared by the concurrent gets). The ratio in brackets is the best TS/Go that bound allows. Medians over the runs, requests/s.',
    '', '| line | TS | Go | bare node:http2 | etcd client alone | what bounds it |', '|---|--:|--:|--:|--:|---|', ...rows, ...fanoutBound(r), ...aggregatedBoundSection(r),
  ];
}

const busy = (c: AggregatedCpu | undefined, key: 'loadCpu' | 'serverCpu' | 'kubeApiserver' | 'etcd' | 'server' | 'loadGenerator') => (c ? pct(c[key]) : 'n/a');
/** Milliseconds of the load generator's CPU per request: its busy fraction over the requests/s. */
const loadCpuPerRequest = (c: AggregatedCpu | undefined, rps: number) => (c ? (1000 * c.loadCpu) / rps : NaN);

/** How long the server's collector held it still during the runs (median share of the window and median longest pause). */
function gcSentence(ts: AggregatedCpu, cpu0: string): string {
  if (ts.gcPausedShare === undefined || ts.longestGcPauseMs === undefined) return '';
  return ` The server's garbage collector paused it for ${(100 * ts.gcPausedShare).toFixed(1)} % of each run, its longest pause ${f0(ts.longestGcPauseMs)} ms (medians over the runs, from \`--trace-gc\`): a pause longer than what CPU ${cpu0} has queued leaves that core idle.`;
}

/** A core at least this busy over a measurement is taken as saturated. */
const SATURATED = 0.9;

/**
 * Why the aggregator's lowest line is where it is, computed from its bound and CPU figures: out of
 * reach (the ceiling itself is below the target), bounded by the server's core, bounded by the
 * core kube-apiserver shares with etcd and the load generator, or by neither (latency-bound).
 */
export function aggregatedVerdict(r: BenchResults, b: AggregatedBound, bound: number): string {
  const [cpu0, cpu1] = [r.settings.loadCpu, r.settings.serverCpu];
  const { ts, go } = b.cpu;
  const reach = `we reach ${pct(b.tsRps / b.ceilingRps)} of it`;
  if (b.bestRatio < bound) return `**out of reach here:** a backend that does no work reaches ${b.bestRatio.toFixed(2)}× Go's requests/s through this aggregator, below the target's ${bound}; ${reach}.`;
  const within = `within reach of the ceiling behind the aggregator (${b.bestRatio.toFixed(2)}× Go)`;
  if (!ts) return `${within}; ${reach}. No CPU figures of our runs, so what bounds us was not measured.`;
  const cores = `CPU ${cpu0} (kube-apiserver ${pct(ts.kubeApiserver)}, etcd ${pct(ts.etcd)}, the load generator ${pct(ts.loadGenerator)} of a core) was ${pct(ts.loadCpu)} busy and the server's CPU ${cpu1} ${pct(ts.serverCpu)}`;
  if (ts.loadCpu < SATURATED && ts.serverCpu < SATURATED) return `**latency-bound:** ${within}; ${reach}. During our runs neither core was saturated: ${cores}, so requests waited on something other than CPU.`;
  if (ts.loadCpu < SATURATED) return `**bounded by the server's core:** ${within}; ${reach}. During our runs ${cores}: the rest is the server's own work.`;
  const [goMs, tsMs, ceilingMs] = [loadCpuPerRequest(go, b.goRps), loadCpuPerRequest(ts, b.tsRps), loadCpuPerRequest(b.cpu.ceiling, b.ceilingRps)];
  const predicted = goMs / tsMs;
  const idle = go && ts.loadCpu < go.loadCpu - 0.01
    ? ` The medians' ratio is ${(b.tsRps / b.goRps).toFixed(2)}×, below that, because CPU ${cpu0} was ${pct(ts.loadCpu)} busy during our runs against ${pct(go.loadCpu)} during Go's: for the rest of the time every request in flight was waiting on the server.${gcSentence(ts, cpu0)}`
    : '';
  return `**bounded by CPU ${cpu0}${ts.serverCpu >= SATURATED ? ' and by the server\'s core' : ', not by the server'}:** during our runs ${cores}. `
    + `So requests/s through the aggregator follow what each request costs on CPU ${cpu0}: ${f1(goMs)} ms for Go, ${f1(tsMs)} ms for TypeScript, ${f1(ceilingMs)} ms for the ceiling, which makes no etcd call (etcd KV calls per request: Go ${f1(go?.etcdCallsPerRequest)}, TypeScript ${f1(ts.etcdCallsPerRequest)}, which shares one revision read among the consistent reads that arrive while one is in flight). `
    + `A server that costs CPU ${cpu0} what the ceiling does would reach ${b.bestRatio.toFixed(2)}× Go; ${reach}, and ${predicted.toFixed(2)}× is the TS/Go ratio these costs predict.${idle}`;
}

/**
 * The aggregator line's bound, when that line is not met: the ceiling server registered behind
 * the same aggregator, and where the CPU went (per operation, medians over the runs).
 */
function aggregatedBoundSection(r: BenchResults): string[] {
  const target = TARGETS.find((t) => t.line.startsWith('through the aggregator'));
  const lowest = lowestAggregatedOp(r);
  if (!target || !lowest || targetMet(target, target.ratio(r))) return [];
  const b = aggregatedBound(r, lowest);
  if (!b) return ['', `**Through the aggregator** (lowest line: ${lowest}): no figures of the ceiling server behind the aggregator in this run, so no bound was measured.`];
  const [cpu0, cpu1] = [r.settings.loadCpu, r.settings.serverCpu];
  const three = (x: AggregatedBound, f: (c: AggregatedCpu | undefined, rps: number) => string) => [f(x.cpu.go, x.goRps), f(x.cpu.ts, x.tsRps), f(x.cpu.ceiling, x.ceilingRps)].join(' / ');
  const rows = OPS.map((op) => aggregatedBound(r, op)).filter((x) => !!x).map((x) =>
    `| ${x.op} | ${f0(x.tsRps)} | ${f0(x.goRps)} | ${f0(x.ceilingRps)} (${x.bestRatio.toFixed(2)}×) | ${pct(x.tsRps / x.ceilingRps)} | ${three(x, (c) => busy(c, 'loadCpu'))} | ${three(x, (c) => busy(c, 'serverCpu'))} | ${three(x, (c, rps) => f1(loadCpuPerRequest(c, rps)))} |`);
  const gc = (c: AggregatedCpu | undefined) => (c?.gcPausedShare === undefined ? 'not traced' : `${(100 * c.gcPausedShare).toFixed(1)} % (${f0(c.longestGcPauseMs ?? NaN)} ms)`);
  const who = (name: string, c: AggregatedCpu | undefined) => `| ${name} | ${busy(c, 'kubeApiserver')} | ${busy(c, 'etcd')} | ${busy(c, 'loadGenerator')} | ${busy(c, 'server')} | ${f1(c?.etcdCallsPerRequest)} | ${gc(c)} |`;
  return [
    '', `**Through the aggregator** (the target's lowest line is ${lowest}): each run also registered the bare node:http2 server (\`bench/ceiling-server.ts\`, which answers the aggregator's discovery and OpenAPI requests too) as the wardle APIServices and measured it through kube-apiserver like Go and TypeScript: what the aggregator's proxy allows on this machine with a backend that does no work. The ${lowest} line is ${aggregatedVerdict(r, b, target.bound)}`,
    '', `Medians over the runs; CPU figures are over each whole measurement (warm-up included), as Go / TypeScript / ceiling. "ms of CPU ${cpu0} per request" is CPU ${cpu0}'s busy fraction divided by the requests/s.`,
    '', `| operation | TS req/s | Go req/s | ceiling behind the aggregator, req/s (best TS/Go) | TS of ceiling | CPU ${cpu0} busy | CPU ${cpu1} busy | ms of CPU ${cpu0} per request |`,
    '|---|--:|--:|--:|--:|--:|--:|--:|', ...rows,
    '', `Where the CPU went during ${lowest} through the aggregator (cores; kube-apiserver, etcd and the load generator are on CPU ${cpu0}, the server on CPU ${cpu1}):`,
    '', '| backend | kube-apiserver | etcd | load generator | server | etcd KV calls per request | server paused by its GC (longest pause) |', '|---|--:|--:|--:|--:|--:|--:|',
    who('Go sample-apiserver', b.cpu.go), who('TypeScript wardle', b.cpu.ts), who('ceiling (bare node:http2)', b.cpu.ceiling),
  ];
}

/** The fan-out line's bound, when that line is not met: the bare node:http2 server fanning out the same write. */
function fanoutBound(r: BenchResults): string[] {
  const target = TARGETS.find((t) => t.line.startsWith('watch fan-out'));
  const [g, t, c] = (['go', r.primaryTs, 'ceiling'] as const).map((id) => r.fanout.direct[id]?.['1000']);
  if (!target || targetMet(target, target.ratio(r)) || !g || !t || !c) return [];
  const best = c.lastMs / g.lastMs;
  const verdict = best > target.bound
    ? `**out of reach here:** a server that does nothing but that takes ${best.toFixed(2)}× Go's time, above the target's ${target.bound}`
    : `within reach: the bare server takes ${best.toFixed(2)}× Go's time, we take ${(t.lastMs / g.lastMs).toFixed(2)}×; the rest is our own work`;
  return ['', `**Watch fan-out, 1,000 watchers** (write → last delivery, median over the runs, ms): TypeScript ${f1(t.lastMs)}, Go ${f1(g.lastMs)}, bare node:http2 ${f1(c.lastMs)}. The bare server holds the same 1,000 streams on the server's core and, on the write, sends one precomputed MODIFIED line to each before it answers: ${verdict}.`];
}

/** One profile per load target line that was not met, driven with that operation alone. */
function lineProfilesSection(r: BenchResults): string[] {
  const entries = Object.entries(r.lineProfiles ?? {}).filter((e): e is [string, ProfileSummary] => !!e[1]);
  if (!entries.length) return ['Every load target line was met, or line profiles were not taken (`--no-profile` / `--no-line-profiles`).'];
  return entries.flatMap(([op, p]) => [
    `### ${op}`, '', `A profiled TypeScript server (${r.labels[p.variant] ?? p.variant}) driven with ${op} alone for ${p.seconds} s (start-up, ${p.skippedMs} ms, left out):`, '', ...profileTables(p), '',
  ]);
}

function profileSection(r: BenchResults): string[] {
  const p = r.profile;
  if (!p) return ['Not profiled in this run (`--no-profile`).'];
  return [
    `One extra run of the TypeScript server (${r.labels[p.variant] ?? p.variant}) under \`node --cpu-prof\`, driven with ${p.ops.join(', ')} (${p.seconds} s in all). The first ${p.skippedMs} ms (start-up, module loading by tsx) are left out. Self time, in percent of the non-idle samples:`,
    '', ...profileTables(p),
  ];
}

function setupSection(r: BenchResults): string[] {
  const m = r.machine;
  return [
    `- **Date:** ${r.date}, tree \`${r.commit ?? 'unknown'}\` (wall time of the run: ${Math.floor(r.wallSeconds / 60)} min ${r.wallSeconds % 60} s).`,
    `- **Machine:** ${m.cores} × ${m.cpu}, ${m.memGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}. Load average before / after: ${m.loadBefore.map((x) => x.toFixed(2)).join(', ')} / ${m.loadAfter.map((x) => x.toFixed(2)).join(', ')}. The VM is shared, and other jobs ran at the same time, so absolute figures are noisy; the ratios come from interleaved runs.`,
    `- **Servers:** k8s.io/sample-apiserver v0.36.3 (built by \`scripts/build-sample-apiserver.sh\`) and examples/wardle. Both run as separate processes in delegated mode against a real kube-apiserver v1.36.3 with its etcd, and both are pinned to **CPU ${r.settings.serverCpu}**. Each runs in its shipped form: sample-apiserver as its Go binary, our servers as the esbuild bundle that \`examples/wardle/Dockerfile\` runs, with its ENTRYPOINT's node flags plus \`--trace-gc\` (V8 writes one line per collection to the server's log, which the bench reads to measure GC pauses; no TypeScript compiled at start; the profile run alone uses tsx, so that its samples name our source files). One etcd 3.6.16 (\`--unsafe-no-fsync\`) serves both: sample-apiserver and our server on etcd, under different prefixes.`,
    `- **Load generator:** our own closed-loop HTTP/2 client (\`bench/loadgen.ts\`, node:http2, TLS with the cluster-admin client certificate). It runs on **CPU ${r.settings.loadCpu}**, together with etcd and kube-apiserver. Concurrency (requests in flight over up to 4 connections): ${Object.entries(CONCURRENCY).map(([k, v]) => `${k} ${v}`).join(', ')}. Each figure is the median of **${r.settings.runs} runs** of ${r.settings.durationMs / 1000} s, each after ${r.settings.warmupMs / 1000} s of warm-up. Go and TypeScript alternate within every run. Requests use wardle.example.com/v1beta1.`,
    `- **Ceiling:** a bare node:http2 TLS server on CPU ${r.settings.serverCpu} answers every operation with a precomputed answer of the same shape and size and does nothing else (get: ${f0(r.ceiling?.rps)} req/s, p50 ${f1(r.ceiling?.p50)} ms, p99 ${f1(r.ceiling?.p99)} ms; every operation in "What bounds the load lines not met"). This is the limit of the load generator and of Node's HTTP/2 on one core, not of either server.`,
    '- **Operations:** get = one Flunder by name. list-N = a namespace of N Flunders, the whole list with no limit. create = POST with generateName. update = PUT of the worker\'s own Flunder with its current resourceVersion, so there are no conflicts. The watch fan-out opens N watchers on one namespace (100 streams per connection), patches one object 10 times, and records the time from sending each write until the last watcher has its event.',
    `- **Through the aggregator:** the same requests go to kube-apiserver (CPU ${r.settings.loadCpu}), which proxies them to the server registered as v1alpha1/v1beta1.wardle.example.com. Only one server is registered at a time: each run registers Go, measures, then re-registers TypeScript and measures again, then the ceiling server (load only, no fan-out) (about 2 s per switch).`,
    ...r.notes.map((n) => `- **Note:** ${n}`),
  ];
}

/** The whole report. */
export function renderReport(r: BenchResults): string {
  const ts = r.labels[r.primaryTs] ?? r.primaryTs;
  return [
    '# Benchmarks: the TypeScript wardle vs the Go sample-apiserver', '',
    `Generated by \`npm run bench\` (\`bench/run.ts\`); the raw figures of this run are in \`bench/results/latest.json\`. The comparison is **${ts}** vs **${r.labels.go}**.`,
    '', '## Setup', '', ...setupSection(r),
    '', '## Targets (issue 17)', '', 'Each ratio is the median over the runs, with its min–max across runs. A run with non-2xx answers or missed watch events is a failed run: a line where TypeScript failed in any run is not met; a run where only Go failed has no ratio, is left out and counted next to the ratio, and a line needs a ratio from more than half of its runs.', '', ...targetsTable(r),
    '', '## What bounds the load lines not met', '', ...boundsSection(r),
    '', '## Findings', '', ...findings(r),
    '', '## TypeScript / Go ratios', '', 'Above 1 for requests/s means TypeScript is faster. For latency, memory and time, below 1 means TypeScript is better.', '', ...summaryTable(r),
    '', '![TypeScript / Go ratios](bench-chart.png)', '',
    '*The chart is a PNG drawn by `bench/png.ts`: a pure-Node encoder with node:zlib, CRC-32 and a 5×7 bitmap font. No browser was used. It plots the ratios "TypeScript better when right of 1" on a log₂ axis. Latency, memory and start time are inverted so that they read the same way.*',
    '', '## Throughput and latency', '', ...loadTable(r),
    '', '## Watch fan-out', '', ...fanoutTable(r),
    '', '## Memory and start-up', '',
    `RSS of the server process after seeding ${r.memory.go?.objects.toLocaleString('en-US') ?? 'n/a'} Flunders (10 + 1,000 + 10,000 in the list namespaces, plus the targets): Go ${f0(r.memory.go?.seededRssMiB)} MiB, TypeScript ${f0(r.memory[r.primaryTs]?.seededRssMiB)} MiB. etcd's own memory is not counted; it is shared. After all the load runs, including every object the create runs left: Go ${f0(r.memory.go?.afterRssMiB)} MiB (peak ${f0(r.memory.go?.peakMiB)}), TypeScript ${f0(r.memory[r.primaryTs]?.afterRssMiB)} MiB (peak ${f0(r.memory[r.primaryTs]?.peakMiB)}).`,
    '', '| start → first /readyz 200 (ms) | median | all starts |', '|---|--:|---|',
    ...Object.entries(r.startup).map(([k, v]) => `| ${k} | ${f0(median(v))} | ${v.map(f0).join(', ')} |`),
    ...(r.moduleLoad ? ['', '| importing, alone in a fresh Node on the server\'s core (ms) | median | all imports |', '|---|--:|---|',
      ...Object.entries(r.moduleLoad).map(([k, v]) => `| \`${k}\` | ${f0(median(v))} | ${v.map(f0).join(', ')} |`)] : []),
    '', '"ts (tsx)" is how `npm start` runs: TypeScript is compiled at load time. "ts (bundle)" is the esbuild bundle that `examples/wardle/Dockerfile` runs. All three have to reach kube-apiserver (for the authentication ConfigMap) and etcd before they are ready.',
    '', '## Storage variants of the TypeScript server (direct)', '', ...variantsTable(r),
    '', '## Scale curve', '', ...scaleSection(r),
    '', '## Where the TypeScript server spends its time', '', ...profileSection(r),
    '', '## Profiles of the target lines not met', '', ...lineProfilesSection(r), '',
  ].join('\n');
}
