import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiTestServer, type ApiTestServer } from '../testing/api-test-server.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import { wardleResources } from '../../examples/wardle/resources.ts';
import { readEvents } from '../testing/watch-stream.ts';

const NS = '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders';
const ALL = '/apis/wardle.example.com/v1alpha1/flunders';
const make = (name: string, labels: Record<string, string> = {}, ns = 'default') =>
  ({ apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder', metadata: { name, namespace: ns, labels }, spec: {} });

describe('list', () => {
  let t: ApiTestServer;
  before(async () => {
    t = await startApiTestServer(wardleResources);
    for (let i = 0; i < 5; i++) await t.request('POST', NS, { body: make(`item-${i}`, { idx: String(i), parity: i % 2 ? 'odd' : 'even' }) });
    await t.request('POST', '/apis/wardle.example.com/v1alpha1/namespaces/other/flunders', { body: make('elsewhere', {}, 'other') });
  });
  after(async () => { await t.close(); });

  it('lists a namespace and all namespaces with a list resourceVersion', async () => {
    const res = await t.request('GET', NS);
    assert.equal(res.status, 200);
    assert.equal(res.body.kind, 'FlunderList');
    assert.equal(res.body.apiVersion, 'wardle.example.com/v1alpha1');
    assert.equal(res.body.items.length, 5);
    assert.match(res.body.metadata.resourceVersion, /^\d+$/);
    assert.equal((await t.request('GET', ALL)).body.items.length, 6);
  });

  it('filters by label and field selectors', async () => {
    const cases: [string, string[]][] = [
      ['labelSelector=parity%3Dodd', ['item-1', 'item-3']],
      ['labelSelector=parity!%3Dodd', ['item-0', 'item-2', 'item-4']],
      ['labelSelector=idx%20in%20(0,4)', ['item-0', 'item-4']],
      ['labelSelector=idx%20notin%20(0,4),parity', ['item-1', 'item-2', 'item-3']],
      ['labelSelector=!idx', []],
      ['fieldSelector=metadata.name%3Ditem-2', ['item-2']],
      ['fieldSelector=metadata.name!%3Ditem-2', ['item-0', 'item-1', 'item-3', 'item-4']],
    ];
    for (const [q, names] of cases) {
      const res = await t.request('GET', `${NS}?${q}`);
      assert.equal(res.status, 200, q);
      assert.deepEqual(res.body.items.map((i: any) => i.metadata.name), names, q);
    }
  });

  it('answers 400 for malformed selectors and unsupported fields', async () => {
    const bad = await t.request('GET', `${NS}?labelSelector=a%20in%20(b`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.reason, 'BadRequest');
    const field = await t.request('GET', `${NS}?fieldSelector=spec.nothing%3Dx`);
    assert.equal(field.status, 400);
    assert.equal(field.body.message, '"spec.nothing" is not a known field selector: only "metadata.name", "metadata.namespace", "spec.referenceType"');
  });

  it('pages with limit and continue, consistent at the first page revision', async () => {
    const first = await t.request('GET', `${NS}?limit=2`);
    assert.deepEqual(first.body.items.map((i: any) => i.metadata.name), ['item-0', 'item-1']);
    assert.equal(first.body.metadata.remainingItemCount, 3);
    const token = first.body.metadata.continue;
    assert.ok(token);
    await t.request('POST', NS, { body: make('item-2a') });
    const second = await t.request('GET', `${NS}?limit=2&continue=${encodeURIComponent(token)}`);
    assert.deepEqual(second.body.items.map((i: any) => i.metadata.name), ['item-2', 'item-3']);
    assert.equal(second.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
    const third = await t.request('GET', `${NS}?limit=2&continue=${encodeURIComponent(second.body.metadata.continue)}`);
    assert.deepEqual(third.body.items.map((i: any) => i.metadata.name), ['item-4']);
    assert.equal(third.body.metadata.continue, undefined);
    await t.request('DELETE', `${NS}/item-2a`);
  });

  it('validates resourceVersion combinations as ListOptions', async () => {
    const res = await t.request('GET', `${NS}?resourceVersionMatch=Exact`);
    assert.equal(res.status, 422);
    assert.equal(res.body.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    const future = await t.request('GET', `${NS}?resourceVersion=999999&resourceVersionMatch=NotOlderThan`);
    assert.equal(future.status, 504);
    assert.equal(future.body.reason, 'Timeout');
  });

  it('reads an exact past revision', async () => {
    const before = await t.request('GET', NS);
    await t.request('POST', NS, { body: make('later') });
    const exact = await t.request('GET', `${NS}?resourceVersion=${before.body.metadata.resourceVersion}&resourceVersionMatch=Exact`);
    assert.equal(exact.status, 200);
    assert.equal(exact.body.items.length, before.body.items.length);
    await t.request('DELETE', `${NS}/later`);
  });
});

describe('watch', () => {
  let t: ApiTestServer;
  before(async () => { t = await startApiTestServer(wardleResources); });
  after(async () => { await t.close(); });

  it('sends current objects, then changes in order', async () => {
    await t.request('POST', NS, { body: make('w1') });
    const res = await fetch(`${t.url}${NS}?watch=true`);
    assert.equal(res.status, 200);
    const events = readEvents(res, 4);
    await t.request('POST', NS, { body: make('w2') });
    const w2 = (await t.request('GET', `${NS}/w2`)).body;
    await t.request('PUT', `${NS}/w2`, { body: { ...w2, metadata: { ...w2.metadata, labels: { x: 'y' } } } });
    await t.request('DELETE', `${NS}/w2`);
    const got = await events;
    assert.deepEqual(got.map((e) => `${e.type}:${e.object.metadata.name}`), ['ADDED:w1', 'ADDED:w2', 'MODIFIED:w2', 'DELETED:w2']);
    const rvs = got.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual([...rvs].sort((a, b) => a - b), rvs);
  });

  it('resumes from a resourceVersion and filters by selector (legacy /watch/ path)', async () => {
    const start = (await t.request('GET', NS)).body.metadata.resourceVersion;
    await t.request('POST', NS, { body: make('sel-a', { team: 'a' }) });
    await t.request('POST', NS, { body: make('sel-b', { team: 'b' }) });
    const res = await fetch(`${t.url}/apis/wardle.example.com/v1alpha1/watch/namespaces/default/flunders?resourceVersion=${start}&labelSelector=team%3Da`);
    const got = await readEvents(res, 1);
    assert.deepEqual(got.map((e) => `${e.type}:${e.object.metadata.name}`), ['ADDED:sel-a']);
  });

  it('sends DELETED when an object leaves the selector of a watch started from a resourceVersion', async () => {
    await t.request('POST', NS, { body: make('leaver', { team: 'x' }) });
    const start = (await t.request('GET', NS)).body.metadata.resourceVersion;
    const res = await fetch(`${t.url}${NS}?watch=true&resourceVersion=${start}&labelSelector=team%3Dx`);
    const events = readEvents(res, 1);
    const obj = (await t.request('GET', `${NS}/leaver`)).body;
    await t.request('PUT', `${NS}/leaver`, { body: { ...obj, metadata: { ...obj.metadata, labels: { team: 'y' } } } });
    assert.deepEqual((await events).map((e) => `${e.type}:${e.object.metadata.name}`), ['DELETED:leaver']);
  });

  it('sendInitialEvents ends the initial events with an annotated bookmark', async () => {
    const res = await fetch(`${t.url}${NS}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    const count = (await t.request('GET', NS)).body.items.length;
    const got = await readEvents(res, count + 1);
    assert.equal(got.at(-1).type, 'BOOKMARK');
    assert.equal(got.at(-1).object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    assert.ok(got.slice(0, -1).every((e) => e.type === 'ADDED'));
  });

  it('ends the stream after timeoutSeconds', async () => {
    const rv = (await t.request('GET', NS)).body.metadata.resourceVersion;
    const started = Date.now();
    const res = await fetch(`${t.url}${NS}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
    assert.equal(await res.text(), '');
    assert.ok(Date.now() - started >= 900);
  });

  it('leaves no watcher behind when the client disconnects', async () => {
    const before = t.storage.watcherCount!();
    const controller = new AbortController();
    const res = await fetch(`${t.url}${NS}?watch=true`, { signal: controller.signal });
    assert.equal(res.status, 200);
    for (let i = 0; i < 20 && t.storage.watcherCount!() === before; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(t.storage.watcherCount!(), before + 1);
    controller.abort();
    for (let i = 0; i < 100 && t.storage.watcherCount!() !== before; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(t.storage.watcherCount!(), before);
  });

  it('answers 410 Expired with a continue token for a continue older than the history', async () => {
    const small = await startApiTestServer(wardleResources, { storage: createMemoryStorage({ historyRevisions: 3 }) });
    try {
      for (let i = 0; i < 4; i++) await small.request('POST', NS, { body: make(`p${i}`) });
      const first = await small.request('GET', `${NS}?limit=2`);
      for (let i = 0; i < 6; i++) await small.request('POST', NS, { body: make(`q${i}`) });
      const expired = await small.request('GET', `${NS}?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`);
      assert.equal(expired.status, 410);
      assert.equal(expired.body.reason, 'Expired');
      assert.match(expired.body.message, /^The provided continue parameter is too old to display a consistent list result/);
      assert.ok(expired.body.metadata.continue, 'a token to continue inconsistently');
      const resumed = await small.request('GET', `${NS}?limit=2&continue=${encodeURIComponent(expired.body.metadata.continue)}`);
      assert.equal(resumed.status, 200);
      assert.deepEqual(resumed.body.items.map((i: any) => i.metadata.name), ['p2', 'p3']);
    } finally {
      await small.close();
    }
  });

  it('answers an ERROR event with 410 Expired for a compacted resourceVersion', async () => {
    const small = await startApiTestServer(wardleResources, { storage: createMemoryStorage({ historyRevisions: 3 }) });
    try {
      for (let i = 0; i < 10; i++) await small.request('POST', NS, { body: make(`c${i}`) });
      const res = await fetch(`${small.url}${NS}?watch=true&resourceVersion=1`);
      assert.equal(res.status, 200);
      const [event] = await readEvents(res, 1);
      assert.equal(event.type, 'ERROR');
      assert.equal(event.object.code, 410);
      assert.equal(event.object.reason, 'Expired');
      assert.match(event.object.message, /too old resource version/);
    } finally {
      await small.close();
    }
  });
});
