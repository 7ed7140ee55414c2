/**
 * The scale curve: how the cost of Go and of our primary TypeScript variant grows with the data
 * and with the watchers, on their own pair of servers (fresh etcd prefixes, so the main figures
 * are not disturbed). Objects are added in steps (e.g. 1k, 10k, 100k Flunders in one namespace);
 * at each step: RSS, list-all latency (whole namespace, sequential, Go and TypeScript
 * alternating), and a restart (TypeScript runs as the shipped bundle, so the restart measures
 * the cache warm-up, not compiling TypeScript): start → /readyz and start → first list-all 200 (the watch cache
 * warm-up). Then, with the largest data set, watch fan-outs with 100 / 1k / 10k watchers: RSS
 * while they are open and write → last delivery.
 */
import { totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { startTarget, type BenchEnv, type Target, type TsVariant } from './env.ts';
import { openSessions, pump, send, type Endpoint } from './loadgen.ts';
import { memoryOf } from './measure.ts';
import { fanout } from './watch-fanout.ts';

const V = '/apis/wardle.example.com/v1beta1';
/** The namespace the scale objects live in (created with the other bench namespaces). */
export const SCALE_NAMESPACE = 'bench-scale';
const LIST_PATH = `${V}/namespaces/${SCALE_NAMESPACE}/flunders`;
/**
 * Wall time one side may spend on the runs of one watcher count: after a run that ends past it,
 * that side's remaining runs at this count are left out (and said so), so a server that takes
 * minutes per run cannot hold the whole benchmark up.
 */
const WATCHER_STEP_BUDGET_MS = 5 * 60_000;
/**
 * A side whose RSS at one watcher count, scaled by the next count's factor, would pass this much
 * of the machine's memory is not run at the next count (it would push the machine into the OOM
 * killer, which may pick any process of the benchmark).
 */
const WATCHER_MEMORY_SHARE = 0.5;

/** What the curve measures. */
export interface ScaleOptions {
  objects: number[];
  watchers: number[];
  /** list-all requests per side and step, and fan-out runs per side and watcher count. */
  runs: number;
  fanoutWrites: number;
}

/** One side at one object count. */
export interface ScaleSide {
  rssMiB: number;
  /** One per run, ms. */
  listAllMs: number[];
  /** Bytes of one list-all answer. */
  listBytes: number;
  restartReadyMs: number;
  restartFirstListMs: number;
  /** Non-2xx answers or transport errors while measuring this point. */
  errors: number;
}

/** One side at one watcher count. */
export interface WatchSide {
  rssMiB: number;
  /** Write → last delivery, ms, one median per run. */
  lastMs: number[];
  missed: number;
}

/** The curve's figures (bench/results/latest.json `scale`). */
export interface ScaleCurve {
  variant: string;
  objects: Array<{ objects: number; go: ScaleSide; ts: ScaleSide }>;
  watchers: Array<{ watchers: number; objects: number; go: WatchSide; ts: WatchSide }>;
  notes: string[];
}

type Side = 'go' | 'ts';

function flunder(name: string): string {
  return JSON.stringify({
    apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder',
    metadata: { name, namespace: SCALE_NAMESPACE, labels: { app: 'bench-scale' } },
    spec: { flunderReference: `ref-${name}`, referenceType: 'Flunder' },
  });
}

/** One GET of the whole namespace: ms until the last byte, and the body size. */
async function listAll(ep: Endpoint): Promise<{ ms: number; bytes: number; ok: boolean }> {
  const [s] = await openSessions(ep, 1);
  try {
    const t0 = performance.now();
    const res = await send(s, { method: 'GET', path: LIST_PATH }, true);
    return { ms: performance.now() - t0, bytes: Buffer.byteLength(res.body), ok: res.status === 200 };
  } finally {
    s.close();
  }
}

/** Polls list-all until it answers 200; returns the time from `t0`. */
async function firstList(ep: Endpoint, t0: number, timeoutMs = 600_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const res = await listAll(ep).catch(() => undefined);
    if (res?.ok) return performance.now() - t0;
    if (performance.now() > deadline) throw new Error('no list-all 200 after the restart');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Waits until `ep` takes the admin's client certificate: sample-apiserver answers /readyz before
 * its client CA (read from kube-apiserver's ConfigMap) is loaded, and treats the admin as
 * system:anonymous until then (403); a server just started may also close a first connection.
 * Each attempt uses a new connection. At most 30 s.
 */
async function untilAuthenticated(ep: Endpoint): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    let outcome: string;
    let session: Awaited<ReturnType<typeof openSessions>>[number] | undefined;
    try {
      [session] = await openSessions(ep, 1);
      const res = await send(session, { method: 'GET', path: `${V}/namespaces/bench-watch/flunders?limit=1` }, false);
      if (res.status === 200) return;
      outcome = String(res.status);
    } catch (err) {
      outcome = (err as Error).message;
    } finally {
      session?.close();
    }
    if (Date.now() > deadline) throw new Error(`${ep.base} does not authenticate the admin after 30 s: ${outcome}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function endpointOf(server: Target['server'], admin: BenchEnv['admin']): Endpoint {
  return { base: server.url, ca: server.ca.certPem, ...admin };
}

/** Measures the curve (see the file comment); `log` narrates. */
export async function scaleCurve(env: BenchEnv, variant: TsVariant, o: ScaleOptions, log: (m: string) => void): Promise<ScaleCurve> {
  const ids: Record<Side, 'go' | TsVariant> = { go: 'go', ts: variant };
  const servers: Partial<Record<Side, Target['server']>> = {};
  const curve: ScaleCurve = { variant, objects: [], watchers: [], notes: [] };
  const { bundle } = env;
  const start = async (side: Side) => {
    const t0 = performance.now();
    const server = await startTarget(env, ids[side], '-scale', side === 'ts' ? { entry: bundle } : {});
    servers[side] = server;
    await untilAuthenticated(endpointOf(server, env.admin));
    return { server, t0 };
  };
  try {
    for (const side of ['go', 'ts'] as const) {
      const { server } = await start(side);
      await pump(endpointOf(server, env.admin), 1, 1, () => ({ method: 'POST', path: `${V}/namespaces/bench-watch/flunders`, body: JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name: 'fan', namespace: 'bench-watch' }, spec: { flunderReference: 'x', referenceType: 'Flunder' } }) }));
    }
    let have = 0;
    for (const n of [...o.objects].sort((a, b) => a - b)) {
      for (const side of ['go', 'ts'] as const) {
        const t0 = performance.now();
        await pump(endpointOf(servers[side]!, env.admin), n - have, 32, (i) => ({ method: 'POST', path: LIST_PATH, body: flunder(`s-${String(have + i).padStart(7, '0')}`) }));
        log(`scale: ${side} seeded to ${n} objects in ${Math.round(performance.now() - t0)} ms`);
      }
      have = n;
      curve.objects.push(await measurePoint(env, n, o.runs, servers, start, log));
    }
    const gaveUp = new Set<Side>();
    for (const w of [...o.watchers].sort((a, b) => a - b)) {
      const previous = curve.watchers.at(-1);
      if (previous) skipWhenMemoryWouldRunOut(previous, w, gaveUp, curve.notes);
      curve.watchers.push(await measureWatchers(env, have, w, o, servers, log, curve.notes, gaveUp));
    }
    return curve;
  } finally {
    for (const s of Object.values(servers)) await s?.stop();
  }
}

async function measurePoint(env: BenchEnv, n: number, runs: number, servers: Partial<Record<Side, Target['server']>>,
  start: (side: Side) => Promise<{ server: Target['server']; t0: number }>, log: (m: string) => void): Promise<{ objects: number; go: ScaleSide; ts: ScaleSide }> {
  const sides: Record<Side, ScaleSide> = {
    go: { rssMiB: NaN, listAllMs: [], listBytes: 0, restartReadyMs: NaN, restartFirstListMs: NaN, errors: 0 },
    ts: { rssMiB: NaN, listAllMs: [], listBytes: 0, restartReadyMs: NaN, restartFirstListMs: NaN, errors: 0 },
  };
  // Restart first, so RSS and list latency are those of a server that loaded the data at start.
  for (const side of ['go', 'ts'] as const) {
    await servers[side]!.stop();
    const { server, t0 } = await start(side);
    sides[side].restartReadyMs = server.readyMs;
    sides[side].restartFirstListMs = await firstList(endpointOf(server, env.admin), t0);
  }
  for (let run = 0; run < runs; run++) {
    for (const side of (run % 2 ? ['ts', 'go'] : ['go', 'ts']) as Side[]) {
      const res = await listAll(endpointOf(servers[side]!, env.admin)).catch(() => ({ ms: NaN, bytes: 0, ok: false }));
      if (!res.ok) sides[side].errors++;
      sides[side].listAllMs.push(res.ok ? res.ms : NaN);
      sides[side].listBytes = res.bytes;
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
  for (const side of ['go', 'ts'] as const) sides[side].rssMiB = memoryOf(servers[side]!.proc.pid).rssMiB;
  log(`scale ${n}: RSS go ${Math.round(sides.go.rssMiB)} / ts ${Math.round(sides.ts.rssMiB)} MiB; list-all go ${Math.round(sides.go.listAllMs[0])} / ts ${Math.round(sides.ts.listAllMs[0])} ms; restart→first list go ${Math.round(sides.go.restartFirstListMs)} / ts ${Math.round(sides.ts.restartFirstListMs)} ms`);
  return { objects: n, ...sides };
}

/** Adds to `gaveUp` each side whose RSS at `previous`, scaled to `watchers`, would pass WATCHER_MEMORY_SHARE of the machine (with a note). */
function skipWhenMemoryWouldRunOut(previous: ScaleCurve['watchers'][number], watchers: number, gaveUp: Set<Side>, notes: string[]): void {
  const limitMiB = (totalmem() / 2 ** 20) * WATCHER_MEMORY_SHARE;
  for (const side of ['go', 'ts'] as const) {
    const projected = previous[side].rssMiB * (watchers / previous.watchers);
    if (gaveUp.has(side) || !(projected > limitMiB)) continue;
    gaveUp.add(side);
    notes.push(`scale curve: ${side} was not run with ${watchers} watchers: it held ${Math.round(previous[side].rssMiB)} MiB with ${previous.watchers}, so ${watchers} would need about ${Math.round(projected)} MiB, past ${Math.round(limitMiB)} MiB (half of this machine's memory)`);
  }
}

/**
 * The fan-outs of one watcher count, `o.runs` per side (alternating). A side that failed at a
 * smaller count (`gaveUp`) is not run again; a failed run, or runs past WATCHER_STEP_BUDGET_MS,
 * end that side's runs at this count. Each case is a note.
 */
async function measureWatchers(env: BenchEnv, objects: number, watchers: number, o: ScaleOptions, servers: Partial<Record<Side, Target['server']>>,
  log: (m: string) => void, notes: string[], gaveUp: Set<Side>): Promise<{ watchers: number; objects: number; go: WatchSide; ts: WatchSide }> {
  const sides: Record<Side, WatchSide> = { go: { rssMiB: NaN, lastMs: [], missed: 0 }, ts: { rssMiB: NaN, lastMs: [], missed: 0 } };
  const spent: Record<Side, number> = { go: 0, ts: 0 };
  const done = new Set<Side>();
  for (const side of gaveUp) if (!notes.some((n) => n.startsWith(`scale curve: ${side} was not run with ${watchers} watchers`))) notes.push(`scale curve: ${side} was not run with ${watchers} watchers (it failed, or was left out, with fewer)`);
  for (let run = 0; run < o.runs; run++) {
    for (const side of (run % 2 ? ['ts', 'go'] : ['go', 'ts']) as Side[]) {
      if (gaveUp.has(side) || done.has(side)) continue;
      const server = servers[side]!;
      const t0 = performance.now();
      try {
        const res = await fanout(endpointOf(server, env.admin), watchers, o.fanoutWrites, () => {
          sides[side].rssMiB = Math.max(Number.isFinite(sides[side].rssMiB) ? sides[side].rssMiB : 0, memoryOf(server.proc.pid).rssMiB);
        });
        sides[side].lastMs.push(res.lastMs);
        sides[side].missed += res.missed;
      } catch (err) {
        sides[side].lastMs.push(NaN);
        sides[side].missed += o.fanoutWrites;
        notes.push(`scale curve: ${side} with ${watchers} watchers failed in run ${run + 1} (${(err as Error).message}); its later runs and larger counts were left out`);
        gaveUp.add(side);
        continue;
      }
      spent[side] += performance.now() - t0;
      if (spent[side] > WATCHER_STEP_BUDGET_MS && run < o.runs - 1) {
        done.add(side);
        notes.push(`scale curve: ${side} with ${watchers} watchers took ${Math.round(spent[side] / 1000)} s for ${run + 1} run(s), past the ${WATCHER_STEP_BUDGET_MS / 60_000} min budget of a step; its other runs at this count were left out`);
      }
    }
  }
  log(`scale watchers ${watchers}: RSS go ${Math.round(sides.go.rssMiB)} / ts ${Math.round(sides.ts.rssMiB)} MiB; last delivery go ${sides.go.lastMs.map((x) => x.toFixed(0)).join(',')} / ts ${sides.ts.lastMs.map((x) => x.toFixed(0)).join(',')} ms`);
  return { watchers, objects, ...sides };
}
