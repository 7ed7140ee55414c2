import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiTestServer, type ApiTestServer } from '../testing/api-test-server.ts';
import { wardleResources } from '../../examples/wardle/resources.ts';
import { widgets } from '../testing/fixtures.ts';

const NS = '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders';
const flunder = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder', metadata: { name }, spec });

describe('create, get, update, delete', () => {
  let t: ApiTestServer;
  before(async () => { t = await startApiTestServer([...wardleResources, widgets]); });
  after(async () => { await t.close(); });

  it('creates with server-owned fields and reads it back', async () => {
    const res = await t.request('POST', NS, { body: flunder('a', { reference: 'b', referenceType: 'Flunder' }) });
    assert.equal(res.status, 201);
    assert.equal(res.body.metadata.namespace, 'default');
    assert.match(res.body.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(res.body.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(res.body.metadata.generation, 1);
    assert.match(res.body.metadata.resourceVersion, /^\d+$/);
    const got = await t.request('GET', `${NS}/a`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, res.body);
  });

  it('answers 409 AlreadyExists for a taken name', async () => {
    const res = await t.request('POST', NS, { body: flunder('a') });
    assert.equal(res.status, 409);
    assert.equal(res.body.reason, 'AlreadyExists');
    assert.equal(res.body.message, 'flunders.wardle.example.com "a" already exists');
  });

  it('answers 404 NotFound worded as kube-apiserver', async () => {
    const res = await t.request('GET', `${NS}/missing`);
    assert.equal(res.status, 404);
    assert.equal(res.body.kind, 'Status');
    assert.equal(res.body.reason, 'NotFound');
    assert.equal(res.body.message, 'flunders.wardle.example.com "missing" not found');
    assert.deepEqual(res.body.details, { name: 'missing', group: 'wardle.example.com', kind: 'flunders' });
  });

  it('declares the length of every answer: object, list, Status and YAML', async () => {
    for (const [path, accept] of [[`${NS}/a`, 'application/json'], [NS, 'application/json'], [`${NS}/missing`, 'application/json'], [`${NS}/a`, 'application/yaml']]) {
      const res = await fetch(t.url + path, { headers: { accept } });
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.ok(bytes.length > 0, path);
      assert.equal(res.headers.get('content-length'), String(bytes.length), `${path} (${accept})`);
    }
  });

  it('generates names from generateName', async () => {
    const res = await t.request('POST', NS, { body: { metadata: { generateName: 'gen-' }, spec: {} } });
    assert.equal(res.status, 201);
    assert.match(res.body.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('dryRun=All validates but stores nothing', async () => {
    const res = await t.request('POST', `${NS}?dryRun=All`, { body: flunder('dry') });
    assert.equal(res.status, 201);
    assert.equal((await t.request('GET', `${NS}/dry`)).status, 404);
    const bad = await t.request('POST', `${NS}?dryRun=Maybe`, { body: flunder('dry') });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.message, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Maybe"]: supported values: "All"');
  });

  it('refuses invalid objects with 422 and field causes', async () => {
    const res = await t.request('POST', NS, { body: flunder('bad', { reference: 'x', referenceType: 'Fischer' }) });
    assert.equal(res.status, 201, 'a valid Fischer reference');
    const invalid = await t.request('POST', NS, { body: flunder('bad2', { referenceType: 'Fischer' }) });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.body.reason, 'Invalid');
    assert.equal(invalid.body.details.causes[0].field, 'spec.fischerReference');
    assert.equal(invalid.body.message, 'Flunder.wardle.example.com "bad2" is invalid: spec.fischerReference: Invalid value: "": cannot be empty if referenceType is Fischer');
    assert.equal((await t.request('GET', `${NS}/bad2`)).status, 404);
    const badName = await t.request('POST', NS, { body: flunder('Not_Valid') });
    assert.equal(badName.status, 422);
    assert.equal(badName.body.details.causes[0].field, 'metadata.name');
  });

  it('refuses malformed bodies with 400, oversize with 413, unknown types with 415', async () => {
    const malformed = await t.request('POST', NS, { body: '{"metadata": {"name": "x"' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.reason, 'BadRequest');
    const wrongType = await t.request('POST', NS, { body: { metadata: { name: 'x' }, spec: { reference: 5 } } });
    assert.equal(wrongType.status, 422);
    const big = await t.request('POST', NS, { body: flunder('big', { reference: 'x'.repeat(3 * 1024 * 1024) }) });
    assert.equal(big.status, 413);
    assert.equal(big.body.reason, 'RequestEntityTooLarge');
    const proto = await t.request('POST', NS, { body: 'abc', contentType: 'application/vnd.kubernetes.protobuf' });
    assert.equal(proto.status, 415);
    assert.equal(proto.body.reason, 'UnsupportedMediaType');
    const otherNs = await t.request('POST', NS, { body: { metadata: { name: 'x', namespace: 'other' } } });
    assert.equal(otherNs.status, 400);
    assert.equal(otherNs.body.message, 'the namespace of the provided object does not match the namespace sent on the request');
  });

  it('updates with optimistic concurrency and bumps generation only on spec change', async () => {
    const created = (await t.request('POST', NS, { body: flunder('u', { reference: 'r1', referenceType: 'Flunder' }) })).body;
    const labelled = await t.request('PUT', `${NS}/u`, { body: { ...created, metadata: { ...created.metadata, labels: { a: 'b' } } } });
    assert.equal(labelled.status, 200);
    assert.equal(labelled.body.metadata.generation, 1);
    assert.notEqual(labelled.body.metadata.resourceVersion, created.metadata.resourceVersion);
    const stale = await t.request('PUT', `${NS}/u`, { body: { ...created, spec: { reference: 'r2', referenceType: 'Flunder' } } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.equal(stale.body.message, 'Operation cannot be fulfilled on flunders.wardle.example.com "u": the object has been modified; please apply your changes to the latest version and try again');
    const spec = await t.request('PUT', `${NS}/u`, { body: { ...labelled.body, spec: { reference: 'r2', referenceType: 'Flunder' } } });
    assert.equal(spec.status, 200);
    assert.equal(spec.body.metadata.generation, 2);
    const same = await t.request('PUT', `${NS}/u`, { body: spec.body });
    assert.equal(same.body.metadata.resourceVersion, spec.body.metadata.resourceVersion, 'a no-op update writes nothing');
    const mismatch = await t.request('PUT', `${NS}/u`, { body: { ...spec.body, metadata: { ...spec.body.metadata, name: 'other' } } });
    assert.equal(mismatch.status, 400);
    const missing = await t.request('PUT', `${NS}/nope`, { body: flunder('nope') });
    assert.equal(missing.status, 404);
    const unconditional = await t.request('PUT', `${NS}/u`, { body: { ...spec.body, metadata: { ...spec.body.metadata, resourceVersion: undefined } } });
    assert.equal(unconditional.status, 422);
    assert.equal(unconditional.body.message, 'flunders.wardle.example.com "u" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update');
  });

  it('status subresource writes only status; the main resource ignores status', async () => {
    const W = '/apis/test.extapi.dev/v1/namespaces/default/widgets';
    const created = (await t.request('POST', W, { body: { metadata: { name: 's' }, spec: { replicas: 2 }, status: { phase: 'ignored' } } })).body;
    assert.equal(created.status, undefined);
    const st = await t.request('PUT', `${W}/s/status`, { body: { ...created, spec: { replicas: 9 }, status: { phase: 'Ready' } } });
    assert.equal(st.status, 200);
    assert.deepEqual(st.body.status, { phase: 'Ready' });
    assert.deepEqual(st.body.spec, { replicas: 2 });
    assert.equal(st.body.metadata.generation, 1);
    const main = await t.request('PUT', `${W}/s`, { body: { ...st.body, status: { phase: 'Changed' } } });
    assert.deepEqual(main.body.status, { phase: 'Ready' });
  });

  it('defaults and validates against the schema', async () => {
    const W = '/apis/test.extapi.dev/v1/namespaces/default/widgets';
    const created = await t.request('POST', W, { body: { metadata: { name: 'dflt' }, spec: {} } });
    assert.equal(created.body.spec.replicas, 1);
    const bad = await t.request('POST', W, { body: { metadata: { name: 'neg' }, spec: { replicas: -1, mode: 'odd' } } });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.details.causes.map((c: any) => c.field).sort(), ['spec.mode', 'spec.replicas']);
    const strict = await t.request('POST', `${W}?fieldValidation=Strict`, { body: '{"metadata":{"name":"st"},"spec":{"replicas":1,"replicas":2,"bogus":true}}' });
    assert.equal(strict.status, 400);
    assert.equal(strict.body.message, 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: duplicate field "spec.replicas", unknown field "spec.bogus"');
    const warn = await t.request('POST', W, { body: { metadata: { name: 'wn' }, spec: { bogus: true } } });
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.get('warning'), '299 - "unknown field \\"spec.bogus\\""');
    assert.equal(warn.body.spec.bogus, undefined);
    const badValidation = await t.request('POST', `${W}?fieldValidation=Loose`, { body: { metadata: { name: 'x' } } });
    assert.equal(badValidation.status, 422);
  });

  it('deletes immediately with a Success Status, or waits for finalizers', async () => {
    const created = (await t.request('POST', NS, { body: flunder('d') })).body;
    const wrongUid = await t.request('DELETE', `${NS}/d`, { body: { preconditions: { uid: 'nope' } } });
    assert.equal(wrongUid.status, 409);
    const res = await t.request('DELETE', `${NS}/d`, { body: { preconditions: { uid: created.metadata.uid } } });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'Success');
    assert.equal(res.body.details.uid, created.metadata.uid);
    assert.equal((await t.request('GET', `${NS}/d`)).status, 404);

    await t.request('POST', NS, { body: { ...flunder('f'), metadata: { name: 'f', finalizers: ['example.com/keep'] } } });
    const pending = await t.request('DELETE', `${NS}/f`);
    assert.equal(pending.status, 200);
    assert.ok(pending.body.metadata.deletionTimestamp);
    const still = (await t.request('GET', `${NS}/f`)).body;
    assert.ok(still.metadata.deletionTimestamp);
    const cleared = await t.request('PUT', `${NS}/f`, { body: { ...still, metadata: { ...still.metadata, finalizers: [] } } });
    assert.equal(cleared.status, 200);
    assert.equal((await t.request('GET', `${NS}/f`)).status, 404);
  });

  it('deletecollection deletes what the selector matches', async () => {
    for (const n of ['c1', 'c2', 'c3']) await t.request('POST', NS, { body: { ...flunder(n), metadata: { name: n, labels: { batch: n === 'c3' ? 'keep' : 'drop' } } } });
    const res = await t.request('DELETE', `${NS}?labelSelector=batch%3Ddrop`);
    assert.equal(res.status, 200);
    assert.equal(res.body.kind, 'FlunderList');
    assert.deepEqual(res.body.items.map((i: any) => i.metadata.name).sort(), ['c1', 'c2']);
    assert.equal((await t.request('GET', `${NS}/c3`)).status, 200);
    assert.equal((await t.request('GET', `${NS}/c1`)).status, 404);
  });

  it('BanFlunder refuses names a Fischer disallows with 403', async () => {
    const f = await t.request('POST', '/apis/wardle.example.com/v1alpha1/fischers', { body: { metadata: { name: 'fi' }, disallowedFlunders: ['banned'] } });
    assert.equal(f.status, 201);
    const res = await t.request('POST', NS, { body: flunder('banned') });
    assert.equal(res.status, 403);
    assert.equal(res.body.reason, 'Forbidden');
    assert.equal(res.body.message, 'flunders.wardle.example.com "banned" is forbidden: this name may not be used, please change the resource name');
  });

  it('answers 405 for a verb the path does not support and 404 for unknown paths', async () => {
    assert.equal((await t.request('POST', `${NS}/a`, { body: flunder('a') })).status, 405);
    assert.equal((await t.request('GET', '/apis/wardle.example.com/v1alpha1/namespaces/default/nothings')).status, 404);
    assert.equal((await t.request('GET', '/apis/wardle.example.com/v1alpha1/namespaces/default/fischers')).status, 404);
  });
});
