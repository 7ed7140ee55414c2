import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { Auditor } from '../audit/auditor.ts';
import { AuditPolicyChecker } from '../audit/policy.ts';
import type { AuditBackend, AuditEvent } from '../audit/types.ts';
import { wardleResources } from '../../examples/wardle/resources.ts';
import { resourceKeys } from '../registry/keys.ts';
import { createApiServer, type ApiServer } from '../server/server.ts';
import { withWatchCache, type CachedStorage } from '../storage/cache/watch-cache.ts';
import { createMemoryStorage } from '../storage/memory.ts';

const BETA = '/apis/wardle.example.com/v1beta1/namespaces/default/flunders';
const ALPHA = '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders';
const AUDITED = '/apis/wardle.example.com/v1beta1/namespaces/audited/flunders';
const COUNT = 40;

/** Calls of JSON.parse made while `run` runs (the server runs in this process). */
async function countParses(run: () => Promise<void>): Promise<number> {
  const parse = JSON.parse;
  let calls = 0;
  JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => { calls++; return parse(text, reviver); }) as typeof JSON.parse;
  try {
    await run();
  } finally {
    JSON.parse = parse;
  }
  return calls;
}

describe('lists answered from the watch cache are serialised once', () => {
  const events: AuditEvent[] = [];
  const memory: AuditBackend = { name: 'memory', process: (e) => events.push(...e), shutdown: async () => undefined };
  let server: ApiServer;
  let storage: CachedStorage;
  let url: string;
  const get = async (path: string, accept = 'application/json') => {
    const res = await fetch(url + path, { headers: { accept } });
    assert.equal(res.status, 200, path);
    return res.text();
  };

  before(async () => {
    const cached = wardleResources.map((r) => resourceKeys(r)).map((keys) => ({ prefix: keys.prefix(), keyOf: keys.keyOf }));
    storage = withWatchCache(createMemoryStorage({ historyRevisions: 1000 }), { resources: cached });
    await Promise.all(cached.map((r) => storage.warm(r.prefix)));
    const auditor = new Auditor(new AuditPolicyChecker({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'RequestResponse', verbs: ['list'], namespaces: ['audited'] }, { level: 'Metadata' }] }), [memory]);
    server = createApiServer({ resources: wardleResources, storage, log: () => undefined, audit: auditor, authenticators: [{ authenticate: () => ({ username: 'admin', groups: ['system:masters'] }) }], authorizer: { authorize: () => ({ decision: 'Allow', reason: '' }) } });
    url = `http://127.0.0.1:${(await server.listen(0, '127.0.0.1')).port}`;
    for (let i = 0; i < COUNT; i++) {
      const body = { metadata: { name: `f-${String(i).padStart(2, '0')}`, labels: { n: String(i % 2) } }, spec: { flunderReference: `r-${i}`, referenceType: 'Flunder' } };
      const res = await fetch(url + BETA, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 201);
    }
  });
  after(async () => { await server.close(); });

  it('answers a storage-version list with the same bytes as an uncached read, decoding no item once encoded (audited at Metadata)', async () => {
    // resourceVersion=0 (any revision) is answered from the cache here; a consistent list is
    // too when the backend can confirm the cache's freshness (etcd: test/etcd)
    const first = await get(`${BETA}?resourceVersion=0`);
    const rv = JSON.parse(first).metadata.resourceVersion as string;
    assert.equal(JSON.parse(first).items.length, COUNT);
    let cachedAgain = '';
    const parses = await countParses(async () => { cachedAgain = await get(`${BETA}?resourceVersion=0`); });
    let uncached = '';
    const uncachedParses = await countParses(async () => { uncached = await get(`${BETA}?resourceVersion=${rv}&resourceVersionMatch=Exact`); });
    assert.equal(cachedAgain, first);
    assert.equal(uncached.replace(/,"metadata":\{"resourceVersion":"\d+"\}/, ''), first.replace(/,"metadata":\{"resourceVersion":"\d+"\}/, ''), 'the same list, byte for byte');
    assert.ok(uncachedParses >= COUNT, `the uncached read decodes every item (${uncachedParses} parses)`);
    assert.ok(parses < COUNT / 4, `a repeated cached list decodes no item (${parses} parses, ${COUNT} items)`);
  });

  it('converts cached lists of another version, and filters and renders other media types as before', async () => {
    const alpha = JSON.parse(await get(`${ALPHA}?resourceVersion=0`));
    assert.equal(alpha.apiVersion, 'wardle.example.com/v1alpha1');
    assert.deepEqual(new Set(alpha.items.map((i: { apiVersion: string }) => i.apiVersion)), new Set(['wardle.example.com/v1alpha1']));
    assert.equal(alpha.items[3].spec.reference, 'r-3');
    const selected = JSON.parse(await get(`${BETA}?resourceVersion=0&labelSelector=n%3D1`));
    assert.deepEqual(selected.items.map((i: { metadata: { name: string } }) => i.metadata.name), Array.from({ length: COUNT / 2 }, (_, k) => `f-${String(2 * k + 1).padStart(2, '0')}`));
    const yaml = parseYaml(await get(`${BETA}?resourceVersion=0`, 'application/yaml'));
    assert.deepEqual(yaml, JSON.parse(await get(`${BETA}?resourceVersion=0`)));
    const table = JSON.parse(await get(`${BETA}?resourceVersion=0`, 'application/json;as=Table;v=v1;g=meta.k8s.io'));
    assert.equal(table.rows.length, COUNT);
  });

  it('still gives an audit event at RequestResponse the list object', async () => {
    const auditId = 'list-audit';
    const created = await fetch(url + AUDITED, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'a' }, spec: { flunderReference: 'x', referenceType: 'Flunder' } }) });
    assert.equal(created.status, 201);
    await get(`${AUDITED}?resourceVersion=0`);
    const res = await fetch(`${url}${AUDITED}?resourceVersion=0`, { headers: { 'audit-id': auditId } });
    const body = await res.json() as { items: unknown[] };
    const deadline = Date.now() + 5000;
    while (!events.some((e) => e.auditID === auditId && e.stage === 'ResponseComplete') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const event = events.find((e) => e.auditID === auditId && e.stage === 'ResponseComplete')!;
    assert.equal(body.items.length, 1);
    assert.deepEqual(event.responseObject, body);
  });
});
