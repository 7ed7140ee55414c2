/**
 * Schema `x-kubernetes-validations` through the real aggregator, against the oracle: the same
 * schema as a CRD on the test control plane (validation-rules-twin.ts), the same requests (create,
 * update, merge patch, server-side apply, status writes) over seeded random objects, the same
 * answers (code, reason, message, causes, warnings). kubectl shows the same refusal.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import { directCall, type DirectResponse } from './support/https-client.ts';
import { RULES_API, widgetCrdYaml } from './support/validation-rules-twin.ts';
import { registrationYaml, serverRbacYaml, startWardle, waitAvailable, type WardleProcess } from './support/wardle-server.ts';
import { seededFloats } from '../fuzz/random.ts';

const RUN = Math.random().toString(36).slice(2, 7);
const NS = `rules-e2e-${RUN}`;
const SERVER_USER = `rules-server-${RUN}`;
const CRD_GROUP = `rules-${RUN}.example.com`;
const OURS = RULES_API.group;
const SEED = Number(process.env.EXTAPI_RULES_SEED ?? 20261128);

type Spec = Record<string, unknown>;

/** A random Widget spec: each field absent or one of a few values on both sides of its rules. */
function randomSpec(rand: () => number): Spec {
  const pick = <T>(values: T[]): T => values[Math.floor(rand() * values.length)];
  const spec: Spec = {};
  const maybe = (key: string, values: unknown[]) => { if (rand() < 0.55) spec[key] = pick(values); };
  maybe('minReplicas', [0, 1, 3, 5]);
  maybe('maxReplicas', [0, 2, 4]);
  maybe('replicas', [0, 2, 99, 100, -1]);
  maybe('mode', ['locked', 'open']);
  maybe('name', ['alpha', 'beta']);
  maybe('owner', ['', 'ann', 'bob']);
  maybe('tags', [[], ['ok'], ['ok', 'Bad'], ['a1'], ['fine', 'good']]);
  maybe('ratio', [0, 0.5, 1, 1.5, -0.25]);
  maybe('code', ['ab', 'abcd', 'abcdefghijkl']);
  return spec;
}

interface Answer { code: number; reason?: string; message?: string; causes?: string[]; warnings: string[]; spec?: unknown; status?: unknown }

describe('x-kubernetes-validations through the aggregator, against the CRD twin', () => {
  let cp: ControlPlane;
  let server: WardleProcess;
  let pki: Record<string, string>;
  /** Every cause and warning both servers gave (what the seeded requests covered). */
  const seen = new Set<string>();

  before(async () => {
    cp = await getSharedControlPlane();
    const dir = join(cp.dir, 'pki');
    pki = Object.fromEntries(await Promise.all(['admin.crt', 'admin.key'].map(async (f) => [f, await readFile(join(dir, f), 'utf8')])));
    assert.equal((await cp.kubectl(['apply', '-f', '-'], { input: serverRbacYaml(SERVER_USER, SERVER_USER) })).code, 0);
    server = await startWardle({ kubeconfig: await cp.mintKubeconfig(SERVER_USER), serviceDnsName: `api.${NS}.svc`, main: 'test/e2e/support/validation-rules-server.ts' });
    const registered = await cp.kubectl(['apply', '-f', '-'], { input: `${registrationYaml(NS, 'api', server.port, server.ca.certPem, true, RULES_API)}---\n${widgetCrdYaml(CRD_GROUP)}\n` });
    assert.equal(registered.code, 0, registered.stderr);
    assert.equal((await cp.kubectl(['wait', '--for=condition=Established', `crd/widgets.${CRD_GROUP}`, '--timeout=60s'])).code, 0);
    await waitAvailable(cp, 60_000, RULES_API);
  });

  after(async () => {
    await cp?.kubectl(['delete', 'apiservice', `v1.${OURS}`, '--ignore-not-found']);
    await cp?.kubectl(['delete', 'crd', `widgets.${CRD_GROUP}`, '--ignore-not-found', '--wait=false']);
    await cp?.kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
    await cp?.kubectl(['delete', 'clusterrole,clusterrolebinding', SERVER_USER, `${SERVER_USER}:auth-delegator`, '--ignore-not-found']);
    await server?.stop();
  });

  const url = (group: string, name = '', sub = '') => `${cp.url}/apis/${group}/v1/namespaces/${NS}/widgets${name ? `/${name}` : ''}${sub ? `/${sub}` : ''}`;
  const call = (group: string, method: string, path: { name?: string; sub?: string; query?: string }, body: unknown, contentType = 'application/json') =>
    directCall(url(group, path.name, path.sub) + (path.query ?? ''), { ca: cp.caPem, cert: pki['admin.crt'], key: pki['admin.key'], method, body, headers: { 'content-type': contentType } });

  /** The parts of an answer both servers must agree on, with the group normalized. */
  const answer = (res: DirectResponse, group: string): Answer => {
    const norm = (s: string) => s.split(group).join('GROUP');
    const warningHeader = res.headers.warning;
    const warnings = (Array.isArray(warningHeader) ? warningHeader : warningHeader ? [warningHeader] : []).map(norm).sort();
    if (res.status >= 400) {
      const causes = (res.body?.details?.causes ?? []).map((c: { reason: string; field: string; message: string }) => `${c.reason} ${c.field} ${c.message}`).sort();
      return { code: res.status, reason: res.body?.reason, message: causes.length <= 1 ? norm(res.body?.message ?? '') : undefined, causes, warnings };
    }
    return { code: res.status, warnings, spec: res.body?.spec, status: res.body?.status };
  };

  /** Sends the same request to the CRD and to extapi; asserts equal answers; returns ours. */
  const same = async (what: string, method: string, path: { name?: string; sub?: string; query?: string }, body: (group: string) => unknown, contentType?: string): Promise<Answer> => {
    const crd = answer(await call(CRD_GROUP, method, path, body(CRD_GROUP), contentType), CRD_GROUP);
    const ours = answer(await call(OURS, method, path, body(OURS), contentType), OURS);
    assert.deepEqual(ours, crd, `${what}: extapi answered differently from kube-apiserver's CRD`);
    for (const c of ours.causes ?? []) seen.add(c);
    for (const w of ours.warnings) seen.add(`warning ${w}`);
    return ours;
  };

  const widget = (group: string, name: string, spec: Spec, extra: Record<string, unknown> = {}) => ({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name, namespace: NS }, spec, ...extra });

  it('a schema rule refuses an update with kube-apiserver\'s wording (kubectl output equal to the CRD twin\'s)', async () => {
    for (const group of [CRD_GROUP, OURS]) {
      const created = await cp.kubectl(['create', '-f', '-'], { input: JSON.stringify(widget(group, 'immutable', { name: 'alpha', replicas: 1 })) });
      assert.equal(created.code, 0, created.stderr);
    }
    const patch = (group: string) => cp.kubectl(['patch', `widgets.${group}`, 'immutable', '-n', NS, '--type=merge', '-p', '{"spec":{"name":"beta"}}']);
    const crd = await patch(CRD_GROUP);
    const ours = await patch(OURS);
    assert.notEqual(ours.code, 0);
    assert.match(ours.stderr, /spec\.name: Invalid value: "beta": name is immutable/);
    assert.equal(ours.stderr.split(OURS).join('GROUP'), crd.stderr.split(CRD_GROUP).join('GROUP'));
    const stored = await cp.kubectl(['get', `widgets.${OURS}`, 'immutable', '-n', NS, '-o', 'jsonpath={.spec.name}']);
    assert.equal(stored.stdout, 'alpha', 'the refused update left the stored object unchanged');
    const live = new Map<string, { spec: Spec; metadata: { resourceVersion: string } }>();
    for (const g of [CRD_GROUP, OURS]) live.set(g, (await call(g, 'GET', { name: 'immutable' }, undefined)).body);
    const replaced = await same('PUT that changes the name', 'PUT', { name: 'immutable' }, (g) => ({
      ...widget(g, 'immutable', { ...live.get(g)!.spec, name: 'beta' }),
      metadata: { name: 'immutable', namespace: NS, resourceVersion: live.get(g)!.metadata.resourceVersion },
    }));
    assert.equal(replaced.code, 422);
    assert.equal(replaced.reason, 'Invalid');
    assert.deepEqual(replaced.causes, ['FieldValueInvalid spec.name Invalid value: "beta": name is immutable']);
  });

  it(`seeded random objects (seed ${SEED}): create, update, merge patch, apply and status give the CRD's answers`, async () => {
    const rand = seededFloats(SEED);
    let refused = 0;
    let warned = 0;
    let statusWrites = 0;
    for (let i = 0; i < 24; i++) {
      const name = `${rand() < 0.15 ? 'x' : 'w'}${i}`;
      const created = await same(`create ${name}`, 'POST', {}, (g) => widget(g, name, randomSpec(frozen(i, 0))));
      if (created.code >= 400) { refused++; continue; }
      const next = randomSpec(frozen(i, 1));
      const live = new Map<string, { spec: Spec; metadata: { resourceVersion: string } }>();
      for (const g of [CRD_GROUP, OURS]) live.set(g, (await call(g, 'GET', { name }, undefined)).body);
      const updated = await same(`update ${name}`, 'PUT', { name }, (g) => {
        const { spec, metadata } = live.get(g)!;
        return { ...widget(g, name, { ...spec, ...next }), metadata: { name, namespace: NS, resourceVersion: metadata.resourceVersion } };
      });
      if (updated.code >= 400) refused++;
      if (updated.warnings.length > 0) warned++;
      const patchSpec = randomSpec(frozen(i, 2));
      const patched = await same(`merge patch ${name}`, 'PATCH', { name }, () => ({ spec: patchSpec }), 'application/merge-patch+json');
      if (patched.code >= 400) refused++;
      const phase = ['Broken', 'Pending', 'Ready'][statusWrites++ % 3];
      const statusWrite = await same(`status ${name}`, 'PATCH', { name, sub: 'status' }, () => ({ status: { phase } }), 'application/merge-patch+json');
      if (statusWrite.code >= 400) refused++;
      const applied = await same(`apply ${name}`, 'PATCH', { name, query: '?fieldManager=e2e&force=true' },
        (g) => widget(g, name, randomSpec(frozen(i, 3))), 'application/apply-patch+yaml');
      if (applied.code >= 400) refused++;
    }
    assert.ok(refused >= 10, `the seeded objects exercise refusals (${refused})`);
    const covered = [...seen].join('\n');
    for (const expected of ['minReplicas must not exceed maxReplicas', 'FieldValueForbidden spec.replicas Forbidden: mode locked needs 0 replicas',
      'owner can only be set once', 'tags must be lowercase letters', 'failed rule: self >= 0.0 && self <= 1.0',
      'is longer than 3', 'unknown phase', 'names starting with x are reserved', 'some validation rules were not checked']) {
      assert.ok(covered.includes(expected), `the seeded requests never produced "${expected}"; seen:\n${covered}`);
    }
    console.log(`[validation-rules] ${refused} refusals, ${warned} ratcheting warnings; distinct causes:\n${covered}`);
  });

  /** A PRNG per (object, step), so each request's random spec does not depend on earlier answers. */
  function frozen(i: number, step: number): () => number {
    return seededFloats(SEED * 31 + i * 7 + step);
  }
});
