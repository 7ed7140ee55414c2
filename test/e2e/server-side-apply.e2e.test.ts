/**
 * Server-side apply through the aggregator, as clients do it: `kubectl apply --server-side`
 * (create, update, conflicts, --force-conflicts, fields a manager drops, the client-side →
 * server-side migration) run against wardle and, with the same commands, against a CRD twin of
 * the Flunder on the same kube-apiserver: the outputs and the stored managedFields must be the
 * same. And `@kubernetes/client-node`'s apply (a PATCH with the apply content type).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { flunderCrdTwinYaml } from './support/flunder-crd-twin.ts';
import { registrationYaml, serverRbacYaml, startWardle, waitAvailable, type WardleProcess } from './support/wardle-server.ts';

const NS = `ssa-e2e-${Math.random().toString(36).slice(2, 7)}`;
const SERVER_USER = `wardle-server-${NS}`;
const TWIN = 'ssa-twin.example.com';

const twinCrd = flunderCrdTwinYaml(TWIN, { scale: true });

after(async () => { await (await getSharedControlPlane()).stop(); });

describe('server-side apply through the aggregator', () => {
  let cp: ControlPlane;
  let wardle: WardleProcess;

  before(async () => {
    cp = await getSharedControlPlane();
    assert.equal((await cp.kubectl(['apply', '-f', '-'], { input: serverRbacYaml(SERVER_USER, SERVER_USER) })).code, 0);
    wardle = await startWardle({ kubeconfig: await cp.mintKubeconfig(SERVER_USER), serviceDnsName: `api.${NS}.svc` });
    const registered = await cp.kubectl(['apply', '-f', '-'], { input: registrationYaml(NS, 'api', wardle.port, wardle.ca.certPem) });
    assert.equal(registered.code, 0, registered.stderr);
    assert.equal((await cp.kubectl(['apply', '-f', '-'], { input: twinCrd })).code, 0);
    assert.equal((await cp.kubectl(['wait', '--for=condition=Established', `crd/flunders.${TWIN}`, '--timeout=60s'])).code, 0);
    await waitAvailable(cp);
  });

  after(async () => {
    await cp?.kubectl(['delete', 'apiservice', 'v1alpha1.wardle.example.com', 'v1beta1.wardle.example.com', '--ignore-not-found']);
    await cp?.kubectl(['delete', 'crd', `flunders.${TWIN}`, '--ignore-not-found']);
    await wardle?.stop();
  });

  const manifest = (group: string, name: string, spec: Record<string, string>, labels: Record<string, string>) => JSON.stringify({
    apiVersion: `${group}/v1alpha1`, kind: 'Flunder', metadata: { name, namespace: 'default', labels }, spec,
  });

  /** Runs one kubectl command on the wardle group and on the twin group; returns both results with the group names made equal. */
  async function both(args: (group: string, resource: string) => string[], input?: (group: string) => string) {
    const run = async (group: string) => {
      const res = await cp.kubectl(args(group, `flunders.v1alpha1.${group}`), input ? { input: input(group) } : {});
      const same = (s: string) => s.replaceAll(group, '<group>');
      return { code: res.code, stdout: same(res.stdout), stderr: same(res.stderr) };
    };
    return { wardle: await run('wardle.example.com'), crd: await run(TWIN) };
  }

  async function stored(name: string) {
    const got = await both((_, resource) => ['get', resource, name, '-n', 'default', '-o', 'json', '--show-managed-fields']);
    const shape = (text: string) => {
      const obj = JSON.parse(text);
      return {
        labels: obj.metadata.labels, spec: obj.spec, annotations: obj.metadata.annotations,
        // Entries are ordered by operation, then time in whole seconds, then manager; the two sides run
        // at different moments, so a second boundary may fall between two steps on one side only.
        // Compare the entries as a set (the order by time is checked in src/apply/apply.test.ts).
        managedFields: obj.metadata.managedFields
          .map((e: any) => ({ ...e, time: typeof e.time }))
          .sort((p: any, q: any) => JSON.stringify(p).localeCompare(JSON.stringify(q))),
      };
    };
    return { wardle: shape(got.wardle.stdout), crd: shape(got.crd.stdout) };
  }

  it('creates, updates, reports conflicts, forces and removes dropped fields as kube-apiserver does', async () => {
    const apply = (name: string, spec: Record<string, string>, labels: Record<string, string>, extra: string[] = []) =>
      both(() => ['apply', '--server-side', '-f', '-', ...extra], (g) => manifest(g, name, spec, labels));

    const created = await apply('ssa', { reference: 'one', referenceType: 'Flunder' }, { a: 'x', b: 'y' });
    assert.equal(created.wardle.code, 0, created.wardle.stderr);
    assert.deepEqual(created.wardle, created.crd);
    assert.match(created.wardle.stdout, /flunder\.<group>\/ssa serverside-applied/);

    const conflict = await apply('ssa', { reference: 'two', referenceType: 'Flunder' }, {}, ['--field-manager=other']);
    assert.equal(conflict.wardle.code, 1);
    assert.deepEqual(conflict.wardle, conflict.crd);
    assert.match(conflict.wardle.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.reference/);

    const forced = await apply('ssa', { reference: 'two', referenceType: 'Flunder' }, {}, ['--field-manager=other', '--force-conflicts']);
    assert.equal(forced.wardle.code, 0, forced.wardle.stderr);
    assert.deepEqual(forced.wardle, forced.crd);

    const dropped = await apply('ssa', { referenceType: 'Flunder' }, { a: 'x' });
    assert.equal(dropped.wardle.code, 0, dropped.wardle.stderr);
    const after = await stored('ssa');
    assert.deepEqual(after.wardle, after.crd);
    assert.deepEqual(after.wardle.labels, { a: 'x' }, 'label b, dropped by its only manager, is removed');
    assert.equal(after.wardle.spec.reference, 'two', 'the forced field stays with its new manager');
    assert.deepEqual(after.wardle.managedFields.map((e: any) => `${e.manager}/${e.operation}`).sort(), ['kubectl/Apply', 'other/Apply']);

    await both((_, resource) => ['delete', resource, 'ssa', '-n', 'default']);
  });

  it('takes over a client-side applied object without conflicts (last-applied-configuration), as kube-apiserver does', async () => {
    const client = await both(() => ['apply', '-f', '-'], (g) => manifest(g, 'migrate', { reference: 'one', referenceType: 'Flunder' }, { a: 'x' }));
    assert.equal(client.wardle.code, 0, client.wardle.stderr);
    assert.deepEqual(client.wardle, client.crd);
    const server = await both(() => ['apply', '--server-side', '-f', '-'], (g) => manifest(g, 'migrate', { reference: 'two', referenceType: 'Flunder' }, { a: 'z' }));
    assert.equal(server.wardle.code, 0, server.wardle.stderr);
    assert.deepEqual(server.wardle, server.crd);
    const after = await stored('migrate');
    assert.deepEqual(after.wardle, after.crd);
    assert.equal(after.wardle.spec.reference, 'two');
    assert.ok(after.wardle.annotations['kubectl.kubernetes.io/last-applied-configuration'].includes('"two"'), 'the annotation follows the applied configuration');
    await both((_, resource) => ['delete', resource, 'migrate', '-n', 'default']);
  });

  it('applies from @kubernetes/client-node (PATCH with application/apply-patch+yaml)', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.adminKubeconfigPath);
    const api = KubernetesObjectApi.makeApiClient(kc);
    const spec = { apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder', metadata: { name: 'from-node', namespace: 'default' }, spec: { reference: 'r', referenceType: 'Flunder' } } as KubernetesObject;
    const created = await api.patch(spec, undefined, undefined, 'node-controller', false, PatchStrategy.ServerSideApply) as any;
    assert.equal(created.spec.reference, 'r');
    assert.deepEqual(created.metadata.managedFields.map((e: any) => [e.manager, e.operation, e.fieldsV1]), [
      ['node-controller', 'Apply', { 'f:spec': { 'f:reference': {}, 'f:referenceType': {} } }],
    ]);
    await assert.rejects(api.patch({ ...spec, spec: { reference: 'other', referenceType: 'Flunder' } } as KubernetesObject, undefined, undefined, 'rival', false, PatchStrategy.ServerSideApply),
      (err: any) => err.code === 409 && JSON.parse(err.body).message === 'Apply failed with 1 conflict: conflict with "node-controller": .spec.reference');
    await api.delete(spec);
  });
});
