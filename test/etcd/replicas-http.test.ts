/**
 * The etcd issue's claims at the HTTP level: two server replicas on one real etcd (optimistic
 * concurrency across replicas, a watch on one seeing the other's writes), a server killed with
 * SIGKILL under write load losing no acknowledged write, and readiness following etcd's health.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { createApiServer, type ApiServer } from '../../src/server/server.ts';
import { openStorage } from '../../src/server/storage-options.ts';
import { widgets } from '../../src/testing/fixtures.ts';
import { freeLoopbackPorts } from '../../src/testing/ports.ts';
import { createEtcdStorage } from '../../src/storage/etcd/etcd-storage.ts';
import { directCall } from '../e2e/support/https-client.ts';
import { startEtcd, type EtcdCluster } from './etcd-process.ts';

const W = '/apis/test.extapi.dev/v1/namespaces/default/widgets';
let etcd: EtcdCluster;
let prefixCounter = 0;

before(async () => { etcd = await startEtcd(1); });
after(async () => { await etcd?.destroy(); });

/** A server replica on the shared etcd under `prefix`, plain HTTP on loopback, every caller allowed. */
async function replica(prefix: string): Promise<{ url: string; server: ApiServer }> {
  const storage = await openStorage({ kind: 'etcd', servers: etcd.endpoints, prefix }, [widgets]);
  const server = createApiServer({
    resources: [widgets], storage, log: () => undefined,
    authenticators: [{ authenticate: () => ({ username: 'test', groups: ['system:masters'] }) }],
    authorizer: { authorize: () => ({ decision: 'Allow' }) },
    readyChecks: [{ name: 'storage', check: () => storage.healthCheck!() }],
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const close = server.close;
  return { url: `http://127.0.0.1:${port}`, server: { ...server, close: async () => { await close(); await storage.close(); } } };
}

const call = async (url: string, method: string, body?: unknown, type = 'application/json') => {
  const res = await fetch(url, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': type } });
  return { status: res.status, body: await res.json() as any };
};

describe('two replicas on one etcd', () => {
  let a: { url: string; server: ApiServer };
  let b: { url: string; server: ApiServer };
  before(async () => {
    const prefix = `/registry-${prefixCounter++}`;
    [a, b] = await Promise.all([replica(prefix), replica(prefix)]);
  });
  after(async () => { await a?.server.close(); await b?.server.close(); });

  it('lets exactly one of concurrent updates with the same resourceVersion win; the others get 409', async () => {
    let current = (await call(a.url + W, 'POST', { metadata: { name: 'race' }, spec: { replicas: 0 } })).body;
    for (let round = 1; round <= 5; round++) {
      const attempts = await Promise.all(Array.from({ length: 8 }, (_, i) =>
        call((i % 2 ? b : a).url + `${W}/race`, 'PUT', { ...current, spec: { replicas: round * 100 + i } })));
      const winners = attempts.filter((r) => r.status === 200);
      assert.equal(winners.length, 1, `round ${round}: ${attempts.map((r) => r.status).join(',')}`);
      assert.ok(attempts.filter((r) => r.status !== 200).every((r) => r.status === 409 && r.body.reason === 'Conflict'));
      current = (await call(b.url + `${W}/race`, 'GET')).body;
      assert.deepEqual(current.spec, winners[0].body.spec, 'both replicas read the winner');
      assert.equal(current.metadata.resourceVersion, winners[0].body.metadata.resourceVersion);
    }
  });

  it('loses no concurrent patch made through either replica', async () => {
    await call(a.url + W, 'POST', { metadata: { name: 'patched' }, spec: {} });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      call((i % 2 ? b : a).url + `${W}/patched`, 'PATCH', { metadata: { labels: { [`k${i}`]: 'v' } } }, 'application/merge-patch+json')));
    assert.ok(results.every((r) => r.status === 200), results.map((r) => r.status).join(','));
    const final = (await call(a.url + `${W}/patched`, 'GET')).body;
    assert.equal(Object.keys(final.metadata.labels).length, 20);
  });

  it('streams to a watch on replica A the writes made on replica B, in order', async () => {
    const rv = (await call(a.url + W, 'GET')).body.metadata.resourceVersion;
    const res = await fetch(`${a.url}${W}?watch=true&resourceVersion=${rv}`);
    const reader = res.body!.getReader();
    for (let i = 0; i < 10; i++) assert.equal((await call(b.url + W, 'POST', { metadata: { name: `from-b-${i}` }, spec: {} })).status, 201);
    const events: any[] = [];
    let buffer = '';
    while (events.length < 10) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const l of lines) if (l.trim()) events.push(JSON.parse(l));
    }
    await reader.cancel();
    assert.deepEqual(events.map((e) => `${e.type}:${e.object.metadata.name}`), Array.from({ length: 10 }, (_, i) => `ADDED:from-b-${i}`));
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual([...rvs].sort((x, y) => x - y), rvs);
  });
});

describe('a server killed with SIGKILL under write load', () => {
  it('leaves every acknowledged write in etcd', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'extapi-kill-'));
    const prefix = `/registry-kill-${prefixCounter++}`;
    const [port] = await freeLoopbackPorts(1);
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/wardle/main.ts', '--standalone', '--dev-dir', dir, '--secure-port', String(port),
      '--storage', 'etcd', '--etcd-servers', etcd.endpoints.join(','), '--etcd-prefix', prefix], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: '' } });
    try {
      const creds = await waitForKubeconfig(dir, port);
      const acknowledged: string[] = [];
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const name = `w${w}-${i}`;
          try {
            const res = await directCall(`https://127.0.0.1:${port}/apis/wardle.example.com/v1alpha1/namespaces/default/flunders`, { ...creds, method: 'POST', body: { metadata: { name }, spec: {} } });
            if (res.status === 201) acknowledged.push(name);
          } catch { return; }
        }
      };
      const writers = [0, 1, 2, 3].map(writer);
      while (acknowledged.length < 60) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      const store = createEtcdStorage({ endpoints: etcd.endpoints, prefix, compactionIntervalMs: 0 });
      const stored = new Set((await store.list('/wardle.example.com/flunders/default/')).items.map((o) => o.metadata.name));
      await store.close();
      const missing = acknowledged.filter((n) => !stored.has(n));
      assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged writes missing`);
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('readiness follows etcd', () => {
  it('is not ready while etcd is down and recovers by itself', async () => {
    const r = await replica(`/registry-${prefixCounter++}`);
    try {
      const ready = async () => (await fetch(`${r.url}/readyz`)).status;
      assert.equal(await ready(), 200);
      await etcd.members[0].stop();
      let status = 200;
      for (let i = 0; i < 50 && status === 200; i++) { await new Promise((res) => setTimeout(res, 200)); status = await ready(); }
      assert.equal(status, 500, 'not ready while etcd is down');
      await etcd.members[0].start();
      for (let i = 0; i < 100 && status !== 200; i++) { await new Promise((res) => setTimeout(res, 200)); status = await ready(); }
      assert.equal(status, 200, 'ready again without a restart');
      assert.equal((await call(r.url + W, 'POST', { metadata: { name: 'after-restart' }, spec: {} })).status, 201);
    } finally {
      await r.server.close();
    }
  });
});

/** Waits for the standalone server's kubeconfig and readiness; returns its TLS client credentials. */
async function waitForKubeconfig(dir: string, port: number): Promise<{ ca: string; cert: string; key: string }> {
  // Generous: tsx compiles the server at start, which takes 20-30 s on a loaded 2-core machine.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const config = parseYaml(await readFile(join(dir, 'kubeconfig'), 'utf8'));
      const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
      const creds = { ca: b64(config.clusters[0].cluster['certificate-authority-data']), cert: b64(config.users[0].user['client-certificate-data']), key: b64(config.users[0].user['client-key-data']) };
      if ((await directCall(`https://127.0.0.1:${port}/readyz`, creds)).status === 200) return creds;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('standalone server did not become ready');
}

