/**
 * Deprecated versions through the real aggregator, as users see them: kubectl prints wardle's
 * v1alpha1 deprecation exactly as it prints the same deprecation of a CRD twin; and the default
 * text (a deprecated version without its own) is the one kube-apiserver sends for a CRD.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defineResource } from '../../src/resource/define-resource.ts';
import { deprecationWarning } from '../../src/resource/versions.ts';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import { flunderCrdTwinYaml, flunderDeprecationWarning } from './support/flunder-crd-twin.ts';
import { registrationYaml, serverRbacYaml, startWardle, waitAvailable, type WardleProcess } from './support/wardle-server.ts';

const RUN = Math.random().toString(36).slice(2, 7);
const NS = `deprecation-e2e-${RUN}`;
const SERVER_USER = `wardle-deprecation-${RUN}`;
const TWIN = `deprecation-${RUN}.example.com`;
const DEFAULT_TEXT = `deprecation-default-${RUN}.example.com`;
const WARDLE = 'wardle.example.com';

/** A CRD with a deprecated v1alpha1 that gives no text of its own, and a served v1beta1. */
const defaultTextCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: flunders.${DEFAULT_TEXT}}
spec:
  group: ${DEFAULT_TEXT}
  scope: Namespaced
  names: {plural: flunders, singular: flunder, kind: Flunder, listKind: FlunderList}
  versions:
  - {name: v1alpha1, served: true, storage: false, deprecated: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
  - {name: v1beta1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`;

const flunderYaml = (group: string, name: string) => `apiVersion: ${group}/v1alpha1
kind: Flunder
metadata: {name: ${name}, namespace: ${NS}}
spec: {reference: target, referenceType: Flunder}
`;

after(async () => { await (await getSharedControlPlane()).stop(); });

describe('deprecated versions through the aggregator', () => {
  let cp: ControlPlane;
  let wardle: WardleProcess;

  before(async () => {
    cp = await getSharedControlPlane();
    const rbac = await cp.kubectl(['apply', '-f', '-'], { input: serverRbacYaml(SERVER_USER, SERVER_USER) });
    assert.equal(rbac.code, 0, rbac.stderr);
    wardle = await startWardle({ kubeconfig: await cp.mintKubeconfig(SERVER_USER), serviceDnsName: `api.${NS}.svc` });
    const registered = await cp.kubectl(['apply', '-f', '-'], {
      input: `${registrationYaml(NS, 'api', wardle.port, wardle.ca.certPem)}---\n${flunderCrdTwinYaml(TWIN)}---\n${defaultTextCrd}`,
    });
    assert.equal(registered.code, 0, registered.stderr);
    await waitAvailable(cp);
    for (const group of [TWIN, DEFAULT_TEXT]) {
      assert.equal((await cp.kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/flunders.${group}`])).code, 0);
    }
  });

  after(async () => {
    await cp?.kubectl(['delete', 'apiservice', `v1alpha1.${WARDLE}`, `v1beta1.${WARDLE}`, '--ignore-not-found']);
    await cp?.kubectl(['delete', 'crd', `flunders.${TWIN}`, `flunders.${DEFAULT_TEXT}`, '--ignore-not-found', '--wait=false']);
    await cp?.kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
    await wardle?.stop();
  });

  /** The same kubectl command against wardle and the twin; stderr with the group made neutral. */
  const both = async (args: (group: string) => string[], input?: (group: string) => string) => {
    const run = async (group: string) => {
      const res = await cp.kubectl(args(group), input ? { input: input(group) } : {});
      return { code: res.code, stderr: res.stderr.replaceAll(group, '<group>') };
    };
    return { wardle: await run(WARDLE), crd: await run(TWIN) };
  };

  it('kubectl prints the v1alpha1 deprecation on create, get, get -o wide and delete, exactly as for the CRD twin', async () => {
    const warning = `Warning: ${flunderDeprecationWarning('<group>')}`;
    const steps = [
      await both(() => ['create', '-f', '-'], (g) => flunderYaml(g, 'old')),
      await both((g) => ['get', `flunders.v1alpha1.${g}`, '-n', NS]),
      await both((g) => ['get', `flunders.v1alpha1.${g}`, 'old', '-n', NS, '-o', 'wide']),
      await both((g) => ['get', `flunders.v1alpha1.${g}`, 'absent', '-n', NS]),
      await both((g) => ['delete', `flunders.v1alpha1.${g}`, 'old', '-n', NS]),
    ];
    for (const step of steps) {
      assert.deepEqual(step.wardle, step.crd);
      assert.equal(step.wardle.stderr.split('\n')[0], warning);
    }
    assert.deepEqual(steps.map((s) => s.wardle.code), [0, 0, 0, 1, 0]);
  });

  it('prints nothing for v1beta1, and Fischer\'s own deprecation for fischers', async () => {
    const beta = await cp.kubectl(['get', `flunders.v1beta1.${WARDLE}`, '-n', NS]);
    assert.equal(beta.code, 0, beta.stderr);
    assert.doesNotMatch(beta.stderr, /Warning/);
    const fischers = await cp.kubectl(['get', `fischers.v1alpha1.${WARDLE}`]);
    assert.equal(fischers.code, 0, fischers.stderr);
    assert.equal(fischers.stderr.split('\n')[0], `Warning: ${WARDLE}/v1alpha1 Fischer is deprecated in v1.3+, unavailable in v1.10+`);
  });

  it('the default text of a deprecated version is the one kube-apiserver sends for a CRD', async () => {
    const crd = await cp.kubectl(['get', '--raw', `/apis/${DEFAULT_TEXT}/v1alpha1/namespaces/${NS}/flunders`]);
    assert.equal(crd.code, 0, crd.stderr);
    const schema = { type: 'object' };
    const declared = defineResource({
      group: DEFAULT_TEXT, kind: 'Flunder', plural: 'flunders', namespaced: true,
      versions: [{ name: 'v1alpha1', schema, deprecated: true, toStorage: (o) => o, fromStorage: (o) => o }, { name: 'v1beta1', storage: true, schema }],
    });
    assert.equal(crd.stderr.trim(), `Warning: ${deprecationWarning(declared, declared.versions[0])}`);
    assert.equal(crd.stderr.trim(), `Warning: ${DEFAULT_TEXT}/v1alpha1 Flunder is deprecated; use ${DEFAULT_TEXT}/v1beta1 Flunder`);
  });
});
