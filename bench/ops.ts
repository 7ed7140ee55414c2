/**
 * The measured operations (get, list of 10 / 1,000 / 10,000 objects, create, update) as load
 * specifications, and the seeding that prepares their objects. Every request uses the preferred
 * version, wardle.example.com/v1beta1, as the cluster admin (system:masters: no SubjectAccessReview).
 */
import { pump, runLoad, send, openSessions, type Endpoint, type LoadResult, type LoadSpec } from './loadgen.ts';

const V = '/apis/wardle.example.com/v1beta1';

/** The operation names, in report order. */
export const OPS = ['get', 'list-10', 'list-1000', 'list-10000', 'create', 'update'] as const;
/** One operation. */
export type Op = (typeof OPS)[number];

/** Objects per list namespace. */
const LISTS: Record<string, { ns: string; count: number }> = {
  'list-10': { ns: 'bench-l10', count: 10 },
  'list-1000': { ns: 'bench-l1k', count: 1000 },
  'list-10000': { ns: 'bench-l10k', count: 10000 },
};

/** Requests in flight per operation (large lists use fewer: each answer is megabytes). */
export const CONCURRENCY: Record<Op, number> = { get: 32, 'list-10': 32, 'list-1000': 8, 'list-10000': 2, create: 32, update: 32 };

/** How many update targets (one per worker, so updates never conflict). */
const UPDATERS = 32;

function flunder(name: string, ns: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder',
    metadata: { name, namespace: ns, labels: { app: 'bench', ...labels }, ...extra },
    spec: { flunderReference: `ref-${name}`, referenceType: 'Flunder' },
  });
}

/** Creates the objects every operation needs on one server. */
export async function seed(ep: Endpoint, log: (m: string) => void, lists: string[] = Object.keys(LISTS)): Promise<void> {
  const t0 = performance.now();
  const post = (ns: string, name: string) => ({ method: 'POST', path: `${V}/namespaces/${ns}/flunders`, body: flunder(name, ns) });
  await pump(ep, 1, 1, () => post('bench-ops', 'get-target'));
  await pump(ep, UPDATERS, 16, (i) => post('bench-ops', `upd-${i}`));
  await pump(ep, 1, 1, () => post('bench-watch', 'fan'));
  for (const key of lists) {
    const { ns, count } = LISTS[key];
    await pump(ep, count, 32, (i) => post(ns, `item-${String(i).padStart(5, '0')}`));
  }
  log(`  seeded ${ep.base} in ${Math.round(performance.now() - t0)} ms`);
}

/** Reads the current resourceVersion of each update target (updates carry it forward). */
async function currentVersions(ep: Endpoint): Promise<string[]> {
  const [s] = await openSessions(ep, 1);
  try {
    const res = await send(s, { method: 'GET', path: `${V}/namespaces/bench-ops/flunders` }, true);
    const items = JSON.parse(res.body).items as Array<{ metadata: { name: string; resourceVersion: string } }>;
    const rv = new Map(items.map((i) => [i.metadata.name, i.metadata.resourceVersion]));
    return Array.from({ length: UPDATERS }, (_, i) => rv.get(`upd-${i}`) ?? '');
  } finally {
    s.close();
  }
}

const RV = /"resourceVersion":"(\d+)"/;

/** The load specification of `op` against `ep`. */
export async function specFor(op: Op, ep: Endpoint, timing: { durationMs: number; warmupMs: number }): Promise<LoadSpec> {
  const base = { endpoint: ep, concurrency: CONCURRENCY[op], sessions: Math.min(4, CONCURRENCY[op]), ...timing };
  if (op === 'get') return { ...base, next: () => ({ method: 'GET', path: `${V}/namespaces/bench-ops/flunders/get-target` }) };
  if (op in LISTS) {
    const path = `${V}/namespaces/${LISTS[op].ns}/flunders`;
    return { ...base, next: () => ({ method: 'GET', path }) };
  }
  if (op === 'create') {
    const body = JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { generateName: 'c-', labels: { app: 'bench' } }, spec: { flunderReference: 'x', referenceType: 'Flunder' } });
    return { ...base, next: () => ({ method: 'POST', path: `${V}/namespaces/bench-create/flunders`, body }) };
  }
  const versions = await currentVersions(ep);
  return {
    ...base, wantBody: true,
    next: (w, i) => ({ method: 'PUT', path: `${V}/namespaces/bench-ops/flunders/upd-${w}`, body: flunder(`upd-${w}`, 'bench-ops', { resourceVersion: versions[w] }, { n: String(i) }) }),
    onBody: (w, body) => { const m = RV.exec(body); if (m) versions[w] = m[1]; },
  };
}

/** Runs `op` once against `ep`. */
export async function measure(op: Op, ep: Endpoint, timing: { durationMs: number; warmupMs: number }): Promise<LoadResult> {
  return runLoad(await specFor(op, ep, timing));
}
