import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { wardleResources } from '../../../examples/wardle/resources.ts';
import type { KubeClient } from '../../kube/client.ts';
import { createApiServer, type ApiServer } from '../../server/server.ts';
import { createMemoryStorage } from '../../storage/memory.ts';
import { jsonPatch, startTestWebhookServer, type TestWebhookServer } from '../../testing/webhook-server.ts';
import { AdmissionWebhooks } from './plugin.ts';
import type { Webhook, WebhookConfiguration } from './types.ts';

const ALPHA = '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders';
const flunder = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder', metadata: { name, labels }, spec: { reference: 'r', referenceType: 'Flunder' },
});

/** A cluster of webhook configurations, served to the plugin as kube-apiserver would list them. */
function fakeCluster(configs: { mutating: WebhookConfiguration[]; validating: WebhookConfiguration[] }): KubeClient {
  return {
    server: 'https://fake', contextName: 'fake',
    request: async (_m: string, path: string) => ({ items: path.includes('mutating') ? configs.mutating : configs.validating, metadata: { resourceVersion: '1' } }),
    getOrNull: async () => null,
    watch: (_p, _q, _on, signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())),
  } as KubeClient;
}

describe('admission webhooks (in-process server, real HTTPS webhook)', () => {
  let hook: TestWebhookServer;
  let server: ApiServer;
  let url: string;
  const configs = { mutating: [] as WebhookConfiguration[], validating: [] as WebhookConfiguration[] };
  let plugin: AdmissionWebhooks;
  const namespaces: Record<string, Record<string, string>> = { default: { env: 'test' } };

  const webhook = (name: string, path: string, extra: Partial<Webhook> = {}): Webhook => ({
    name, clientConfig: { url: `${hook.url}${path}`, caBundle: hook.caBundle }, sideEffects: 'None', admissionReviewVersions: ['v1'],
    rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['wardle.example.com'], apiVersions: ['v1alpha1'], resources: ['flunders'] }],
    ...extra,
  });
  const setHooks = async (mutating: Webhook[][], validating: Webhook[][]) => {
    configs.mutating = mutating.map((webhooks, i) => ({ metadata: { name: `m-${i}` }, webhooks }));
    configs.validating = validating.map((webhooks, i) => ({ metadata: { name: `v-${i}` }, webhooks }));
    plugin.stop();
    plugin = new AdmissionWebhooks(fakeCluster(configs), async (ns) => namespaces[ns]);
    await plugin.start();
    await server.close();
    await listen();
  };
  const listen = async () => {
    server = createApiServer({
      resources: wardleResources, storage: createMemoryStorage({ historyRevisions: 100 }), log: () => undefined, admission: [plugin],
      authenticators: [{ authenticate: () => ({ username: 'alice', uid: 'u1', groups: ['dev'] }) }], authorizer: { authorize: () => ({ decision: 'Allow' }) },
    });
    url = `http://127.0.0.1:${(await server.listen(0, '127.0.0.1')).port}`;
  };
  const post = async (path: string, body: unknown, query = '') => {
    const res = await fetch(`${url}${path}${query}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: await res.json() as any, warnings: res.headers.get('warning') };
  };

  before(async () => {
    hook = await startTestWebhookServer();
    plugin = new AdmissionWebhooks(fakeCluster(configs), async (ns) => namespaces[ns]);
    await listen();
  });
  after(async () => { plugin.stop(); await server.close(); await hook.close(); });
  beforeEach(() => { hook.received.length = 0; });

  it('sends an AdmissionReview v1 with the request fields, and a denial reads as upstream words it', async () => {
    hook.on('/deny', () => ({ allowed: false, status: { code: 403, reason: 'Forbidden', message: 'no flunders today' } }));
    await setHooks([], [[webhook('deny.example.com', '/deny')]]);
    const res = await post(ALPHA, flunder('a'), '?fieldManager=me');
    assert.equal(res.status, 403);
    assert.equal(res.body.message, 'admission webhook "deny.example.com" denied the request: no flunders today');
    assert.equal(res.body.reason, 'Forbidden');
    const [sent] = hook.received;
    assert.equal(sent.query, '?timeout=10s');
    const r = sent.request;
    assert.match(r.uid, /^[0-9a-f-]{36}$/);
    assert.deepEqual([r.kind, r.resource, r.requestKind, r.requestResource], [
      { group: 'wardle.example.com', version: 'v1alpha1', kind: 'Flunder' }, { group: 'wardle.example.com', version: 'v1alpha1', resource: 'flunders' },
      { group: 'wardle.example.com', version: 'v1alpha1', kind: 'Flunder' }, { group: 'wardle.example.com', version: 'v1alpha1', resource: 'flunders' }]);
    assert.deepEqual([r.name, r.namespace, r.operation, r.dryRun, r.oldObject], ['a', 'default', 'CREATE', false, null]);
    assert.deepEqual(r.userInfo, { username: 'alice', uid: 'u1', groups: ['dev', 'system:authenticated'] });
    assert.deepEqual(r.options, { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'me' });
    assert.equal((r.object as { metadata: { uid?: string } }).metadata.uid, (r.object as { metadata: { uid?: string } }).metadata.uid);
  });

  it('matchConditions (CEL): false skips the webhook, true calls it, an error follows failurePolicy', async () => {
    hook.on('/deny', () => ({ allowed: false, status: { message: 'called' } }));
    const conditions = [{ name: 'labelled', expression: "has(object.metadata.labels) && object.metadata.labels.check == 'yes'" }, { name: 'create', expression: "request.operation == 'CREATE'" }];
    await setHooks([], [[webhook('cond.example.com', '/deny', { matchConditions: conditions })]]);
    assert.equal((await post(ALPHA, flunder('skipped', { check: 'no' }))).status, 201, 'a false condition skips the webhook');
    assert.equal(hook.received.length, 0);
    const called = await post(ALPHA, flunder('called', { check: 'yes' }));
    assert.equal(called.status, 400);
    assert.equal(called.body.message, 'admission webhook "cond.example.com" denied the request: called');
    const broken = [{ name: 'broken', expression: 'object.spec.nothing == 1' }];
    await setHooks([], [[webhook('err.example.com', '/deny', { matchConditions: broken, failurePolicy: 'Fail' })]]);
    const failed = await post(ALPHA, flunder('errored'));
    assert.equal(failed.status, 403);
    assert.equal(failed.body.reason, 'Forbidden');
    assert.equal(failed.body.message, `flunders.wardle.example.com "errored" is forbidden: expression 'object.spec.nothing == 1' resulted in error: no such key: nothing`);
    await setHooks([], [[webhook('err.example.com', '/deny', { matchConditions: [...broken, { name: 'no', expression: 'false' }], failurePolicy: 'Fail' })]]);
    assert.equal((await post(ALPHA, flunder('false-wins'))).status, 201, 'a false condition wins over an error');
    await setHooks([], [[webhook('err.example.com', '/deny', { matchConditions: broken, failurePolicy: 'Ignore' })]]);
    assert.equal((await post(ALPHA, flunder('ignored'))).status, 201, 'Ignore skips the webhook on an error');
    assert.equal(hook.received.length, 1, 'only the matching call reached the webhook');
  });

  it('applies a mutating JSONPatch, passes warnings back, and validates the result again', async () => {
    hook.on('/label', () => ({ allowed: true, warnings: ['labelled by the webhook'], ...jsonPatch([{ op: 'add', path: '/metadata/labels/mutated', value: 'yes' }]) }));
    hook.on('/break', () => ({ allowed: true, ...jsonPatch([{ op: 'add', path: '/spec/reference', value: 42 }]) }));
    await setHooks([[webhook('label.example.com', '/label')]], []);
    const unlabelled = await post(ALPHA, flunder('m'));
    assert.equal(unlabelled.status, 500, 'no labels to add to: the patch does not apply, as at kube-apiserver');
    assert.equal(unlabelled.body.message, 'Internal error occurred: add operation does not apply: doc is missing path: "/metadata/labels/mutated": missing value');
    const res = await post(ALPHA, flunder('m', { x: 'y' }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.metadata.labels.mutated, 'yes');
    assert.equal(res.warnings, '299 - "wardle.example.com/v1alpha1 Flunder is deprecated in v1.3+, unavailable in v1.10+", 299 - "labelled by the webhook"',
      'v1alpha1\'s deprecation first, then the webhook\'s warning');
    const sent = hook.received[1].request.object as { metadata: Record<string, unknown> };
    assert.equal(sent.metadata.uid, undefined, 'mutating webhooks see the object before the server sets uid');
    assert.deepEqual(res.body.metadata.labels, { x: 'y', mutated: 'yes' });
    await setHooks([[webhook('break.example.com', '/break')]], []);
    const broken = await post(ALPHA, flunder('broken'));
    assert.equal(broken.status, 422);
    assert.match(broken.body.message, /spec\.reference: Invalid value: "integer": spec\.reference in body must be of type string: "integer"/);
  });

  it('never lets a Fail request through a webhook that hangs or is down, and answers within the timeout', async () => {
    hook.on('/hang', () => 'hang');
    await setHooks([], [[webhook('slow.example.com', '/hang', { timeoutSeconds: 1, failurePolicy: 'Fail' })]]);
    const started = Date.now();
    const res = await post(ALPHA, flunder('slow'));
    assert.ok(Date.now() - started < 5000, `answered after ${Date.now() - started} ms`);
    assert.equal(res.status, 500);
    assert.equal(res.body.reason, 'InternalError');
    assert.equal(res.body.message, `Internal error occurred: failed calling webhook "slow.example.com": failed to call webhook: Post "${hook.url}/hang?timeout=1s": context deadline exceeded`);
    await setHooks([], [[webhook('down.example.com', '/x', { clientConfig: { url: 'https://127.0.0.1:1/x', caBundle: hook.caBundle } })]]);
    const down = await post(ALPHA, flunder('down'));
    assert.equal(down.status, 500);
    assert.equal(down.body.message, 'Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: Post "https://127.0.0.1:1/x?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused');
    await setHooks([], [[webhook('slow.example.com', '/hang', { timeoutSeconds: 1, failurePolicy: 'Ignore' })]]);
    assert.equal((await post(ALPHA, flunder('ignored'))).status, 201);
  });

  it('refuses a webhook whose certificate the caBundle does not verify', async () => {
    const other = await startTestWebhookServer();
    await setHooks([], [[webhook('mitm.example.com', '/x', { clientConfig: { url: `${hook.url}/x`, caBundle: other.caBundle } })]]);
    const res = await post(ALPHA, flunder('mitm'));
    await other.close();
    assert.equal(res.status, 500);
    assert.match(res.body.message, /failed to call webhook: Post ".*": tls: failed to verify certificate: x509: certificate signed by unknown authority$/);
    assert.equal(hook.received.length, 0);
  });

  it('matchPolicy Equivalent: a webhook for v1beta1 sees a v1alpha1 request converted; Exact does not', async () => {
    const beta = { rules: [{ operations: ['CREATE'], apiGroups: ['wardle.example.com'], apiVersions: ['v1beta1'], resources: ['flunders'] }] };
    await setHooks([], [[webhook('eq.example.com', '/eq', beta), webhook('exact.example.com', '/exact', { ...beta, matchPolicy: 'Exact' })]]);
    assert.equal((await post(ALPHA, flunder('eq'))).status, 201);
    assert.deepEqual(hook.received.map((r) => r.path), ['/eq']);
    const r = hook.received[0].request;
    assert.deepEqual(r.kind, { group: 'wardle.example.com', version: 'v1beta1', kind: 'Flunder' });
    assert.deepEqual(r.requestKind, { group: 'wardle.example.com', version: 'v1alpha1', kind: 'Flunder' });
    assert.deepEqual((r.object as { spec: unknown }).spec, { flunderReference: 'r', referenceType: 'Flunder' });
  });

  it('honours objectSelector, namespaceSelector, scope and subresource rules', async () => {
    await setHooks([], [[
      webhook('obj.example.com', '/obj', { objectSelector: { matchLabels: { audit: 'yes' } } }),
      webhook('ns.example.com', '/ns', { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] } }),
      webhook('cluster.example.com', '/cluster', { rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], scope: 'Cluster' }] }),
      webhook('status.example.com', '/status', { rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['flunders/status'] }] }),
    ]]);
    await post(ALPHA, flunder('plain'));
    await post(ALPHA, flunder('chosen', { audit: 'yes' }));
    assert.deepEqual(hook.received.map((r) => `${r.path}:${r.request.name}`), ['/obj:chosen']);
  });

  it('reinvokes an IfNeeded webhook once when a later webhook changed the object', async () => {
    hook.on('/first', () => ({ allowed: true }));
    hook.on('/second', (req) => ((req.object as { metadata: { labels?: Record<string, string> } }).metadata.labels?.second
      ? { allowed: true } : { allowed: true, ...jsonPatch([{ op: 'add', path: '/metadata/labels/second', value: 'done' }]) }));
    await setHooks([[webhook('a-first', '/first', { reinvocationPolicy: 'IfNeeded' }), webhook('b-second', '/second')]], []);
    const res = await post(ALPHA, flunder('again', { x: 'y' }));
    assert.equal(res.status, 201);
    assert.deepEqual(hook.received.map((r) => r.path), ['/first', '/second', '/first']);
    assert.equal((hook.received[2].request.object as { metadata: { labels: Record<string, string> } }).metadata.labels.second, 'done');
  });
});
