import assert from 'node:assert/strict';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import { defineResource } from '../resource/define-resource.ts';
import { startApiTestServer } from '../testing/api-test-server.ts';
import { createApiServer } from './server.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import { widgets } from '../testing/fixtures.ts';
import { connect as tlsConnect } from 'node:tls';
import { createCertificateAuthority, issueServingCertificate } from '../certs/issue.ts';

const W = '/apis/test.extapi.dev/v1/namespaces/default/widgets';

/** A resource whose admission takes `ms`, to hold requests in flight. */
function slowResource(ms: number) {
  return defineResource({
    group: 'slow.extapi.dev', kind: 'Slow', plural: 'slows', namespaced: true,
    strategy: { validateAdmission: () => new Promise((r) => setTimeout(r, ms)) },
    versions: [{ name: 'v1', storage: true, schema: { type: 'object' } }],
  });
}

describe('server filters', () => {
  it('answers 429 with Retry-After beyond the in-flight limit, counting mutating and read-only apart', async () => {
    const storage = createMemoryStorage();
    const server = createApiServer({ resources: [slowResource(300)], storage, authenticators: [{ authenticate: () => ({ username: 'u', groups: [] }) }], authorizer: { authorize: () => ({ decision: 'Allow' }) }, maxInFlight: { readOnly: 5, mutating: 1 }, log: () => undefined });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const post = (n: string) => fetch(`http://127.0.0.1:${port}/apis/slow.extapi.dev/v1/namespaces/default/slows`, { method: 'POST', body: JSON.stringify({ metadata: { name: n } }), headers: { 'content-type': 'application/json' } });
      const first = post('a');
      await new Promise((r) => setTimeout(r, 50));
      const second = await post('b');
      assert.equal(second.status, 429);
      assert.equal(second.headers.get('retry-after'), '1');
      const body = await second.json() as { reason: string };
      assert.equal(body.reason, 'TooManyRequests');
      const read = await fetch(`http://127.0.0.1:${port}/apis/slow.extapi.dev/v1/namespaces/default/slows`);
      assert.equal(read.status, 200, 'read-only requests have their own budget');
      assert.equal((await first).status, 201);
    } finally {
      await server.close();
    }
  });

  it('holds many requests in flight without a MaxListenersExceededWarning on the shared shutdown signal (issue 18)', async () => {
    const server = createApiServer({ resources: [slowResource(300)], storage: createMemoryStorage(), authenticators: [{ authenticate: () => ({ username: 'u', groups: [] }) }], authorizer: { authorize: () => ({ decision: 'Allow' }) }, log: () => undefined });
    const { port } = await server.listen(0, '127.0.0.1');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const posts = Array.from({ length: 30 }, (_, i) => fetch(`http://127.0.0.1:${port}/apis/slow.extapi.dev/v1/namespaces/default/slows`, { method: 'POST', body: JSON.stringify({ metadata: { name: `s${i}` } }), headers: { 'content-type': 'application/json' } }));
      assert.deepEqual((await Promise.all(posts)).map((r) => r.status), Array(30).fill(201));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings.filter((w) => w === 'MaxListenersExceededWarning'), []);
    } finally {
      process.off('warning', onWarning);
      await server.close();
    }
  });

  it('answers 504 Timeout when a request outlives the request timeout', async () => {
    const server = createApiServer({ resources: [slowResource(400)], storage: createMemoryStorage(), authenticators: [{ authenticate: () => ({ username: 'u', groups: [] }) }], authorizer: { authorize: () => ({ decision: 'Allow' }) }, requestTimeoutMs: 100, log: () => undefined });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/apis/slow.extapi.dev/v1/namespaces/default/slows`, { method: 'POST', body: JSON.stringify({ metadata: { name: 'x' } }), headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 504);
      assert.equal(((await res.json()) as { reason: string }).reason, 'Timeout');
    } finally {
      await server.close();
    }
  });

  it('?timeout= shortens the request timeout (a Go duration), and a malformed one is 400 as kube-apiserver words it', async () => {
    const server = createApiServer({ resources: [slowResource(400)], storage: createMemoryStorage(), authenticators: [{ authenticate: () => ({ username: 'u', groups: [] }) }], authorizer: { authorize: () => ({ decision: 'Allow' }) }, requestTimeoutMs: 60_000, log: () => undefined });
    const { port } = await server.listen(0, '127.0.0.1');
    const post = (query: string, name: string) => fetch(`http://127.0.0.1:${port}/apis/slow.extapi.dev/v1/namespaces/default/slows${query}`, { method: 'POST', body: JSON.stringify({ metadata: { name } }), headers: { 'content-type': 'application/json' } });
    try {
      const short = await post('?timeout=100ms', 'a');
      assert.equal(short.status, 504);
      assert.equal(((await short.json()) as { reason: string }).reason, 'Timeout');
      const bad = await post('?timeout=abc', 'b');
      assert.equal(bad.status, 400);
      assert.deepEqual(await bad.json().then((b: any) => [b.reason, b.message]), ['BadRequest', 'invalid timeout specified in the request URL - time: invalid duration "abc"']);
      assert.equal((await post('?timeout=0s', 'c')).status, 201, 'zero means the server\'s limit');
      assert.equal((await post('?timeout=2m', 'd')).status, 201);
    } finally {
      await server.close();
    }
  });

  it('exposes kube-apiserver metric names on /metrics', async () => {
    const t = await startApiTestServer([widgets]);
    try {
      await t.request('POST', W, { body: { metadata: { name: 'm' }, spec: {} } });
      await t.request('GET', `${W}/m`);
      const text = (await t.request('GET', '/metrics')).text;
      assert.match(text, /apiserver_request_total\{verb="POST",group="test.extapi.dev",version="v1",resource="widgets",subresource="",component="apiserver",scope="namespace",code="201"\} 1/);
      assert.match(text, /apiserver_request_duration_seconds_bucket\{/);
      assert.match(text, /apiserver_current_inflight_requests\{request_kind="readOnly"\} 1/);
      assert.match(text, /apiserver_storage_objects\{resource="widgets.test.extapi.dev"\} 1/);
      assert.match(text, /apiserver_registered_watchers/);
    } finally {
      await t.close();
    }
  });

  it('while draining, HTTP/1.1 responses say Connection: close so that clients move on before the listener closes', async () => {
    const t = await startApiTestServer([widgets]);
    const url = new URL(t.url);
    const connectionHeader = () => new Promise<string | undefined>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: '/livez', agent: new HttpAgent({ keepAlive: true }) }, (res) => {
        res.resume();
        res.once('end', () => resolve(res.headers.connection));
      });
      req.once('error', reject);
      req.end();
    });
    try {
      assert.equal(await connectionHeader(), 'keep-alive');
      t.server.drain();
      assert.equal(await connectionHeader(), 'close');
    } finally {
      await t.close();
    }
  });

  it('reports not-ready while draining, and ends watches cleanly on close', async () => {
    const t = await startApiTestServer([widgets]);
    const watch = await fetch(`${t.url}${W}?watch=true`);
    const body = watch.text();
    assert.equal((await t.request('GET', '/readyz')).status, 200);
    t.server.drain();
    const ready = await t.request('GET', '/readyz?verbose');
    assert.equal(ready.status, 500);
    assert.match(ready.text, /\[-\]shutdown failed/);
    assert.equal((await t.request('GET', '/livez')).status, 200, 'still alive while draining');
    await t.close();
    assert.equal(await body, '', 'the watch stream ended without an error');
  });

  it('with http2: false, TLS negotiates HTTP/1.1 even for a client that offers h2 first; with the default, h2', async () => {
    const ca = await createCertificateAuthority({ commonName: 'alpn-test-ca' });
    const pair = await issueServingCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const negotiated = async (http2?: boolean) => {
      const server = createApiServer({
        resources: [widgets], storage: createMemoryStorage(), tls: { cert: pair.certPem, key: pair.keyPem }, http2,
        authenticators: [{ authenticate: () => ({ username: 'u', groups: [] }) }], authorizer: { authorize: () => ({ decision: 'Allow' }) }, log: () => undefined,
      });
      const { port } = await server.listen(0, '127.0.0.1');
      try {
        return await new Promise<string | false | null>((resolve, reject) => {
          const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.certPem, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
            resolve(socket.alpnProtocol);
            socket.destroy();
          });
          socket.once('error', reject);
        });
      } finally {
        await server.close();
      }
    };
    assert.equal(await negotiated(false), 'http/1.1');
    assert.equal(await negotiated(undefined), 'h2');
  });

  it('an HTTP/1.1 watch says Connection: close, so that its connection never idles in a pool when the watch ends at shutdown', async () => {
    const t = await startApiTestServer([widgets]);
    const connectionHeader = (path: string) => new Promise<string | undefined>((resolve, reject) => {
      const url = new URL(t.url + path);
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent: new HttpAgent({ keepAlive: true }) }, (res) => {
        resolve(res.headers.connection);
        res.destroy();
      });
      req.once('error', reject);
      req.end();
    });
    try {
      assert.equal(await connectionHeader(`${W}?watch=true`), 'close');
      assert.equal(await connectionHeader(W), 'keep-alive', 'other responses keep the connection');
    } finally {
      await t.close();
    }
  });
});
