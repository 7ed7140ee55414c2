/**
 * Runs apply-oracle sequences on both sides (the CRD on kube-apiserver, the extapi resource) and
 * compares every answer and the stored object after normalising what must differ (uids,
 * resourceVersions, timestamps).
 */
import { isDeepStrictEqual } from 'node:util';
import type { FieldValidationCase, Step } from './generate.ts';
import { KNOWN_DIFFERENCES } from './known-differences.ts';

/** One HTTP answer. */
export interface Answer {
  status: number;
  body: any;
  /** The Warning header(s), as received. */
  warning?: string;
}

/** A server the oracle writes to: `path` is relative to `/apis/<group>/<version>/namespaces/<ns>/gadgets`. */
export interface Side {
  name: string;
  call(method: string, version: string, path: string, opts?: { body?: string; contentType?: string; query?: string }): Promise<Answer>;
}

/** A difference found by a sequence. */
export interface Difference {
  seed: number;
  step: number;
  what: string;
  step_: Step;
  crd: unknown;
  extapi: unknown;
}

/** What one step's comparison ignores: a difference documented in known-differences.ts. */
export interface StepOutcome {
  crd: Answer;
  extapi: Answer;
}

const USER_AGENT = 'oracle-client/1.0 (linux/amd64)';

/** Normalises an answer for comparison. */
export function normalize(answer: Answer): unknown {
  const body = answer.body;
  const warning = answer.warning ? { warning: answer.warning } : {};
  if (!body || typeof body !== 'object') return { status: answer.status, body, ...warning };
  if (body.kind === 'Status') {
    const causes = [...(body.details?.causes ?? [])].map((c: any) => ({ reason: c.reason, message: c.message, field: c.field }))
      .sort((a: any, b: any) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
    return { status: answer.status, reason: body.reason, message: body.message, causes, ...warning };
  }
  return { status: answer.status, object: normalizeObject(body), ...warning };
}

/** An object with server-chosen values replaced and managedFields in a time-independent order. */
export function normalizeObject(obj: any): unknown {
  const copy = structuredClone(obj);
  const meta = copy.metadata ?? {};
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp']) if (k in meta) meta[k] = `<${k}>`;
  if (Array.isArray(meta.managedFields)) {
    meta.managedFields = meta.managedFields.map((e: any) => ({ ...e, time: e.time ? '<time>' : undefined }))
      .sort((a: any, b: any) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  }
  return sortKeys(copy);
}

function key(e: any): string {
  return [e.operation, e.manager, e.apiVersion, e.subresource ?? ''].join('\u0000');
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).filter((k) => (v as any)[k] !== undefined).sort().map((k) => [k, sortKeys((v as any)[k])]));
  }
  return v;
}

function query(parts: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(parts)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * The text of an apply body: JSON (which YAML reads) with, for a field validation case, an unknown
 * field added where it says and a key written twice (the value that must win written last).
 */
export function applyBodyText(body: Record<string, unknown>, c: FieldValidationCase | undefined): string {
  if (!c) return JSON.stringify(body);
  const obj = structuredClone(body) as any;
  if (c.unknown) {
    const at = c.unknown === 'root' ? obj : c.unknown.split('.').reduce((o: any, k) => (o[k] ??= {}), obj);
    at.bogusField = 'x';
  }
  let text = JSON.stringify(obj);
  if (c.duplicate === 'kind') text = `{"kind":"Gizmo",${text.slice(1)}`;
  else if (c.duplicate) {
    const [parent, field] = c.duplicate.split('.');
    const value = field === 'name' && parent === 'metadata' ? 'other' : 'dup';
    obj[parent] ??= {};
    if (!(field in obj[parent])) obj[parent][field] = 'a';
    text = JSON.stringify(obj).replace(`"${parent}":{`, `"${parent}":{"${field}":${JSON.stringify(value)},`);
  }
  return text;
}

/** Sends one step to one side. `name` is the object's name. */
async function send(side: Side, step: Step, name: string): Promise<Answer> {
  const sub = 'subresource' in step && step.subresource ? `/${step.subresource}` : '';
  switch (step.op) {
    case 'create':
      return side.call('POST', step.version, '', { body: JSON.stringify(step.body), contentType: 'application/json', query: query({ fieldManager: step.manager }) });
    case 'apply':
      return side.call('PATCH', step.version, `/${name}${sub}`, {
        body: applyBodyText(step.body, step.validation), contentType: 'application/apply-patch+yaml',
        query: query({
          fieldManager: step.omitManager ? undefined : step.manager, force: step.force ? 'true' : undefined, dryRun: step.dryRun ? 'All' : undefined,
          fieldValidation: step.validation?.directive,
        }),
      });
    case 'update': {
      const current = await side.call('GET', step.version, `/${name}${step.subresource === 'scale' ? sub : ''}`);
      if (current.status !== 200) return current;
      const obj = current.body;
      if (step.subresource === 'status') obj.status = { ...(obj.status ?? {}), ...step.changes };
      else obj.spec = { ...(obj.spec ?? {}), ...step.changes };
      if (step.managedFields === 'drop') delete obj.metadata.managedFields;
      if (step.managedFields === 'reset') obj.metadata.managedFields = [];
      return side.call('PUT', step.version, `/${name}${sub}`, { body: JSON.stringify(obj), contentType: 'application/json', query: query({ fieldManager: step.manager }) });
    }
    case 'merge-patch':
      return side.call('PATCH', step.version, `/${name}${sub}`, { body: JSON.stringify(step.body), contentType: 'application/merge-patch+json', query: query({ fieldManager: step.manager }) });
    case 'strategic-merge-patch':
      return side.call('PATCH', step.version, `/${name}${sub}`, { body: JSON.stringify(step.body), contentType: 'application/strategic-merge-patch+json', query: query({ fieldManager: step.manager }) });
    case 'json-patch':
      return side.call('PATCH', step.version, `/${name}`, { body: JSON.stringify(step.body), contentType: 'application/json-patch+json', query: query({ fieldManager: step.manager }) });
  }
}

/**
 * Writes on the CRD side, as an update by the same manager, what a strategic merge patch did on
 * extapi (spec, status, labels, annotations): kube-apiserver has no strategic merge patch for
 * custom resources, and extapi's merges `x-kubernetes-list-type: map` lists by key where a
 * merge patch replaces them, so the ownership recorded for that change is what is compared.
 */
async function replay(crd: Side, step: Step, name: string, result: any): Promise<Answer> {
  const current = await crd.call('GET', step.version, `/${name}`);
  if (current.status !== 200) return current;
  const obj = current.body;
  obj.spec = result.spec;
  for (const k of ['labels', 'annotations']) {
    if (result.metadata?.[k]) obj.metadata[k] = result.metadata[k];
    else delete obj.metadata[k];
  }
  return crd.call('PUT', step.version, `/${name}`, { body: JSON.stringify(obj), contentType: 'application/json', query: query({ fieldManager: step.manager }) });
}

/** The user agent both sides see (default manager names derive from it). */
export { USER_AGENT };

/**
 * Runs `steps` on both sides and returns the differences. A strategic merge patch is refused by
 * kube-apiserver for custom resources (415, checked); the CRD side then receives the same body as
 * a merge patch, which is what a strategic merge patch without directives means, and the results
 * are compared.
 */
export async function runSequence(seed: number, steps: Step[], name: string, crd: Side, extapi: Side, documented: Map<string, number>): Promise<Difference[]> {
  const diffs: Difference[] = [];
  const record = (step: number, what: string, s: Step, a: unknown, b: unknown) => diffs.push({ seed, step, what, step_: s, crd: a, extapi: b });
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const results = await Promise.all([send(crd, step, name), send(extapi, step, name)]);
    let a = results[0];
    const b = results[1];
    if (step.op === 'strategic-merge-patch') {
      const refused = a.status === 415 && a.body?.reason === 'UnsupportedMediaType';
      const notFound = a.status === 404 && b.status === 404;
      if (!refused && !notFound) record(i, 'CRD did not refuse a strategic merge patch with 415', step, normalize(a), null);
      if (refused) a = b.status === 200 ? await replay(crd, step, name, b.body) : await send(crd, { ...step, op: 'merge-patch' }, name);
    }
    const na = normalize(a);
    const nb = normalize(b);
    if (!isDeepStrictEqual(na, nb)) {
      const known = KNOWN_DIFFERENCES.find((k) => k.covers(na, nb));
      if (known) documented.set(known.id, (documented.get(known.id) ?? 0) + 1);
      else record(i, 'answer', step, na, nb);
    }
    const [ga, gb] = await Promise.all([crd.call('GET', step.version, `/${name}`), extapi.call('GET', step.version, `/${name}`)]);
    const sa = normalize(ga);
    const sb = normalize(gb);
    if (!isDeepStrictEqual(sa, sb)) { record(i, 'stored', step, sa, sb); break; }
  }
  return diffs;
}

/** The paths where two normalised answers differ, one line each (for reports). */
export function describeDifference(a: unknown, b: unknown, path = ''): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  const show = (v: unknown) => JSON.stringify(v)?.slice(0, Number(process.env.APPLY_ORACLE_WIDTH ?? 400));
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.flatMap((x, i) => describeDifference(x, b[i], `${path}[${i}]`));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => describeDifference((a as any)[k], (b as any)[k], `${path}.${k}`));
  }
  return [`${path || '.'}: crd=${show(a)} extapi=${show(b)}`];
}
