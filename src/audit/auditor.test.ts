import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { wardleResources } from '../../examples/wardle/resources.ts';
import { createApiServer, type ApiServer } from '../server/server.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import { Auditor } from './auditor.ts';
import { AuditPolicyChecker } from './policy.ts';
import type { AuditBackend, AuditEvent } from './types.ts';

const FLUNDERS = '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders';

describe('audit events of an in-process server', () => {
  const events: AuditEvent[] = [];
  const memory: AuditBackend = { name: 'memory', process: (e) => events.push(...e), shutdown: async () => undefined };
  let server: ApiServer;
  let url: string;
  before(async () => {
    const auditor = new Auditor(new AuditPolicyChecker({
      apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitManagedFields: true,
      rules: [
        { level: 'None', nonResourceURLs: ['/healthz*'] },
        { level: 'Metadata', verbs: ['list'] },
        { level: 'RequestResponse', omitStages: ['RequestReceived'] },
      ],
    }), [memory]);
    server = createApiServer({
      resources: wardleResources, storage: createMemoryStorage({ historyRevisions: 100 }), log: () => undefined, audit: auditor,
      authenticators: [{ authenticate: () => ({ username: 'alice', uid: 'u-1', groups: ['dev'], extra: { scopes: ['a'] } }) }],
      authorizer: { authorize: ({ info }) => (info.verb === 'delete' ? { decision: 'Deny', reason: 'no deletes' } : { decision: 'Allow', reason: 'allowed by test' }) },
    });
    url = `http://127.0.0.1:${(await server.listen(0, '127.0.0.1')).port}`;
  });
  after(async () => { await server.close(); });

  const complete = (id: string) => events.filter((e) => e.auditID === id && e.stage === 'ResponseComplete');

  it('records a create at RequestResponse with the Audit-ID it was given, objects and annotations', async () => {
    const body = { apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder', metadata: { name: 'a', managedFields: [{ manager: 'x', operation: 'Update', apiVersion: 'wardle.example.com/v1alpha1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: {} }] }, spec: { reference: 'r' } };
    const res = await fetch(url + FLUNDERS, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'audit-id': 'given-id', 'user-agent': 'kubectl/v1.36', 'x-forwarded-for': '10.1.2.3' },
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('audit-id'), 'given-id');
    const created = await res.json() as { metadata: { uid: string } };
    await waitFor(() => complete('given-id').length === 1);
    assert.equal(events.filter((e) => e.auditID === 'given-id').length, 1, 'RequestReceived is omitted by the rule');
    const e = complete('given-id')[0];
    assert.deepEqual(Object.keys(e), ['kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'sourceIPs', 'userAgent', 'objectRef',
      'responseStatus', 'requestObject', 'responseObject', 'requestReceivedTimestamp', 'stageTimestamp', 'annotations']);
    assert.equal(e.level, 'RequestResponse');
    assert.equal(e.requestURI, FLUNDERS);
    assert.equal(e.verb, 'create');
    assert.deepEqual(e.user, { username: 'alice', uid: 'u-1', groups: ['dev', 'system:authenticated'], extra: { scopes: ['a'] } });
    assert.deepEqual(e.sourceIPs, ['10.1.2.3', '127.0.0.1']);
    assert.equal(e.userAgent, 'kubectl/v1.36');
    assert.deepEqual(e.objectRef, { resource: 'flunders', namespace: 'default', name: 'a', apiGroup: 'wardle.example.com', apiVersion: 'v1alpha1' });
    assert.deepEqual(e.responseStatus, { metadata: {}, code: 201 });
    assert.deepEqual(e.requestObject, { ...body, metadata: { name: 'a' } }, 'managedFields omitted');
    assert.deepEqual((e.responseObject as { metadata: { uid: string } }).metadata.uid, created.metadata.uid);
    assert.deepEqual(e.annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'allowed by test', 'k8s.io/deprecated': 'true' },
      'v1alpha1 is deprecated: annotated as kube-apiserver annotates a deprecated CRD version');
    assert.match(e.stageTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(e.stageTimestamp >= e.requestReceivedTimestamp);
  });

  it('records a refused request with its Status and the forbid decision', async () => {
    const res = await fetch(`${url}${FLUNDERS}/a`, { method: 'DELETE' });
    assert.equal(res.status, 403);
    const id = res.headers.get('audit-id')!;
    assert.match(id, /^[0-9a-f-]{36}$/, 'a fresh UUID when no Audit-ID was sent');
    await waitFor(() => complete(id).length === 1);
    const e = complete(id)[0];
    assert.equal(e.responseStatus?.code, 403);
    assert.equal(e.responseStatus?.reason, 'Forbidden');
    assert.equal(e.responseStatus?.status, 'Failure');
    assert.deepEqual((e.responseObject as { kind: string }).kind, 'Status');
    assert.deepEqual(e.annotations, { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': 'no deletes' });
  });

  it('keeps Metadata-level events free of objects and skips None', async () => {
    const list = await fetch(url + FLUNDERS);
    const health = await fetch(`${url}/healthz`);
    const id = list.headers.get('audit-id')!;
    await waitFor(() => complete(id).length === 1);
    const stages = events.filter((e) => e.auditID === id).map((e) => e.stage);
    assert.deepEqual(stages, ['RequestReceived', 'ResponseComplete']);
    const e = complete(id)[0];
    assert.equal(e.level, 'Metadata');
    assert.equal(e.requestObject, undefined);
    assert.equal(e.responseObject, undefined);
    assert.deepEqual(e.responseStatus, { metadata: {}, code: 200 });
    assert.equal(events.filter((x) => x.auditID === health.headers.get('audit-id')).length, 0);
  });

  it('emits ResponseStarted for a watch when its headers go out', async () => {
    const ac = new AbortController();
    const res = await fetch(`${url}${FLUNDERS}?watch=1`, { signal: ac.signal });
    const id = res.headers.get('audit-id')!;
    await waitFor(() => events.some((e) => e.auditID === id && e.stage === 'ResponseStarted'));
    ac.abort();
    await waitFor(() => complete(id).length === 1);
    assert.deepEqual(events.filter((e) => e.auditID === id).map((e) => [e.stage, e.responseStatus?.code]), [['ResponseStarted', 200], ['ResponseComplete', 200]]);
  });
});

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
