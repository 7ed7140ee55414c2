/**
 * Admission webhooks through the real aggregator: the cluster's Mutating/ValidatingWebhookConfigurations
 * apply to wardle's Flunders as kube-apiserver applies them to a CRD twin with the same schema.
 * One test webhook server records what each caller sent; kubectl shows what users see.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AdmissionRequest } from '../../src/admission/webhooks/types.ts';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import { jsonPatch, startTestWebhookServer, type TestWebhookServer } from '../../src/testing/webhook-server.ts';
import { registrationYaml, serverRbacYaml, startWardle, waitAvailable, type WardleProcess } from './support/wardle-server.ts';
import { flunderCrdTwinYaml, flunderDeprecationWarning } from './support/flunder-crd-twin.ts';

const RUN = Math.random().toString(36).slice(2, 7);
const NS = `webhooks-e2e-${RUN}`;
const SERVER_USER = `wardle-webhooks-${RUN}`;
const CRD_GROUP = `webhooks-${RUN}.example.com`;
const CONFIG = `e2e-${RUN}`;

const CRD_YAML = flunderCrdTwinYaml(CRD_GROUP);
/** What kubectl prints first for every v1alpha1 request to wardle (and to its CRD twin, with the same deprecation). */
const DEPRECATED = `Warning: ${flunderDeprecationWarning('wardle.example.com')}\n`;

const flunderYaml = (group: string, name: string, labels: Record<string, string> = {}) => `apiVersion: ${group}/v1alpha1
kind: Flunder
metadata: {name: ${name}, namespace: ${NS}, labels: ${JSON.stringify(labels)}}
spec: {reference: target, referenceType: Flunder}
`;

after(async () => { await (await getSharedControlPlane()).stop(); });

describe('admission webhooks through the aggregator', () => {
  let cp: ControlPlane;
  let wardle: WardleProcess;
  let hook: TestWebhookServer;

  /** One configuration of `kind` with one webhook at `path`, for both groups, confined to this run's namespace. */
  const configYaml = (kind: 'Validating' | 'Mutating', name: string, path: string, extra = '') => `apiVersion: admissionregistration.k8s.io/v1
kind: ${kind}WebhookConfiguration
metadata: {name: ${CONFIG}-${name}}
webhooks:
- name: ${name}.${CONFIG}.example.com
  clientConfig: {url: "${hook.url}${path}", caBundle: ${hook.caBundle}}
  rules: [{operations: [CREATE, UPDATE], apiGroups: [wardle.example.com, ${CRD_GROUP}], apiVersions: ["*"], resources: [flunders]}]
  namespaceSelector: {matchLabels: {e2e: "${RUN}"}}
  sideEffects: None
  admissionReviewVersions: [v1]
${extra}`;

  const install = async (yaml: string) => {
    const res = await cp.kubectl(['apply', '-f', '-'], { input: yaml });
    assert.equal(res.code, 0, res.stderr);
    await new Promise((r) => setTimeout(r, 1500));
  };
  const removeConfigs = async () => {
    const names = (await cp.kubectl(['get', 'validatingwebhookconfigurations,mutatingwebhookconfigurations', '-o', 'name'])).stdout
      .split('\n').filter((n) => n.includes(CONFIG));
    if (names.length) await cp.kubectl(['delete', ...names, '--ignore-not-found']);
  };

  before(async () => {
    cp = await getSharedControlPlane();
    hook = await startTestWebhookServer();
    const rbac = await cp.kubectl(['apply', '-f', '-'], { input: serverRbacYaml(SERVER_USER, SERVER_USER) });
    assert.equal(rbac.code, 0, rbac.stderr);
    wardle = await startWardle({ kubeconfig: await cp.mintKubeconfig(SERVER_USER), serviceDnsName: `api.${NS}.svc` });
    const registered = await cp.kubectl(['apply', '-f', '-'], { input: registrationYaml(NS, 'api', wardle.port, wardle.ca.certPem) + `---\n${CRD_YAML}` });
    assert.equal(registered.code, 0, registered.stderr);
    assert.equal((await cp.kubectl(['label', 'namespace', NS, `e2e=${RUN}`])).code, 0);
    await waitAvailable(cp);
    assert.equal((await cp.kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/flunders.${CRD_GROUP}`])).code, 0);
  });

  after(async () => {
    await removeConfigs();
    await cp?.kubectl(['delete', 'apiservice', 'v1alpha1.wardle.example.com', 'v1beta1.wardle.example.com', '--ignore-not-found']);
    await cp?.kubectl(['delete', 'crd', `flunders.${CRD_GROUP}`, '--ignore-not-found', '--wait=false']);
    await cp?.kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
    await wardle?.stop();
    await hook?.close();
  });

  beforeEach(async () => { await removeConfigs(); hook.received.length = 0; });

  const create = (group: string, name: string, labels?: Record<string, string>) => cp.kubectl(['create', '-f', '-'], { input: flunderYaml(group, name, labels) });
  const sentBy = (group: string) => hook.received.filter((r) => r.request.kind.group === group);

  it('a validating webhook denies a Flunder, kubectl shows its message, exactly as for the CRD', async () => {
    hook.on('/deny', () => ({ allowed: false, status: { code: 403, reason: 'Forbidden', message: 'flunders are not welcome here' } }));
    await install(configYaml('Validating', 'deny', '/deny'));
    const ours = await create('wardle.example.com', 'refused');
    const theirs = await create(CRD_GROUP, 'refused');
    assert.notEqual(ours.code, 0);
    assert.equal(ours.stderr.trim(), `${DEPRECATED}Error from server (Forbidden): error when creating "STDIN": admission webhook "deny.${CONFIG}.example.com" denied the request: flunders are not welcome here`);
    assert.equal(ours.stderr.replaceAll('wardle.example.com', 'G'), theirs.stderr.replaceAll(CRD_GROUP, 'G'));
    assert.deepEqual(normalizeReview(sentBy('wardle.example.com')[0].request, 'wardle.example.com'), normalizeReview(sentBy(CRD_GROUP)[0].request, CRD_GROUP));
  });

  it('matchConditions (CEL): false skips the webhook, true calls it, an error under Fail refuses — as for the CRD', async () => {
    hook.on('/deny', () => ({ allowed: false, status: { code: 403, reason: 'Forbidden', message: 'matched and refused' } }));
    await install(configYaml('Validating', 'cond', '/deny', `  failurePolicy: Fail
  matchConditions:
  - {name: labelled, expression: "has(object.metadata.labels) && 'check' in object.metadata.labels"}
  - {name: strict, expression: "object.metadata.labels.check == 'yes' || object.spec.nothing == 1"}
`));
    const both = async (name: string, labels: Record<string, string>) => {
      const ours = await create('wardle.example.com', name, labels);
      const theirs = await create(CRD_GROUP, name, labels);
      assert.equal(ours.stderr.replaceAll('wardle.example.com', 'G'), theirs.stderr.replaceAll(CRD_GROUP, 'G'), `${name}: kubectl output differs from the CRD's`);
      assert.equal(ours.code, theirs.code);
      return ours;
    };
    const skipped = await both('cond-skipped', { other: 'x' });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.equal(hook.received.length, 0, 'a false condition skips the webhook');
    const called = await both('cond-called', { check: 'yes' });
    assert.match(called.stderr, /admission webhook "cond\..*" denied the request: matched and refused/);
    assert.equal(sentBy('wardle.example.com').length, 1);
    const errored = await both('cond-error', { check: 'no' });
    assert.equal(errored.stderr.trim(), `${DEPRECATED}Error from server (Forbidden): error when creating "STDIN": flunders.wardle.example.com "cond-error" is forbidden: expression 'object.metadata.labels.check == 'yes' || object.spec.nothing == 1' resulted in error: no such key: nothing`);
    assert.equal(sentBy('wardle.example.com').length, 1, 'the erroring condition did not call the webhook');
  });

  it('a mutating webhook adds a label and a warning, as for the CRD', async () => {
    hook.on('/label', () => ({ allowed: true, warnings: ['labelled by e2e'], ...jsonPatch([{ op: 'add', path: '/metadata/labels/mutated', value: 'yes' }]) }));
    await install(configYaml('Mutating', 'label', '/label'));
    const ours = await create('wardle.example.com', 'labelled', { a: 'b' });
    const theirs = await create(CRD_GROUP, 'labelled', { a: 'b' });
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(theirs.code, 0, theirs.stderr);
    assert.equal(ours.stderr.trim(), `${DEPRECATED}Warning: labelled by e2e`);
    assert.equal(ours.stderr.replaceAll('wardle.example.com', 'G'), theirs.stderr.replaceAll(CRD_GROUP, 'G'));
    const got = await cp.kubectl(['get', 'flunders.wardle.example.com', 'labelled', '-n', NS, '-o', 'jsonpath={.metadata.labels}']);
    assert.deepEqual(JSON.parse(got.stdout), { a: 'b', mutated: 'yes' });
    assert.deepEqual(normalizeReview(sentBy('wardle.example.com')[0].request, 'wardle.example.com'), normalizeReview(sentBy(CRD_GROUP)[0].request, CRD_GROUP));
  });

  it('a webhook timing out: Fail gives the upstream error within the timeout, Ignore lets the request through', async () => {
    hook.on('/hang', () => 'hang');
    await install(configYaml('Validating', 'slow', '/hang', '  timeoutSeconds: 2\n  failurePolicy: Fail\n'));
    const started = Date.now();
    const ours = await create('wardle.example.com', 'slow');
    const took = Date.now() - started;
    const theirs = await create(CRD_GROUP, 'slow');
    assert.notEqual(ours.code, 0);
    assert.ok(took < 10_000, `answered after ${took} ms`);
    assert.equal(ours.stderr.trim(), `${DEPRECATED}Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "slow.${CONFIG}.example.com": failed to call webhook: Post "${hook.url}/hang?timeout=2s": context deadline exceeded`);
    assert.equal(ours.stderr.replaceAll('wardle.example.com', 'G'), theirs.stderr.replaceAll(CRD_GROUP, 'G'));
    assert.equal((await cp.kubectl(['get', 'flunders.wardle.example.com', 'slow', '-n', NS])).code, 1, 'nothing was stored');
    await removeConfigs();
    await install(configYaml('Validating', 'slow', '/hang', '  timeoutSeconds: 2\n  failurePolicy: Ignore\n'));
    const ignored = await create('wardle.example.com', 'slow');
    assert.equal(ignored.code, 0, ignored.stderr);
  });

  it('a webhook that is down never lets a Fail request through', async () => {
    await install(configYaml('Validating', 'down', '/x', '  failurePolicy: Fail\n').replace(`${hook.url}/x`, 'https://127.0.0.1:1/x'));
    const ours = await create('wardle.example.com', 'down');
    const theirs = await create(CRD_GROUP, 'down');
    assert.notEqual(ours.code, 0);
    assert.match(ours.stderr, /failed calling webhook "down\..*": failed to call webhook: Post "https:\/\/127\.0\.0\.1:1\/x\?timeout=10s": dial tcp 127\.0\.0\.1:1: connect: connection refused/);
    assert.equal(ours.stderr.replaceAll('wardle.example.com', 'G'), theirs.stderr.replaceAll(CRD_GROUP, 'G'));
  });
});

/**
 * A review without what differs by nature or by a known gap: uid, the group, server-set times,
 * uids and resourceVersions, and managedFields (extapi has no field manager before issue 12).
 */
function normalizeReview(request: AdmissionRequest, group: string): unknown {
  const copy = JSON.parse(JSON.stringify(request).split(group).join('G')) as AdmissionRequest & Record<string, unknown>;
  delete (copy as Partial<AdmissionRequest>).uid;
  for (const o of [copy.object, copy.oldObject] as ({ metadata?: Record<string, unknown> } | null)[]) {
    if (!o?.metadata) continue;
    delete o.metadata.managedFields;
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp']) if (o.metadata[k]) o.metadata[k] = `<${k}>`;
  }
  return copy;
}
