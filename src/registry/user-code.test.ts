import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../apimachinery/types.ts';
import { alreadyExists, conflict, notFound } from '../errors/status-error.ts';
import { defineResource } from '../resource/define-resource.ts';
import type { ResourceBackend } from '../resource/user-code.ts';
import { startApiTestServer, type ApiTestServer } from '../testing/api-test-server.ts';
import { widgets } from '../testing/fixtures.ts';
import { readEvents } from '../testing/watch-stream.ts';

const GROUP = 'seam.extapi.dev';
const schema = { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' }, note: { type: 'string' } } } } };

/** The source of the computed resource: tests change it and wait for the next snapshot. */
const sizes = new Map<string, number>([['alpha', 1], ['beta', 2]]);
const computedThings = defineResource({
  group: GROUP, kind: 'Thing', plural: 'things', namespaced: false, selectableFields: ['spec.size'],
  versions: [{ name: 'v1', storage: true, schema, printerColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }] }],
  computed: { intervalMs: 50, snapshot: () => [...sizes].map(([name, size]) => ({ apiVersion: '', kind: '', metadata: { name, labels: { big: String(size > 1) } }, spec: { size } })) },
});

/** "Another system": a versioned key-value table with compare-and-swap, as a custom storage proxies one. */
class OtherSystem {
  version = 100;
  readonly rows = new Map<string, KubeObject>();
  readonly gr = { group: GROUP, resource: 'records' };
  backend(withDelete = true): ResourceBackend {
    const key = (ns: string | undefined, name: string) => `${ns}/${name}`;
    const b: ResourceBackend = {
      get: ({ namespace, name }) => structuredClone(this.rows.get(key(namespace, name)) ?? null),
      list: (namespace) => ({ items: [...this.rows.values()].filter((o) => !namespace || o.metadata.namespace === namespace), resourceVersion: String(this.version) }),
      create: (obj) => {
        const k = key(obj.metadata.namespace, obj.metadata.name!);
        if (this.rows.has(k)) throw alreadyExists(this.gr, obj.metadata.name!);
        return this.write(k, obj);
      },
      update: (obj) => {
        const k = key(obj.metadata.namespace, obj.metadata.name!);
        const current = this.rows.get(k);
        if (!current) throw notFound(this.gr, obj.metadata.name!);
        if (current.metadata.resourceVersion !== obj.metadata.resourceVersion) throw conflict(this.gr, obj.metadata.name!, 'stale');
        return this.write(k, obj);
      },
    };
    if (withDelete) {
      b.delete = ({ namespace, name, resourceVersion }) => {
        const current = this.rows.get(key(namespace, name));
        if (!current) throw notFound(this.gr, name);
        if (current.metadata.resourceVersion !== resourceVersion) throw conflict(this.gr, name, 'stale');
        this.rows.delete(key(namespace, name));
        return { ...current, metadata: { ...current.metadata, resourceVersion: String(++this.version) } };
      };
    }
    return b;
  }
  private write(k: string, obj: KubeObject): KubeObject {
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.version);
    this.rows.set(k, stored);
    return structuredClone(stored);
  }
}

const other = new OtherSystem();
const records = defineResource({ group: GROUP, kind: 'Record', plural: 'records', namespaced: true, versions: [{ name: 'v1', storage: true, schema }], backend: other.backend() });
const notes = defineResource({ group: GROUP, kind: 'Note', plural: 'notes', namespaced: true, versions: [{ name: 'v1', storage: true, schema }], backend: new OtherSystem().backend(false) });
const scaled = defineResource({
  ...{ group: widgets.group, kind: widgets.kind, plural: widgets.plural, namespaced: true, versions: widgets.versions },
  subresources: {
    status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.ready', labelSelectorPath: '.status.phase' },
    streams: {
      log: {
        async *stream({ object, query, signal }) {
          yield `hello ${object.metadata.name}\n`;
          for (let i = 0; query.get('follow') === 'true' && !signal.aborted; i++) {
            yield `line ${i}\n`;
            await new Promise((r) => setTimeout(r, 20));
          }
          streamsEnded++;
        },
      },
    },
  },
});
let streamsEnded = 0;

const THINGS = `/apis/${GROUP}/v1/things`;
const RECORDS = `/apis/${GROUP}/v1/namespaces/default/records`;
const WIDGETS = '/apis/test.extapi.dev/v1/namespaces/default/widgets';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('REST seam: resources and subresources backed by user code', () => {
  let t: ApiTestServer;
  before(async () => { t = await startApiTestServer([computedThings, records, notes, scaled]); });
  after(async () => { await t.close(); });

  it('computed: lists, gets, filters by label and field, and prints its columns', async () => {
    const list = await t.request('GET', THINGS);
    assert.equal(list.status, 200);
    assert.equal(list.body.kind, 'ThingList');
    assert.deepEqual(list.body.items.map((o: KubeObject) => o.metadata.name), ['alpha', 'beta']);
    assert.match(list.body.items[0].metadata.uid, /^[0-9a-f-]{36}$/);
    assert.equal((await t.request('GET', `${THINGS}/beta`)).body.spec.size, 2);
    assert.deepEqual((await t.request('GET', `${THINGS}?labelSelector=big%3Dtrue`)).body.items.map((o: KubeObject) => o.metadata.name), ['beta']);
    assert.deepEqual((await t.request('GET', `${THINGS}?fieldSelector=spec.size%3D1`)).body.items.map((o: KubeObject) => o.metadata.name), ['alpha']);
    const table = await t.request('GET', THINGS, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    assert.deepEqual(table.body.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Size']);
    assert.deepEqual(table.body.rows[1].cells, ['beta', 2]);
    const missing = await t.request('GET', `${THINGS}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, `things.${GROUP} "nope" not found`);
  });

  it('computed: watch sends the changes of the source, with bookmarks on request', async () => {
    const start = (await t.request('GET', THINGS)).body.metadata.resourceVersion;
    const res = await fetch(`${t.url}${THINGS}?watch=true&resourceVersion=${start}`);
    assert.equal(res.status, 200);
    sizes.set('gamma', 3);
    sizes.set('alpha', 5);
    sizes.delete('beta');
    const events = await readEvents(res, 3);
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`).sort(), ['ADDED gamma', 'DELETED beta', 'MODIFIED alpha']);
    for (const e of events) assert.ok(Number(e.object.metadata.resourceVersion) > Number(start));
  });

  it('computed: writes answer 405 as kube-apiserver words it, and discovery and OpenAPI list only get, list, watch', async () => {
    for (const [method, path] of [['POST', THINGS], ['PUT', `${THINGS}/alpha`], ['PATCH', `${THINGS}/alpha`], ['DELETE', `${THINGS}/alpha`], ['DELETE', THINGS]]) {
      const res = await t.request(method, path, { body: { metadata: { name: 'alpha' } }, contentType: method === 'PATCH' ? 'application/merge-patch+json' : undefined });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.deepEqual(res.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server does not allow this method on the requested resource', reason: 'MethodNotAllowed', details: {}, code: 405 });
    }
    const discovery = await t.request('GET', `/apis/${GROUP}/v1`);
    assert.deepEqual(discovery.body.resources.find((r: { name: string }) => r.name === 'things').verbs, ['get', 'list', 'watch']);
    const openapi = await t.request('GET', `/openapi/v3/apis/${GROUP}/v1`);
    assert.deepEqual(Object.keys(openapi.body.paths[THINGS]), ['get', 'parameters']);
    assert.deepEqual(Object.keys(openapi.body.paths[`${THINGS}/{name}`]), ['get', 'parameters']);
  });

  it('custom storage: create, update and delete keep resourceVersion and conflict semantics', async () => {
    const created = await t.request('POST', RECORDS, { body: { metadata: { name: 'r1' }, spec: { size: 1 } } });
    assert.equal(created.status, 201);
    assert.equal(created.body.metadata.resourceVersion, String(other.version));
    assert.equal(other.rows.get('default/r1')!.spec && (other.rows.get('default/r1')!.spec as { size: number }).size, 1);
    assert.equal((await t.request('POST', RECORDS, { body: { metadata: { name: 'r1' } } })).body.reason, 'AlreadyExists');
    const rv = created.body.metadata.resourceVersion;
    const updated = await t.request('PUT', `${RECORDS}/r1`, { body: { ...created.body, spec: { size: 2 } } });
    assert.equal(updated.status, 200);
    assert.ok(Number(updated.body.metadata.resourceVersion) > Number(rv));
    const stale = await t.request('PUT', `${RECORDS}/r1`, { body: { ...created.body, spec: { size: 3 } } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.message, `Operation cannot be fulfilled on records.${GROUP} "r1": the object has been modified; please apply your changes to the latest version and try again`);
    const dry = await t.request('PATCH', `${RECORDS}/r1?dryRun=All`, { body: { spec: { size: 9 } }, contentType: 'application/merge-patch+json' });
    assert.equal(dry.body.spec.size, 9);
    assert.equal((other.rows.get('default/r1')!.spec as { size: number }).size, 2);
    const badPre = await t.request('DELETE', `${RECORDS}/r1`, { body: { preconditions: { resourceVersion: rv } } });
    assert.equal(badPre.status, 409);
    assert.equal((await t.request('DELETE', `${RECORDS}/r1`)).status, 200);
    assert.equal(other.rows.has('default/r1'), false);
  });

  it('custom storage: a write racing with the other system is retried on fresh data', async () => {
    await t.request('POST', RECORDS, { body: { metadata: { name: 'r2' }, spec: { size: 1, note: 'a' } } });
    const backend = records.backend!;
    const original = backend.update!;
    let raced = false;
    backend.update = (obj) => {
      if (!raced) { raced = true; other.rows.get('default/r2')!.metadata.resourceVersion = String(++other.version); }
      return original(obj);
    };
    try {
      const patched = await t.request('PATCH', `${RECORDS}/r2`, { body: { spec: { size: 4 } }, contentType: 'application/merge-patch+json' });
      assert.equal(patched.status, 200);
      assert.deepEqual(patched.body.spec, { size: 4, note: 'a' });
    } finally { backend.update = original; }
  });

  it('custom storage without delete: 405 and discovery without delete verbs', async () => {
    await t.request('POST', `/apis/${GROUP}/v1/namespaces/default/notes`, { body: { metadata: { name: 'n' } } });
    assert.equal((await t.request('DELETE', `/apis/${GROUP}/v1/namespaces/default/notes/n`)).status, 405);
    const discovery = await t.request('GET', `/apis/${GROUP}/v1`);
    assert.deepEqual(discovery.body.resources.find((r: { name: string }) => r.name === 'notes').verbs, ['create', 'get', 'list', 'patch', 'update']);
  });

  it('scale: reads and writes autoscaling/v1 Scale over the declared paths', async () => {
    await t.request('POST', WIDGETS, { body: { metadata: { name: 'w' }, spec: { replicas: 2 } } });
    await t.request('PATCH', `${WIDGETS}/w/status`, { body: { status: { ready: true, phase: 'app=w' } }, contentType: 'application/merge-patch+json' });
    const scale = await t.request('GET', `${WIDGETS}/w/scale`);
    assert.equal(scale.status, 200);
    assert.equal(scale.body.apiVersion, 'autoscaling/v1');
    assert.equal(scale.body.kind, 'Scale');
    assert.deepEqual(scale.body.spec, { replicas: 2 });
    assert.equal(scale.body.status.selector, 'app=w');
    const patched = await t.request('PATCH', `${WIDGETS}/w/scale`, { body: { spec: { replicas: 5 } }, contentType: 'application/merge-patch+json' });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.spec, { replicas: 5 });
    const widget = await t.request('GET', `${WIDGETS}/w`);
    assert.equal(widget.body.spec.replicas, 5);
    assert.equal(widget.body.status.phase, 'app=w');
    const bad = await t.request('PATCH', `${WIDGETS}/w/scale`, { body: { spec: { replicas: -1 } }, contentType: 'application/merge-patch+json' });
    assert.equal(bad.status, 422);
    const discovery = await t.request('GET', '/apis/test.extapi.dev/v1');
    assert.deepEqual(discovery.body.resources.find((r: { name: string }) => r.name === 'widgets/scale'),
      { name: 'widgets/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    assert.deepEqual(discovery.body.resources.find((r: { name: string }) => r.name === 'widgets/log').verbs, ['get']);
  });

  it('stream: sends chunks as they come and stops producing when the client leaves', async () => {
    const once = await t.request('GET', `${WIDGETS}/w/log`);
    assert.equal(once.status, 200);
    assert.equal(once.text, 'hello w\n');
    assert.equal((await t.request('GET', `${WIDGETS}/missing/log`)).status, 404);
    const ended = streamsEnded;
    const controller = new AbortController();
    const res = await fetch(`${t.url}${WIDGETS}/w/log?follow=true`, { signal: controller.signal });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('line 3')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    await until('the stream to stop', async () => (streamsEnded > ended ? true : undefined));
    assert.equal((await t.request('POST', `${WIDGETS}/w/log`, { body: {} })).status, 405);
  });
});
