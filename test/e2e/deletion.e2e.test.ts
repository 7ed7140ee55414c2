/**
 * Deletion semantics against the oracle: the same DELETE / PATCH / PUT / deletecollection requests
 * go through the real kube-apiserver to wardle (behind the aggregator) and to a CRD with the same
 * schema (whose generic store runs with garbage collection enabled). Status codes, answers,
 * stored objects and the watch events of each group must be the same, after normalising uid,
 * resourceVersion, times and the group name. The control plane has no garbage collector, so
 * `orphan`/`foregroundDeletion` stay until a request removes them: the finalizer state machine
 * itself is what is compared. Scripted cases, then seeded random sequences.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import { Random } from '../fuzz/random.ts';
import { flunderCrdTwinYaml } from './support/flunder-crd-twin.ts';
import { directCall, type DirectResponse } from './support/https-client.ts';
import { registrationYaml, serverRbacYaml, startWardle, waitAvailable, type WardleProcess } from './support/wardle-server.ts';

const RUN = Math.random().toString(36).slice(2, 7);
const NS = `deletion-e2e-${RUN}`;
const SERVER_USER = `wardle-deletion-${RUN}`;
const CRD_GROUP = `deletion-${RUN}.example.com`;
const GROUPS = ['wardle.example.com', CRD_GROUP] as const;

after(async () => { await (await getSharedControlPlane()).stop(); });

/** One request of a case: method, path below the namespace's flunders, body, content type. */
interface Step {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** '' for the collection, else `/<name>` plus an optional query. */
  path: string;
  body?: unknown;
  contentType?: string;
  /** For PUT: the body is the current object with this change applied. */
  edit?: (current: any) => any;
}

const flunder = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'GROUP/v1alpha1', kind: 'Flunder',
  metadata: { name, labels: { set: name.split('-')[0] }, ...extra }, spec: { reference: 'x', referenceType: 'Flunder' },
});
const create = (name: string, extra: Record<string, unknown> = {}): Step => ({ method: 'POST', path: '', body: flunder(name, extra) });
const del = (name: string, query = '', body?: unknown): Step => ({ method: 'DELETE', path: `/${name}${query}`, body });
const get = (name: string): Step => ({ method: 'GET', path: `/${name}` });
const mergePatch = (name: string, body: unknown): Step => ({ method: 'PATCH', path: `/${name}`, body, contentType: 'application/merge-patch+json' });
const setFinalizers = (name: string, finalizers: string[] | null) => mergePatch(name, { metadata: { finalizers } });

/** Scripted cases: each runs on both groups with fresh names. */
const CASES: Record<string, Step[]> = {
  'Foreground marks with foregroundDeletion; removing it deletes': [
    create('fg-a'), del('fg-a', '?propagationPolicy=Foreground'), get('fg-a'), setFinalizers('fg-a', null), get('fg-a'),
  ],
  'Orphan (query and body) and orphanDependents=true mark with orphan': [
    create('or-a'), del('or-a', '', { propagationPolicy: 'Orphan' }), get('or-a'),
    create('or-b'), del('or-b', '?orphanDependents=true'), get('or-b'),
    create('or-c'), del('or-c', '', { orphanDependents: true }), get('or-c'),
    setFinalizers('or-a', []), setFinalizers('or-b', null), setFinalizers('or-c', null),
  ],
  'Background and orphanDependents=false delete at once': [
    create('bg-a'), del('bg-a', '?propagationPolicy=Background'), get('bg-a'),
    create('bg-b'), del('bg-b', '', { orphanDependents: false }), get('bg-b'),
    create('bg-c'), del('bg-c'), get('bg-c'),
  ],
  'an object\'s own orphan finalizer decides without a policy; Background removes it': [
    create('own-a', { finalizers: ['orphan'] }), del('own-a'), get('own-a'), setFinalizers('own-a', null),
    create('own-b', { finalizers: ['orphan'] }), del('own-b', '?propagationPolicy=Background'), get('own-b'),
    create('own-c', { finalizers: ['foregroundDeletion'] }), del('own-c', '', { orphanDependents: false }), get('own-c'),
  ],
  'other finalizers: marked, a second DELETE changes the policy, updates cannot add finalizers': [
    create('fin-a', { finalizers: ['example.com/keep'] }), del('fin-a'), get('fin-a'),
    del('fin-a', '?propagationPolicy=Orphan'), get('fin-a'),
    del('fin-a', '?propagationPolicy=Foreground'), get('fin-a'),
    del('fin-a', '?propagationPolicy=Foreground'),
    setFinalizers('fin-a', ['example.com/keep', 'foregroundDeletion', 'example.com/new']),
    { method: 'PUT', path: '/fin-a', edit: (o) => ({ ...o, spec: { ...o.spec, reference: 'changed' } }) },
    setFinalizers('fin-a', ['example.com/keep']), get('fin-a'),
    del('fin-a', '?propagationPolicy=Background'), get('fin-a'),
    { method: 'PUT', path: '/fin-a', edit: (o) => ({ ...o, metadata: { ...o.metadata, finalizers: [] } }) }, get('fin-a'),
  ],
  'gracePeriodSeconds is ignored as for a CRD (negative and positive)': [
    create('gr-a'), del('gr-a', '?propagationPolicy=Foreground&gracePeriodSeconds=30'), get('gr-a'),
    del('gr-a', '', { gracePeriodSeconds: 0 }), get('gr-a'), setFinalizers('gr-a', null),
    create('gr-b', { finalizers: ['example.com/keep'] }), del('gr-b', '?gracePeriodSeconds=-5'), get('gr-b'), setFinalizers('gr-b', null),
    create('gr-c'), del('gr-c', '?gracePeriodSeconds=60'), get('gr-c'),
  ],
  'dryRun answers the marked object and changes nothing': [
    create('dry-a'), del('dry-a', '?propagationPolicy=Foreground&dryRun=All'), get('dry-a'),
    del('dry-a', '', { propagationPolicy: 'Orphan', dryRun: ['All'] }), get('dry-a'),
    del('dry-a', '?orphanDependents=true'), setFinalizers('dry-a', null), get('dry-a'),
    create('dry-b', { finalizers: ['example.com/keep'] }), del('dry-b'), { ...setFinalizers('dry-b', null), path: '/dry-b?dryRun=All' }, get('dry-b'),
    setFinalizers('dry-b', null),
    // Upstream answers an empty object when a dry run would remove the last (garbage-collector) finalizer.
    create('dry-c', { finalizers: ['orphan'] }), del('dry-c', '?propagationPolicy=Background&dryRun=All'), get('dry-c'), setFinalizers('dry-c', null),
  ],
  'orphanDependents=false on an object kept by finalizers answers 202': [
    create('acc-a', { finalizers: ['example.com/keep'] }), del('acc-a', '', { orphanDependents: false }), get('acc-a'),
    del('acc-a', '?orphanDependents=false'), setFinalizers('acc-a', null), get('acc-a'),
  ],
  'preconditions and invalid options': [
    create('pre-a'), del('pre-a', '?propagationPolicy=Foreground', { preconditions: { resourceVersion: '1' } }), get('pre-a'),
    del('pre-a', '?propagationPolicy=Foreground', { preconditions: { uid: 'not-the-uid' } }),
    del('pre-a', '?propagationPolicy=Orphan&orphanDependents=true'),
    del('pre-a', '', { propagationPolicy: 'Foreground', orphanDependents: false }),
    del('pre-a', '?propagationPolicy=Sideways'), get('pre-a'), del('pre-a'),
  ],
  'deletecollection with options': [
    create('col-a'), create('col-b', { finalizers: ['example.com/keep'] }), create('col-c'),
    { method: 'DELETE', path: '?labelSelector=set%3Dcol&propagationPolicy=Orphan' }, get('col-a'), get('col-b'), get('col-c'),
    { method: 'DELETE', path: '?labelSelector=set%3Dcol', body: { propagationPolicy: 'Background' } }, get('col-a'), get('col-b'),
    setFinalizers('col-b', null), get('col-b'),
    create('col-d'), { method: 'DELETE', path: '?labelSelector=set%3Dcol&dryRun=All&propagationPolicy=Foreground' }, get('col-d'),
    { method: 'DELETE', path: '?labelSelector=set%3Dcol' },
  ],
};

describe('deletion semantics: wardle vs a CRD twin on kube-apiserver', () => {
  let cp: ControlPlane;
  let wardle: WardleProcess;
  let pki: Record<string, string>;

  before(async () => {
    cp = await getSharedControlPlane();
    pki = Object.fromEntries(await Promise.all(['ca.crt', 'admin.crt', 'admin.key']
      .map(async (f) => [f, await readFile(join(cp.dir, 'pki', f), 'utf8')])));
    const rbac = await cp.kubectl(['apply', '-f', '-'], { input: serverRbacYaml(SERVER_USER, SERVER_USER) });
    assert.equal(rbac.code, 0, rbac.stderr);
    wardle = await startWardle({ kubeconfig: await cp.mintKubeconfig(SERVER_USER), serviceDnsName: `api.${NS}.svc` });
    const registered = await cp.kubectl(['apply', '-f', '-'], { input: registrationYaml(NS, 'api', wardle.port, wardle.ca.certPem) + `---\n${flunderCrdTwinYaml(CRD_GROUP)}` });
    assert.equal(registered.code, 0, registered.stderr);
    await waitAvailable(cp);
    const established = await cp.kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/flunders.${CRD_GROUP}`]);
    assert.equal(established.code, 0, established.stderr);
    for (const group of GROUPS) await waitListable(group);
    // A fresh wardle store lists at resourceVersion "0", which a watch reads as "any"; one write moves it on.
    for (const step of [create('warm-up'), del('warm-up')]) assert.equal((await call(GROUPS[0], step)).status, step.method === 'POST' ? 201 : 200);
  });

  /** Until the resource lists (a new CRD's storage answers 429 "storage is (re)initializing" for a moment). */
  async function waitListable(group: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    let res = await call(group, { method: 'GET', path: '' });
    while (res.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      res = await call(group, { method: 'GET', path: '' });
    }
    assert.equal(res.status, 200, res.text);
  }

  after(async () => {
    await cp?.kubectl(['delete', 'apiservice', 'v1alpha1.wardle.example.com', 'v1beta1.wardle.example.com', '--ignore-not-found']);
    await releaseCrdObjects();
    await cp?.kubectl(['delete', 'crd', `flunders.${CRD_GROUP}`, '--ignore-not-found', '--timeout=60s']);
    await cp?.kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
    await wardle?.stop();
  });

  /**
   * The shared control plane runs no garbage collector, so twin objects left marked with
   * orphan/foregroundDeletion (or a test finalizer) would keep the CRD Terminating — and still
   * discoverable as `flunders` — for every later file. Their finalizers are cleared first.
   */
  async function releaseCrdObjects(): Promise<void> {
    if (!cp) return;
    const left = await cp.kubectl(['get', `flunders.${CRD_GROUP}`, '-n', NS, '-o', 'name', '--ignore-not-found']);
    for (const name of left.stdout.split('\n').filter(Boolean)) {
      await cp.kubectl(['patch', '-n', NS, name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    }
  }

  const base = (group: string) => `${cp.url}/apis/${group}/v1alpha1/namespaces/${NS}/flunders`;

  async function call(group: string, step: Step): Promise<DirectResponse> {
    let body = step.body === undefined ? undefined : JSON.parse(JSON.stringify(step.body).split('GROUP').join(group));
    if (step.edit) {
      const current = await call(group, { method: 'GET', path: step.path });
      body = step.edit(current.body);
    }
    return directCall(base(group) + step.path, {
      ca: pki['ca.crt'], cert: pki['admin.crt'], key: pki['admin.key'], method: step.method, body,
      headers: step.contentType ? { 'content-type': step.contentType } : {},
    });
  }

  /** Runs `steps` on one group from a fresh list revision; answers each step's outcome and the watch events since. */
  async function run(group: string, steps: Step[], prefix: string) {
    const start = await call(group, { method: 'GET', path: '' });
    assert.equal(start.status, 200, start.text);
    const outcomes: unknown[] = [];
    const names = new Map<string, string>();
    for (const step of steps) {
      const renamed = renameStep(step, prefix);
      const res = await call(group, renamed);
      outcomes.push({ step: `${step.method} ${step.path}`, status: res.status, body: normalize(res.body, group, names) });
    }
    const watch = await directCall(`${base(group)}?watch=1&resourceVersion=${start.body.metadata.resourceVersion}&timeoutSeconds=2`, {
      ca: pki['ca.crt'], cert: pki['admin.crt'], key: pki['admin.key'],
    });
    assert.equal(watch.status, 200, watch.text);
    const lines = watch.text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    assert.ok(lines.every((e) => e.type !== 'ERROR'), `${group}: ${watch.text}`);
    const events = lines
      .filter((e) => String(e.object?.metadata?.name ?? '').startsWith(prefix))
      .map((e) => ({ type: e.type, object: normalize(e.object, group, names) }));
    return { outcomes, events };
  }

  async function compare(steps: Step[], label: string): Promise<void> {
    const prefix = `${label}-`;
    // The two groups hold separate objects: their sequences run side by side (each in order).
    const [ours, theirs] = await Promise.all([run(GROUPS[0], steps, prefix), run(GROUPS[1], steps, prefix)]);
    for (let i = 0; i < steps.length; i++) assert.deepEqual(ours.outcomes[i], theirs.outcomes[i], `step ${i}: ${steps[i].method} ${steps[i].path}`);
    assert.deepEqual(ours.events, theirs.events, 'watch events');
  }

  let caseNo = 0;
  for (const [title, steps] of Object.entries(CASES)) {
    const label = `c${caseNo++}`;
    it(title, async () => { await compare(steps, label); });
  }

  it('seeded random sequences of deletes, finalizer patches and updates give the same answers and events', async () => {
    for (const seed of [16, 1601, 20261128]) await compare(randomSteps(new Random(seed), 45), `r${seed % 1000}`);
  });
});

/** Prefixes every object name of `step` with `prefix` (so each case and group uses fresh objects). */
function renameStep(step: Step, prefix: string): Step {
  const path = step.path.replace(/^\/([a-z0-9-]+)/, (_m, n: string) => `/${prefix}${n}`).replace(/set%3D([a-z]+)/, (_m, s: string) => `set%3D${prefix}${s}`);
  let body = step.body as any;
  if (step.method === 'POST' && body) body = { ...body, metadata: { ...body.metadata, name: prefix + body.metadata.name, labels: { set: prefix + body.metadata.labels.set } } };
  return { ...step, path, body };
}

const POLICIES = [undefined, 'Foreground', 'Background', 'Orphan'] as const;
const FINALIZERS = ['orphan', 'foregroundDeletion', 'example.com/keep'];

/** A seeded sequence over three objects: creates (with random finalizers), deletes with random options, finalizer patches, reads. */
function randomSteps(random: Random, count: number): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < count; i++) {
    const name = random.pick(['x-a', 'x-b', 'x-c']);
    const op = random.int(0, 9);
    if (op <= 1) {
      const finalizers = FINALIZERS.filter(() => random.chance(0.3)).filter((f, _i, all) => !(f === 'foregroundDeletion' && all.includes('orphan')));
      steps.push(create(name, finalizers.length ? { finalizers } : {}));
    } else if (op <= 5) {
      const options: Record<string, unknown> = {};
      const policy = random.pick(POLICIES);
      if (policy && random.chance(0.8)) options.propagationPolicy = policy;
      else if (random.chance(0.3)) options.orphanDependents = random.chance(0.5);
      if (random.chance(0.15)) options.dryRun = ['All'];
      if (random.chance(0.15)) options.gracePeriodSeconds = random.pick([0, 5, -1]);
      steps.push(random.chance(0.5) ? del(name, '', options) : del(name, toQuery(options)));
    } else if (op <= 7) {
      steps.push(setFinalizers(name, random.chance(0.4) ? null : FINALIZERS.filter(() => random.chance(0.4))));
    } else if (op === 8) {
      steps.push({ method: 'DELETE', path: `?labelSelector=set%3Dx${random.chance(0.5) ? '&propagationPolicy=' + random.pick(['Orphan', 'Foreground', 'Background']) : ''}` });
    } else {
      steps.push(get(name));
    }
  }
  return steps;
}

function toQuery(options: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(options)) params.set(k, Array.isArray(v) ? String(v[0]) : String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * The group replaced by G, uids (also inside messages) by their first-seen order,
 * resourceVersions (also "(123)" in precondition messages) and times by placeholders. Two
 * artefacts of the CRD handler, not of the generic store, are removed: the empty `continue` of an
 * unstructured list, and the causes it reports twice (a CRD validates ObjectMeta in both the
 * common update checks and its own validator; a generic-store server, like sample-apiserver, once).
 */
function normalize(body: unknown, group: string, uids: Map<string, string>): unknown {
  const text = JSON.stringify(body ?? null).split(group).join('G');
  return JSON.parse(text, (key, value) => {
    if (key === 'metadata' && value?.continue === '') {
      const { continue: _empty, ...rest } = value;
      return rest;
    }
    if (key === 'causes' && Array.isArray(value)) return [...new Map(value.map((c) => [JSON.stringify(c), c])).values()];
    if (typeof value !== 'string') return value;
    if (key === 'resourceVersion') return value ? '<rv>' : value;
    if (TIME.test(value)) return '<time>';
    return value.replace(UUID, (uid) => {
      if (!uids.has(uid)) uids.set(uid, `uid-${uids.size}`);
      return uids.get(uid)!;
    }).replace(/\((\d+)\)/g, '(<rv>)');
  });
}
