import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fischers, flunders, wardleResources } from '../../examples/wardle/resources.ts';
import { migrateStorage, storedVersionsOf } from '../../src/cli/migrate/migrate-storage.ts';
import { resourceKeys } from '../../src/registry/keys.ts';
import type { Storage } from '../../src/storage/interface.ts';
import { createEtcdStorage } from '../../src/storage/etcd/etcd-storage.ts';
import { createSqliteStorage } from '../../src/storage/sqlite.ts';
import { startApiTestServer, type ApiTestServer } from '../../src/testing/api-test-server.ts';
import { withStorageVersion } from '../../src/testing/storage-version.ts';
import { startEtcd, type EtcdCluster } from './etcd-process.ts';

/**
 * A storage-version change on real backends: flunders written while v1alpha1 was the storage
 * version, the server restarted with wardle's v1beta1 storage; every object must read back in
 * both versions exactly as before, and a write re-stores it in v1beta1.
 */

const GROUP = 'wardle.example.com';
const NS = 'default';
const keys = resourceKeys(flunders);

/** What each flunder was written as: the version of the request and its spec. */
const WRITTEN: { name: string; version: 'v1alpha1' | 'v1beta1'; spec: Record<string, unknown> }[] = [
  { name: 'alpha-flunder', version: 'v1alpha1', spec: { reference: 'other', referenceType: 'Flunder' } },
  { name: 'alpha-fischer', version: 'v1alpha1', spec: { reference: 'fish', referenceType: 'Fischer', replicas: 2 } },
  { name: 'alpha-empty', version: 'v1alpha1', spec: {} },
  { name: 'beta-flunder', version: 'v1beta1', spec: { flunderReference: 'other', referenceType: 'Flunder', replicas: 0 } },
  { name: 'beta-fischer', version: 'v1beta1', spec: { fischerReference: 'fish', referenceType: 'Fischer' } },
];

const path = (version: string, name = '') => `/apis/${GROUP}/${version}/namespaces/${NS}/flunders${name ? `/${name}` : ''}`;

async function readBoth(server: ApiTestServer): Promise<Map<string, unknown>> {
  const seen = new Map<string, unknown>();
  for (const { name } of WRITTEN) {
    for (const version of ['v1alpha1', 'v1beta1']) {
      const res = await server.request('GET', path(version, name));
      assert.equal(res.status, 200, res.text);
      seen.set(`${version}/${name}`, res.body);
    }
  }
  return seen;
}

async function storedApiVersion(storage: Storage, name: string): Promise<string | undefined> {
  return (await storage.get(keys.key(NS, name))).apiVersion;
}

/** The whole scenario over a backend that `open()` opens again on the same data. */
async function storageVersionChange(open: () => Storage): Promise<void> {
  const before = await startApiTestServer([withStorageVersion(flunders, 'v1alpha1'), fischers], { storage: open() });
  let snapshot: Map<string, unknown>;
  try {
    for (const { name, version, spec } of WRITTEN) {
      const res = await before.request('POST', path(version), { body: { apiVersion: `${GROUP}/${version}`, kind: 'Flunder', metadata: { name }, spec } });
      assert.equal(res.status, 201, res.text);
    }
    for (const { name } of WRITTEN) assert.equal(await storedApiVersion(before.storage, name), `${GROUP}/v1alpha1`);
    snapshot = await readBoth(before);
  } finally {
    await before.close();
  }

  const afterChange = await startApiTestServer(wardleResources, { storage: open() });
  try {
    assert.deepEqual(await readBoth(afterChange), snapshot, 'every object reads as before the storage-version change');
    for (const { name, version, spec } of WRITTEN) {
      assert.deepEqual((snapshot.get(`${version}/${name}`) as { spec: unknown }).spec, spec, `${name} reads as written`);
    }
    for (const version of ['v1alpha1', 'v1beta1']) {
      const list = await afterChange.request('GET', path(version));
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.body.items, WRITTEN.map(({ name }) => snapshot.get(`${version}/${name}`)).sort(byName), `list in ${version}`);
    }
    const fischerRefs = await afterChange.request('GET', `${path('v1beta1')}?fieldSelector=spec.referenceType%3DFischer`);
    assert.deepEqual(fischerRefs.body.items.map((o: { metadata: { name: string } }) => o.metadata.name), ['alpha-fischer', 'beta-fischer'],
      'field selectors see the converted objects');

    const old = snapshot.get('v1alpha1/alpha-fischer') as { metadata: Record<string, unknown> };
    const put = await afterChange.request('PUT', path('v1alpha1', 'alpha-fischer'), { body: old });
    assert.equal(put.status, 200, put.text);
    assert.notEqual(put.body.metadata.resourceVersion, old.metadata.resourceVersion, 'an unchanged write re-stores the object');
    assert.equal(await storedApiVersion(afterChange.storage, 'alpha-fischer'), `${GROUP}/v1beta1`);
    assert.equal(await storedApiVersion(afterChange.storage, 'alpha-flunder'), `${GROUP}/v1alpha1`, 'untouched objects stay as stored');
    const reread = await afterChange.request('GET', path('v1alpha1', 'alpha-fischer'));
    assert.deepEqual(reread.body.spec, WRITTEN[1].spec);

    await afterChange.storage.create(keys.key(NS, 'from-the-future'), {
      apiVersion: `${GROUP}/v0`, kind: 'Flunder', metadata: { name: 'from-the-future', namespace: NS, uid: 'u-0', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: {},
    });
    const unknown = await afterChange.request('GET', path('v1beta1', 'from-the-future'));
    assert.equal(unknown.status, 500, unknown.text);
    assert.equal(unknown.body.reason, 'InternalError');
    assert.match(unknown.body.message, /^Internal error occurred: the Flunder stored at \/wardle\.example\.com\/flunders\/default\/from-the-future is in version wardle\.example\.com\/v0, which this server no longer declares/);
    const listed = await afterChange.request('GET', path('v1alpha1'));
    assert.equal(listed.status, 500, 'a list that meets an undecodable object fails rather than answering a wrong shape');
  } finally {
    await afterChange.close();
  }
}

/** What the concurrent writers got acknowledged last, per object: the newest resourceVersion wins. */
type Acknowledged = Map<string, { rv: bigint; replicas: number }>;

/** A writer that keeps setting spec.replicas of random flunders (GET, then PUT with its resourceVersion; a 409 starts over). */
async function writer(server: ApiTestServer, names: string[], acknowledged: Acknowledged, stop: { done: boolean }, seed: number): Promise<number> {
  let writes = 0;
  for (let i = 0; !stop.done; i++) {
    const name = names[(seed * 7919 + i * 31) % names.length];
    const current = await server.request('GET', path('v1beta1', name));
    assert.equal(current.status, 200, current.text);
    const replicas = seed * 1_000_000 + i;
    const put = await server.request('PUT', path('v1beta1', name), { body: { ...current.body, spec: { ...current.body.spec, replicas } } });
    if (put.status === 409) continue;
    assert.equal(put.status, 200, put.text);
    writes++;
    const rv = BigInt(put.body.metadata.resourceVersion);
    if ((acknowledged.get(name)?.rv ?? -1n) < rv) acknowledged.set(name, { rv, replicas });
  }
  return writes;
}

/** Flunders written in v1alpha1 storage, migrated to v1beta1 while three writers update them; interrupted once and resumed. */
async function migrationUnderWriters(open: () => Storage, stateFile: string): Promise<void> {
  const names = Array.from({ length: 60 }, (_, i) => `f-${String(i).padStart(3, '0')}`);
  const old = await startApiTestServer([withStorageVersion(flunders, 'v1alpha1'), fischers], { storage: open() });
  try {
    for (const name of names) {
      const res = await old.request('POST', path('v1alpha1'), { body: { metadata: { name }, spec: { reference: 'x', referenceType: 'Flunder', replicas: 0 } } });
      assert.equal(res.status, 201, res.text);
    }
  } finally {
    await old.close();
  }
  const server = await startApiTestServer(wardleResources, { storage: open() });
  try {
    const client = server.kubeClient();
    assert.deepEqual((await storedVersionsOf(client, flunders)).objects, { v1alpha1: 60 });
    const interrupted = migrateStorage({ client, resources: [flunders], stateFile, pageSize: 10, progress: (line) => { if (/20 objects done/.test(line)) throw new Error('interrupted'); } });
    await assert.rejects(interrupted, /interrupted/);
    assert.match(readFileSync(stateFile, 'utf8'), /"after": "default\/f-019"/);

    const acknowledged: Acknowledged = new Map();
    const stop = { done: false };
    const writers = [1, 2, 3].map((seed) => writer(server, names, acknowledged, stop, seed));
    const lines: string[] = [];
    let results: Awaited<ReturnType<typeof migrateStorage>>;
    try {
      results = await migrateStorage({ client, resources: [flunders], stateFile, pageSize: 10, progress: (line) => lines.push(line) });
    } finally {
      stop.done = true;
    }
    const writes = (await Promise.all(writers)).reduce((a, b) => a + b, 0);
    assert.ok(writes > 0, 'the writers wrote while the migration ran');
    assert.ok(lines.some((l) => l.includes('resuming after default/f-019')), lines.join('\n'));
    const [result] = results;
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.after.objects, { v1beta1: 60 }, 'nothing is left in v1alpha1');
    assert.deepEqual(result.after.storedVersions, ['v1beta1']);
    assert.ok(!existsSync(stateFile) || !readFileSync(stateFile, 'utf8').includes('flunders'), 'a finished migration forgets its progress');
    for (const name of names) {
      const got = await server.request('GET', path('v1beta1', name));
      assert.equal(got.body.spec.replicas, acknowledged.get(name)?.replicas ?? 0, `${name}: the last acknowledged write survives the migration`);
      assert.equal(await storedApiVersion(server.storage, name), `${GROUP}/v1beta1`);
    }
    const again = await migrateStorage({ client, resources: [flunders], stateFile, progress: () => undefined });
    assert.equal(again[0].rewritten, 0, 'a second run finds nothing to do');
  } finally {
    await server.close();
  }
}

function byName(a: unknown, b: unknown): number {
  const name = (o: unknown) => (o as { metadata: { name: string } }).metadata.name;
  return name(a).localeCompare(name(b));
}

describe('storage-version change on SQLite', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'extapi-storage-version-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every object written in the old storage version readable in both versions, and re-stores it on write', async () => {
    await storageVersionChange(() => createSqliteStorage({ path: join(dir, 'wardle.db') }));
  });

  it('migrate-storage rewrites every object in v1beta1 under concurrent writers, losing no update, and resumes after an interruption', async () => {
    await migrationUnderWriters(() => createSqliteStorage({ path: join(dir, 'migrate.db') }), join(dir, 'migrate-state.json'));
  });
});

describe('storage-version change on etcd', () => {
  let etcd: EtcdCluster | undefined;
  before(async () => { etcd = await startEtcd(1); });
  after(async () => { await etcd?.destroy(); });

  it('keeps every object written in the old storage version readable in both versions, and re-stores it on write', async () => {
    await storageVersionChange(() => createEtcdStorage({ endpoints: etcd!.endpoints, prefix: '/storage-version-change', compactionIntervalMs: 0 }));
  });

  it('migrate-storage rewrites every object in v1beta1 under concurrent writers, losing no update, and resumes after an interruption', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'extapi-migrate-'));
    try {
      await migrationUnderWriters(() => createEtcdStorage({ endpoints: etcd!.endpoints, prefix: '/migrate-storage', compactionIntervalMs: 0 }), join(dir, 'state.json'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
