/**
 * Seeded random sequences of writes for the apply oracle: applies (with and without force, some
 * with fieldValidation and unknown or duplicate fields), updates, merge/JSON/strategic merge
 * patches, status and scale writes by 2–4 managers in both versions.
 * The same seed always gives the same sequence.
 */
import { VERSIONS } from './schema.ts';

/** A small deterministic PRNG (mulberry32). */
export class Rng {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0; }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number { return Math.floor(this.next() * n); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(items: readonly T[]): T { return items[this.int(items.length)]; }
  subset<T>(items: readonly T[], p = 0.5): T[] { return items.filter(() => this.chance(p)); }
}

/** One write of a sequence. */
export type Step =
  | { op: 'apply'; manager: string; version: string; force: boolean; body: Record<string, unknown>; subresource?: 'status' | 'scale'; dryRun?: boolean; omitManager?: boolean; validation?: FieldValidationCase }
  | { op: 'create'; manager: string; version: string; body: Record<string, unknown> }
  | { op: 'update'; manager: string; version: string; changes: Record<string, unknown>; managedFields: 'keep' | 'drop' | 'reset'; subresource?: 'status' | 'scale' }
  | { op: 'merge-patch' | 'strategic-merge-patch'; manager: string; version: string; body: Record<string, unknown>; subresource?: 'status' | 'scale' }
  | { op: 'json-patch'; manager: string; version: string; body: unknown[] };

/**
 * An apply body sent with `fieldValidation` and a field that is unknown (`where` names the object
 * it is added to) or a key given twice (the second value wins where duplicates are accepted).
 */
export interface FieldValidationCase {
  directive?: 'Strict' | 'Warn' | 'Ignore';
  unknown?: 'root' | 'metadata' | 'spec' | 'spec.nested' | 'spec.extra';
  duplicate?: 'spec.name' | 'metadata.name' | 'kind';
}

const STRINGS = ['a', 'b', 'c', 'd'] as const;

function specValue(rng: Rng, field: string): unknown {
  switch (field) {
    case 'replicas': return rng.int(4);
    case 'name': return rng.pick(STRINGS);
    case 'flag': return rng.chance(0.5);
    case 'port': return rng.chance(0.5) ? rng.int(3) + 80 : rng.pick(['http', 'https']);
    case 'atomicList': return rng.subset(STRINGS);
    case 'setList': return rng.subset(STRINGS);
    case 'intSet': return rng.subset([1, 2, 3]);
    case 'mapList': return rng.subset(['x', 'y', 'z'], 0.6).map((name) => {
      const item: Record<string, unknown> = { name };
      if (rng.chance(0.6)) item.value = rng.pick(STRINGS);
      if (rng.chance(0.4)) item.weight = rng.int(3);
      if (rng.chance(0.3)) item.nested = Object.fromEntries(rng.subset(['a', 'b'], 0.7).map((k) => [k, rng.pick(STRINGS)]));
      return item;
    });
    case 'multiKeyList': return rng.subset(['p', 'q'], 0.6).flatMap((name) => rng.subset(['TCP', 'UDP'], 0.6).map((proto) => {
      const item: Record<string, unknown> = { name, proto };
      if (rng.chance(0.6)) item.port = rng.int(3) + 1;
      return item;
    }));
    case 'labels': return Object.fromEntries(rng.subset(['k1', 'k2', 'k3']).map((k) => [k, rng.pick(STRINGS)]));
    case 'atomicMap': return Object.fromEntries(rng.subset(['m1', 'm2']).map((k) => [k, rng.pick(STRINGS)]));
    case 'atomicStruct': return Object.fromEntries(rng.subset(['x', 'y']).map((k) => [k, rng.pick(STRINGS)]));
    case 'nested': {
      const inner: Record<string, unknown> = {};
      if (rng.chance(0.6)) inner.value = rng.pick(STRINGS);
      if (rng.chance(0.5)) inner.tags = rng.subset(STRINGS);
      return { inner };
    }
    case 'extra': {
      const extra: Record<string, unknown> = {};
      if (rng.chance(0.5)) extra.s = rng.pick(STRINGS);
      if (rng.chance(0.5)) extra.obj = Object.fromEntries(rng.subset(['u', 'v']).map((k) => [k, rng.chance(0.3) ? { deep: rng.pick(STRINGS) } : rng.int(3)]));
      if (rng.chance(0.3)) extra.list = rng.subset(STRINGS);
      return extra;
    }
  }
  throw new Error(field);
}

const SPEC_FIELDS = ['replicas', 'name', 'flag', 'port', 'atomicList', 'setList', 'intSet', 'mapList', 'multiKeyList', 'labels', 'atomicMap', 'atomicStruct', 'nested', 'extra'];

function randomSpec(rng: Rng, p = 0.35): Record<string, unknown> {
  return Object.fromEntries(rng.subset(SPEC_FIELDS, p).map((f) => [f, specValue(rng, f)]));
}

function randomStatus(rng: Rng): Record<string, unknown> {
  const status: Record<string, unknown> = {};
  if (rng.chance(0.6)) status.phase = rng.pick(['Ready', 'Pending']);
  if (rng.chance(0.6)) status.conditions = rng.subset(['Ready', 'Synced']).map((type) => ({ type, status: rng.pick(['True', 'False']) }));
  return status;
}

function randomMetadata(rng: Rng, name: string): Record<string, unknown> {
  const meta: Record<string, unknown> = { name };
  if (rng.chance(0.3)) meta.labels = Object.fromEntries(rng.subset(['l1', 'l2']).map((k) => [k, rng.pick(STRINGS)]));
  if (rng.chance(0.15)) meta.annotations = Object.fromEntries(rng.subset(['n1', 'n2']).map((k) => [k, rng.pick(STRINGS)]));
  return meta;
}

/** A merge patch: some fields set, some nulled. */
function randomMergePatch(rng: Rng): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  for (const f of rng.subset(SPEC_FIELDS, 0.25)) spec[f] = rng.chance(0.2) ? null : specValue(rng, f);
  const patch: Record<string, unknown> = { spec };
  if (rng.chance(0.15)) patch.metadata = { labels: { l1: rng.chance(0.3) ? null : rng.pick(STRINGS) } };
  return patch;
}

function randomJsonPatch(rng: Rng): unknown[] {
  const ops: unknown[] = [];
  const n = 1 + rng.int(2);
  for (let i = 0; i < n; i++) {
    switch (rng.int(5)) {
      case 0: ops.push({ op: 'add', path: '/spec/replicas', value: rng.int(4) }); break;
      case 1: ops.push({ op: 'add', path: '/spec/labels', value: specValue(rng, 'labels') }); break;
      case 2: ops.push({ op: 'remove', path: `/spec/${rng.pick(['name', 'flag', 'setList', 'mapList'])}` }); break;
      case 3: ops.push({ op: 'add', path: '/spec/setList', value: specValue(rng, 'setList') }); break;
      default: ops.push({ op: 'replace', path: '/spec/mapList', value: specValue(rng, 'mapList') });
    }
  }
  return ops;
}

function randomValidation(rng: Rng): FieldValidationCase {
  const c: FieldValidationCase = {};
  if (rng.chance(0.8)) c.directive = rng.pick(['Strict', 'Warn', 'Ignore'] as const);
  if (rng.chance(0.6)) c.unknown = rng.pick(['root', 'metadata', 'spec', 'spec.nested', 'spec.extra'] as const);
  if (!c.unknown || rng.chance(0.3)) c.duplicate = rng.pick(['spec.name', 'metadata.name', 'kind'] as const);
  return c;
}

/** A write to the scale subresource: apply, update or merge patch of an autoscaling/v1 Scale. */
function scaleStep(rng: Rng, manager: string, version: string, name: string): Step {
  const replicas = rng.int(4);
  const roll = rng.next();
  if (roll < 0.45) {
    return { op: 'apply', manager, version, force: rng.chance(0.3), subresource: 'scale', body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name }, spec: { replicas } } };
  }
  if (roll < 0.75) return { op: 'update', manager, version, subresource: 'scale', changes: { replicas }, managedFields: 'keep' };
  return { op: 'merge-patch', manager, version, subresource: 'scale', body: { spec: { replicas } } };
}

/** What sequences may contain beyond the default. */
export interface SequenceOptions {
  /**
   * Writes to the scale subresource. Off by default: extapi does not yet match how kube-apiserver
   * 1.36 changes a CRD's managedFields on scale writes (see docs/apply.md), so these steps find
   * known, unfixed differences.
   */
  scale?: boolean;
}

/** The steps of sequence `seed` on the object `name` of `group`. */
export function generateSequence(seed: number, group: string, name: string, options: SequenceOptions = {}): Step[] {
  const rng = new Rng(seed);
  const managers = ['alpha', 'beta', 'gamma', 'delta'].slice(0, 2 + rng.int(3));
  const steps: Step[] = [];
  const version = () => rng.pick(VERSIONS);
  const body = (v: string, spec: Record<string, unknown>) => ({ apiVersion: `${group}/${v}`, kind: 'Gadget', metadata: randomMetadata(rng, name), spec });
  const first = version();
  if (rng.chance(0.3)) steps.push({ op: 'create', manager: rng.pick(managers), version: first, body: body(first, randomSpec(rng)) });
  else steps.push({ op: 'apply', manager: rng.pick(managers), version: first, force: false, body: body(first, randomSpec(rng)) });
  const length = 3 + rng.int(8);
  for (let i = 0; i < length; i++) {
    const manager = rng.pick(managers);
    const v = version();
    const roll = rng.next();
    if (roll < 0.46) {
      const step: Step = { op: 'apply', manager, version: v, force: rng.chance(0.3), body: body(v, randomSpec(rng)) };
      if (rng.chance(0.05)) step.dryRun = true;
      if (rng.chance(0.02)) step.omitManager = true;
      if (rng.chance(0.15)) step.validation = randomValidation(rng);
      steps.push(step);
    } else if (roll < 0.56) {
      steps.push({ op: 'update', manager, version: v, changes: randomSpec(rng, 0.2), managedFields: rng.pick(['keep', 'keep', 'keep', 'drop', 'reset'] as const) });
    } else if (roll < 0.72) {
      steps.push({ op: 'merge-patch', manager, version: v, body: randomMergePatch(rng) });
    } else if (roll < 0.8) {
      steps.push({ op: 'json-patch', manager, version: v, body: randomJsonPatch(rng) });
    } else if (roll < 0.86) {
      steps.push({ op: 'strategic-merge-patch', manager, version: v, body: randomMergePatch(rng) });
    } else if (roll < 0.91) {
      steps.push({ op: 'apply', manager: `${manager}-status`, version: v, force: rng.chance(0.3), subresource: 'status', body: { apiVersion: `${group}/${v}`, kind: 'Gadget', metadata: { name }, status: randomStatus(rng) } });
    } else if (roll < 0.94 || !options.scale) {
      steps.push({ op: 'merge-patch', manager, version: v, subresource: 'status', body: { status: randomStatus(rng) } });
    } else {
      steps.push(scaleStep(rng, manager, v, name));
    }
  }
  return steps;
}
