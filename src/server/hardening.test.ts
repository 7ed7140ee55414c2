import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect as http2Connect, type IncomingHttpHeaders } from 'node:http2';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { startApiTestServer } from '../testing/api-test-server.ts';
import { widgets } from '../testing/fixtures.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import { createApiServer } from './server.ts';
import { createCertificateAuthority, issueServingCertificate } from '../certs/index.ts';

const W = '/apis/test.extapi.dev/v1/namespaces/default/widgets';

/** Sends `raw` on a plain connection and answers the first response's status line and body. */
function rawExchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(raw));
    let text = '';
    socket.on('data', (d) => { text += d; });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('hardening (issue 18)', () => {
  it('answers a write whose warning holds non-Latin-1 or control characters 201/200 with escaped or dropped warnings (item 3)', async () => {
    const t = await startApiTestServer([widgets]);
    try {
      const created = await t.request('POST', W, { body: '{"metadata":{"name":"x"},"spec":{"\u0100":1,"\\u0001":2}}' });
      assert.equal(created.status, 201, created.text);
      const warnings = created.headers.get('warning') ?? '';
      assert.equal(Buffer.from(warnings, 'latin1').toString('utf8'), '299 - "unknown field \\"spec.\u0100\\""', 'the control-character field is dropped, as Go drops it');
      const patched = await t.request('PATCH', `${W}/x`, { body: '{"spec":{"\u0100":2}}', contentType: 'application/merge-patch+json' });
      assert.equal(patched.status, 200, patched.text);
      assert.equal((await t.request('GET', `${W}/x`)).status, 200);
    } finally { await t.close(); }
  });

  it('answers the same write over HTTP/2: a :status of 201/200 and the escaped warning, nothing half-sent (item 3)', async () => {
    const ca = await createCertificateAuthority();
    const serving = await issueServingCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const server = createApiServer({ resources: [widgets], storage: createMemoryStorage(), tls: { cert: serving.certPem, key: serving.keyPem },
      authenticators: [{ authenticate: () => ({ username: 'u', groups: [] }) }], authorizer: { authorize: () => ({ decision: 'Allow' }) }, log: () => undefined });
    const { port } = await server.listen(0, '127.0.0.1');
    const session = http2Connect(`https://127.0.0.1:${port}`, { ca: ca.certPem });
    const send = (method: string, path: string, body: string, contentType: string) => new Promise<{ headers: IncomingHttpHeaders; text: string }>((resolve, reject) => {
      const stream = session.request({ ':method': method, ':path': path, 'content-type': contentType });
      let text = '';
      let headers: IncomingHttpHeaders = {};
      stream.on('response', (h) => { headers = h; });
      stream.on('data', (d) => { text += d; });
      stream.on('end', () => resolve({ headers, text }));
      stream.on('error', reject);
      stream.end(body);
    });
    try {
      const created = await send('POST', W, '{"metadata":{"name":"x"},"spec":{"\u0100":1,"\\u0001":2}}', 'application/json');
      assert.equal(created.headers[':status'], 201, created.text);
      assert.equal(Buffer.from(String(created.headers.warning), 'latin1').toString('utf8'), '299 - "unknown field \\"spec.\u0100\\""');
      const patched = await send('PATCH', `${W}/x`, '{"spec":{"\u0100":2}}', 'application/merge-patch+json');
      assert.equal(patched.headers[':status'], 200, patched.text);
      assert.equal(JSON.parse(patched.text).metadata.name, 'x');
    } finally {
      session.close();
      await server.close();
    }
  });

  it('advertises kube-apiserver\'s HTTP/2 settings (256 KiB frames and stream window, 1 MiB header list, 100 streams) and serves a 48 KiB header over them', async () => {
    const ca = await createCertificateAuthority();
    const serving = await issueServingCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const server = createApiServer({ resources: [widgets], storage: createMemoryStorage(), tls: { cert: serving.certPem, key: serving.keyPem },
      authenticators: [{ authenticate: () => ({ username: 'u', groups: [] }) }], authorizer: { authorize: () => ({ decision: 'Allow' }) }, log: () => undefined });
    const { port } = await server.listen(0, '127.0.0.1');
    const session = http2Connect(`https://127.0.0.1:${port}`, { ca: ca.certPem, maxHeaderListPairs: 4096, settings: { maxHeaderListSize: 1 << 20 } });
    try {
      const settings = await new Promise<import('node:http2').Settings>((resolve) => session.once('remoteSettings', resolve));
      assert.equal(settings.maxFrameSize, 256 * 1024);
      assert.equal(settings.initialWindowSize, 256 * 1024);
      assert.equal(settings.maxHeaderListSize, 1 << 20);
      assert.equal(settings.maxConcurrentStreams, 100);
      const send = (headerBytes: number) => new Promise<number | string>((resolve) => {
        const stream = session.request({ ':path': W, 'x-large': 'a'.repeat(headerBytes) }, { endStream: true });
        stream.on('response', (h) => resolve(Number(h[':status'])));
        stream.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
        stream.resume();
      });
      assert.equal(await send(48 * 1024), 200, 'a 48 KiB header (above Node\'s 16 KiB HTTP/1.1 limit) is accepted over HTTP/2');
      // nghttp2 (inside Node) caps one header block at 64 KiB whatever the advertised list size:
      // a larger block is refused as a stream (REFUSED_STREAM), never a hang, and the connection stays usable.
      assert.equal(await send(100 * 1024), 'ERR_HTTP2_STREAM_ERROR');
      assert.equal(await send(1024), 200, 'the same connection still serves');
    } finally {
      session.close();
      await server.close();
    }
  });

  it('answers 400 to malformed request targets before authentication, and serves absolute-form targets (item 6)', async () => {
    let authenticated = 0;
    const server = createApiServer({ resources: [widgets], storage: createMemoryStorage(), authenticators: [{ authenticate: () => { authenticated++; return { username: 'u', groups: [] }; } }], authorizer: { authorize: () => ({ decision: 'Allow' }) }, log: (m) => assert.fail(`nothing is logged: ${m}`) });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      for (const target of ['http://[/', 'http://a:b/', 'https://x:99999/apis', 'nonsense']) {
        const answer = await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        assert.match(answer, /^HTTP\/1\.1 400 /, `${target}: ${answer}`);
        if (answer.includes('{')) assert.match(answer, /"reason":"BadRequest"/, 'a Status when the HTTP parser let the target through');
      }
      assert.equal(authenticated, 0, 'refused before authentication');
      const absolute = await rawExchange(port, `GET https://example.com/apis HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.match(absolute, /^HTTP\/1\.1 200 /);
    } finally { await server.close(); }
  });

  it('does not apply a create whose body arrives after the deadline: 504, and nothing stored (item 3)', async () => {
    const storage = createMemoryStorage();
    const server = createApiServer({ resources: [widgets], storage, authenticators: [{ authenticate: () => ({ username: 'u', groups: [] }) }], authorizer: { authorize: () => ({ decision: 'Allow' }) }, requestTimeoutMs: 300, log: () => undefined });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ port, host: '127.0.0.1', method: 'POST', path: W, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => { res.resume(); resolve(res.statusCode!); });
        req.on('error', reject);
        req.write('{"metadata":{"name":"late"},');
        setTimeout(() => req.end('"spec":{}}'), 1_000);
      });
      assert.equal(status, 504);
      await new Promise((r) => setTimeout(r, 1_200));
      const listed = await fetch(`http://127.0.0.1:${port}${W}`).then((r) => r.json()) as { items: unknown[] };
      assert.deepEqual(listed.items, [], 'the late create was not applied');
    } finally { await server.close(); }
  });

  it('serves health probes when every in-flight slot is taken (item 1)', async () => {
    const storage = createMemoryStorage();
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const list = storage.list.bind(storage);
    storage.list = async (...args) => { await held; return list(...args); };
    const server = createApiServer({
      resources: [widgets], storage, maxInFlight: { readOnly: 1, mutating: 1 },
      authenticators: [{ authenticate: () => ({ username: 'u', groups: [] }) }],
      authorizer: { authorize: () => ({ decision: 'Allow' }) }, log: () => undefined,
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    try {
      const slow = fetch(`${base}${W}`);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await fetch(`${base}${W}`)).status, 429, 'the one read slot is taken');
      for (const probe of ['/healthz', '/livez', '/readyz']) assert.equal((await fetch(base + probe)).status, 200, probe);
      release();
      assert.equal((await slow).status, 200);
    } finally { await server.close(); }
  });
});
