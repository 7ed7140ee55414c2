/**
 * Audit through the real aggregator: the wardle server runs with an audit policy and a log; the
 * test kube-apiserver audits too (src/testing/control-plane-args.ts). Our event for a create
 * carries the auditID of kube-apiserver's event for the proxied call, and matches the event
 * kube-apiserver writes for the same create on a CRD with the same schema.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../src/audit/index.ts';
import { auditLogPath } from '../../src/testing/control-plane-args.ts';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import { readAuditLog, waitForAuditEvent } from './support/audit-log.ts';
import { registrationYaml, serverRbacYaml, startWardle, waitAvailable, type WardleProcess } from './support/wardle-server.ts';
import { flunderCrdTwinYaml } from './support/flunder-crd-twin.ts';

const RUN = Math.random().toString(36).slice(2, 7);
const NS = `audit-e2e-${RUN}`;
const SERVER_USER = `wardle-audit-${RUN}`;
const CRD_GROUP = `audit-${RUN}.example.com`;

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
omitManagedFields: true
rules:
- level: Metadata
  nonResourceURLs: ["*"]
- level: RequestResponse
`;

const CRD_YAML = flunderCrdTwinYaml(CRD_GROUP);

const flunderYaml = (group: string, name: string) => `apiVersion: ${group}/v1alpha1
kind: Flunder
metadata: {name: ${name}, namespace: ${NS}, labels: {app: audited}}
spec: {reference: target, referenceType: Flunder}
`;

after(async () => { await (await getSharedControlPlane()).stop(); });

describe('audit through the aggregator', () => {
  let cp: ControlPlane;
  let wardle: WardleProcess;
  let dir: string;
  let ourLog: string;
  let kubeLog: string;

  before(async () => {
    cp = await getSharedControlPlane();
    kubeLog = auditLogPath(cp.dir);
    dir = await mkdtemp(join(tmpdir(), 'extapi-audit-e2e-'));
    ourLog = join(dir, 'audit', 'audit.log');
    await writeFile(join(dir, 'policy.yaml'), POLICY);
    const rbac = await cp.kubectl(['apply', '-f', '-'], { input: serverRbacYaml(SERVER_USER, SERVER_USER) });
    assert.equal(rbac.code, 0, rbac.stderr);
    wardle = await startWardle({
      kubeconfig: await cp.mintKubeconfig(SERVER_USER), serviceDnsName: `api.${NS}.svc`,
      extraArgs: ['--audit-policy-file', join(dir, 'policy.yaml'), '--audit-log-path', ourLog],
    });
    const registered = await cp.kubectl(['apply', '-f', '-'], { input: registrationYaml(NS, 'api', wardle.port, wardle.ca.certPem) + `---\n${CRD_YAML}` });
    assert.equal(registered.code, 0, registered.stderr);
    await waitAvailable(cp);
    const established = await cp.kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/flunders.${CRD_GROUP}`]);
    assert.equal(established.code, 0, established.stderr);
  });

  after(async () => {
    await cp?.kubectl(['delete', 'apiservice', 'v1alpha1.wardle.example.com', 'v1beta1.wardle.example.com', '--ignore-not-found']);
    await cp?.kubectl(['delete', 'crd', `flunders.${CRD_GROUP}`, '--ignore-not-found', '--wait=false']);
    await cp?.kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
    await wardle?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const createEvent = (group: string, name: string) => (e: AuditEvent) =>
    e.stage === 'ResponseComplete' && e.verb === 'create' && e.objectRef?.apiGroup === group && e.objectRef?.resource === 'flunders' && e.objectRef?.name === name;

  it('writes a RequestResponse event for a create whose auditID is that of kube-apiserver\'s event for the proxied call', async () => {
    const created = await cp.kubectl(['create', '-f', '-'], { input: flunderYaml('wardle.example.com', 'joined') });
    assert.equal(created.code, 0, created.stderr);
    const ours = await waitForAuditEvent(ourLog, createEvent('wardle.example.com', 'joined'));
    assert.equal(ours.level, 'RequestResponse');
    assert.equal((ours.requestObject as { metadata: { name: string } }).metadata.name, 'joined');
    assert.equal((ours.responseObject as { spec: unknown }).spec && (ours.responseObject as { kind: string }).kind, 'Flunder');
    const proxied = await waitForAuditEvent(kubeLog, (e) => e.auditID === ours.auditID && e.stage === 'ResponseComplete');
    assert.equal(proxied.verb, 'create');
    assert.equal(proxied.requestURI, ours.requestURI);
    assert.deepEqual(proxied.objectRef, { resource: 'flunders', namespace: NS, apiGroup: 'wardle.example.com', apiVersion: 'v1alpha1' },
      'kube-apiserver knows only the path of a proxied call');
    assert.equal(proxied.requestObject, undefined, 'kube-apiserver does not see the object of a proxied call');
    assert.equal(proxied.responseStatus?.code, 201);
    assert.deepEqual(ours.user, proxied.user);
  });

  it('matches kube-apiserver\'s event for the same create on a CRD with the same schema', async () => {
    const crd = await cp.kubectl(['create', '-f', '-'], { input: flunderYaml(CRD_GROUP, 'twin') });
    assert.equal(crd.code, 0, crd.stderr);
    const ext = await cp.kubectl(['create', '-f', '-'], { input: flunderYaml('wardle.example.com', 'twin') });
    assert.equal(ext.code, 0, ext.stderr);
    const kube = await waitForAuditEvent(kubeLog, createEvent(CRD_GROUP, 'twin'));
    const ours = await waitForAuditEvent(ourLog, createEvent('wardle.example.com', 'twin'));
    assert.deepEqual(normalize(ours, 'wardle.example.com'), normalize(kube, CRD_GROUP));
  });

  it('records a refused request (404) and a list at the policy\'s levels', async () => {
    const missing = await cp.kubectl(['get', 'flunders.wardle.example.com', 'nope', '-n', NS]);
    assert.notEqual(missing.code, 0);
    const notFound = await waitForAuditEvent(ourLog, (e) => e.verb === 'get' && e.objectRef?.name === 'nope' && e.stage === 'ResponseComplete');
    assert.deepEqual(notFound.responseStatus, {
      metadata: {}, status: 'Failure', message: 'flunders.wardle.example.com "nope" not found', reason: 'NotFound',
      details: { name: 'nope', group: 'wardle.example.com', kind: 'flunders' }, code: 404,
    });
    const kubeSide = await waitForAuditEvent(kubeLog, (e) => e.auditID === notFound.auditID && e.stage === 'ResponseComplete');
    assert.equal(kubeSide.responseStatus?.code, 404);
    const nonResource = (await readAuditLog(ourLog)).filter((e) => e.requestURI.startsWith('/openapi') || e.requestURI === '/apis');
    assert.ok(nonResource.every((e) => e.level === 'Metadata' && e.responseObject === undefined), 'non-resource calls at Metadata');
  });
});

/** kube-apiserver's latency tracker annotates only requests slower than its threshold (a CRD's first create often is); extapi does not emit these. */
const LATENCY_ANNOTATION_PREFIX = 'apiserver.latency.k8s.io/';

/**
 * The event without what differs by nature: ids, times, uids, resourceVersions, and the
 * `apiserver.latency.k8s.io/*` annotations (a documented difference: kube-apiserver adds them only
 * when a request is slow, extapi never does); the group named G.
 */
function normalize(e: AuditEvent, group: string): unknown {
  const text = JSON.stringify(e).split(group).join('G');
  const copy = JSON.parse(text) as AuditEvent & { responseObject?: { metadata?: Record<string, unknown> } };
  const { auditID: _a, requestReceivedTimestamp: _r, stageTimestamp: _s, ...rest } = copy;
  if (rest.annotations) {
    rest.annotations = Object.fromEntries(Object.entries(rest.annotations).filter(([k]) => !k.startsWith(LATENCY_ANNOTATION_PREFIX)));
  }
  const meta = rest.responseObject?.metadata;
  if (meta) for (const k of ['uid', 'resourceVersion', 'creationTimestamp']) if (meta[k]) meta[k] = `<${k}>`;
  return rest;
}
