/**
 * The "Findings" of the report, derived from the figures of the run (ranges of ratios, the
 * storage comparison) and from the profile (what the hottest functions are, and what to do).
 */
import { OPS } from './ops.ts';
import { median, type BenchResults } from './results.ts';

/** What a hot function of the profile is, and what would make it cheaper. */
const HINTS: Array<[RegExp, string]> = [
  [/^verify \(node:internal\/crypto\/x509/, 'the client certificate is verified against the CA bundle in JavaScript on every request (`verifiedBy` in src/auth/x509.ts, called from `authenticate` in src/server/server.ts). A TLS connection\'s peer certificate never changes, so caching the result per socket (a WeakMap keyed by the TLS socket, dropped when the CA bundle changes) would remove this cost; Go verifies once per TLS handshake.'],
  [/^decodeObject \(src\/storage\/object-codec/, 'decoding stored objects (JSON.parse of each object): gets (one copy each), writes (the current object handed to the update), the watch cache\'s upstream events, and lists the cache cannot answer in their encoded form (selectors, other versions, Table, YAML). Lists of the stored version and watch events are sent from encoded answers kept per object and per event (serialise once).'],
  [/^unary \(src\/storage\/etcd\/wire\/grpc/, 'the etcd client (our gRPC over node:http2, src/storage/etcd/wire): one unary call per write, and per revision read shared by the concurrent consistent reads.'],
  [/^writeObject \(src\/endpoints\/http/, 'serialising answers (JSON.stringify) and writing them to the HTTP/2 stream.'],
  [/^DOMException/, 'an AbortController aborted on every stream close in src/server/server.ts: `abort()` without a reason allocates a DOMException (with a stack) per request. `abort(SHARED_REASON)`, or aborting only when the stream closes before the answer is sent, avoids it.'],
  [/^\(garbage collector\)/, 'garbage collection: short-lived copies of objects per request (decode, convert, encode).'],
];

const range = (xs: number[]) => {
  const f = xs.filter((x) => Number.isFinite(x));
  return f.length ? `${Math.min(...f).toFixed(2)}–${Math.max(...f).toFixed(2)}×` : 'n/a';
};

const fan = (r: BenchResults, id: string, n: string) => r.fanout.direct[id]?.[n]?.lastMs.toFixed(1) ?? 'n/a';

/** The range of (aggregated p50 − direct p50) over the small operations, in ms. */
function added(r: BenchResults, id: string): string {
  const xs = (['get', 'list-10', 'create', 'update'] as const).map((op) => (r.load.aggregated[id]?.[op]?.p50 ?? NaN) - (r.load.direct[id]?.[op]?.p50 ?? NaN));
  const f = xs.filter((x) => Number.isFinite(x));
  return f.length ? `${Math.min(...f).toFixed(0)}–${Math.max(...f).toFixed(0)}` : 'n/a';
}

function ratios(r: BenchResults, route: string, id: string): number[] {
  return OPS.map((op) => (r.load[route]?.[id]?.[op]?.rps ?? NaN) / (r.load[route]?.go?.[op]?.rps ?? NaN));
}

/** The findings as Markdown bullet lines. */
export function findings(r: BenchResults): string[] {
  const ts = r.primaryTs;
  const out = [
    `- **Throughput, direct.** ${r.labels[ts]} serves ${range(ratios(r, 'direct', ts))} of Go's requests/s over get, lists, create and update.`
      + Object.keys(r.load.direct).filter((id) => id !== 'go' && id !== ts).map((id) => ` ${r.labels[id]}: ${range(ratios(r, 'direct', id))}.`).join(''),
    `- **Through the aggregator**, kube-apiserver's proxy runs on the load generator's CPU and adds ${added(r, 'go')} ms (Go) and ${added(r, ts)} ms (TypeScript) to the median latency of get, list-10, create and update. The ratios there are ${range(ratios(r, 'aggregated', ts))}.`,
    largeLists(r),
    `- **Watch fan-out** (from the write to the last watcher, direct): with 100 watchers, Go takes ${fan(r, 'go', '100')} ms and TypeScript ${fan(r, ts, '100')} ms; with 1,000 watchers, Go takes ${fan(r, 'go', '1000')} ms and TypeScript ${fan(r, ts, '1000')} ms.`,
    `- **Memory.** After seeding, RSS is Go ${Math.round(r.memory.go?.seededRssMiB ?? NaN)} MiB and TypeScript ${Math.round(r.memory[ts]?.seededRssMiB ?? NaN)} MiB. After the load (every created object included), Go grew to ${Math.round(r.memory.go?.afterRssMiB ?? NaN)} MiB with a peak of ${Math.round(r.memory.go?.peakMiB ?? NaN)} MiB, and TypeScript to ${Math.round(r.memory[ts]?.afterRssMiB ?? NaN)} MiB (peak ${Math.round(r.memory[ts]?.peakMiB ?? NaN)}).`,
    `- **Start-up.** Go is ready in ${Math.round(median(r.startup.go ?? []))} ms. The esbuild bundle (what the container runs) takes ${Math.round(median(r.startup['ts (bundle)'] ?? []))} ms, and tsx (\`npm start\`) takes ${Math.round(median(r.startup['ts (tsx)'] ?? []))} ms, most of it spent compiling TypeScript at load time. Node itself, running no code on the same core, takes ${Math.round(median(r.startup['node (no code)'] ?? []))} ms: the floor of any Node server, ${(median(r.startup['node (no code)'] ?? []) / median(r.startup.go ?? [])).toFixed(2)}× Go's whole start.`,
    ...moduleLoad(r),
    perObject(r),
  ];
  return [...out, ...profileFindings(r)];
}

/** The heaviest dependencies' import times against Go's whole start (what bounds the start of a Node server that loads them). */
function moduleLoad(r: BenchResults): string[] {
  if (!r.moduleLoad) return [];
  const go = median(r.startup.go ?? []);
  const loads = Object.entries(r.moduleLoad).map(([m, v]) => [m, median(v)] as const).sort((a, b) => b[1] - a[1]);
  const top = loads.slice(0, 2);
  return [`  - Of the dependencies the server loads at start, importing ${top.map(([m, ms]) => `\`${m}\` takes ${Math.round(ms)} ms`).join(' and ')} on that core (each alone, unbundled, in a fresh Node): together ${(top.reduce((n, [, ms]) => n + ms, 0) / go).toFixed(2)}× Go's whole start.`];
}

/** Memory per seeded object: (RSS after seeding − RSS before) / objects, Go and TypeScript. */
function perObject(r: BenchResults): string {
  const per = (id: string) => {
    const m = r.memory[id];
    return m?.emptyRssMiB === undefined ? NaN : ((m.seededRssMiB - m.emptyRssMiB) * 1024 * 1024) / m.objects;
  };
  const kib = (x: number) => (Number.isFinite(x) ? `${(x / 1024).toFixed(1)} KiB` : 'n/a');
  const m = (id: string) => Math.round(r.memory[id]?.emptyRssMiB ?? NaN);
  return `- **Memory per object.** Before seeding, RSS is Go ${m('go')} MiB and TypeScript ${m(r.primaryTs)} MiB; each seeded object then adds Go ${kib(per('go'))} and TypeScript ${kib(per(r.primaryTs))} (RSS growth / ${r.memory.go?.objects.toLocaleString('en-US') ?? 'n/a'} objects).`;
}

/** The weakest and strongest direct lines of the primary variant, and how the other storages compare on large lists. */
function largeLists(r: BenchResults): string {
  const ts = r.primaryTs;
  const direct = ratios(r, 'direct', ts);
  const finite = OPS.map((op, i) => [op, direct[i]] as const).filter(([, x]) => Number.isFinite(x));
  if (!finite.length) return '- **Weakest line:** n/a (no direct figures).';
  const weakest = finite.reduce((a, b) => (b[1] < a[1] ? b : a));
  const strongest = finite.reduce((a, b) => (b[1] > a[1] ? b : a));
  const others = Object.keys(r.load.direct).filter((id) => id !== 'go' && id !== ts)
    .map((id) => `${r.labels[id]} ${ratios(r, 'direct', id)[2].toFixed(2)}× on list-1000`).join(', ');
  return `- **Weakest line** (direct, median ratio): ${weakest[0]} at ${weakest[1].toFixed(2)}×; strongest: ${strongest[0]} at ${strongest[1].toFixed(2)}×; list-1000 ${range([direct[2], ratios(r, 'aggregated', ts)[2]])}, list-10000 ${range([direct[3], ratios(r, 'aggregated', ts)[3]])} (direct, aggregated).${others ? ` Other storages: ${others}.` : ''}`;
}

function profileFindings(r: BenchResults): string[] {
  if (!r.profile) return [];
  const lines = r.profile.functions.flatMap((f) => {
    const hint = HINTS.find(([re]) => re.test(f.name));
    return hint ? [`  - \`${f.name.split(' (')[0]}\` ${f.percent.toFixed(1)} %: ${hint[1]}`] : [];
  });
  return lines.length ? ['- **Where the time goes** (profile below; percentages of CPU time):', ...lines] : [];
}
