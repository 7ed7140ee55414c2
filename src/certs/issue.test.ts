import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueClientCertificate, issueServingCertificate } from './issue.ts';
import type { CertificateAndKey } from './issue.ts';
import type { KeyAlgorithm } from './keys.ts';

function withTmp<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'extapi-certs-'));
  try { return fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function opensslVerify(ca: CertificateAndKey, leaf: CertificateAndKey, purpose: string): string {
  return withTmp((dir) => {
    writeFileSync(join(dir, 'ca.pem'), ca.certPem);
    writeFileSync(join(dir, 'leaf.pem'), leaf.certPem);
    writeFileSync(join(dir, 'leaf.key'), leaf.keyPem);
    // the key must parse as PKCS#8 and match the certificate
    const keyPub = openssl(['pkey', '-in', join(dir, 'leaf.key'), '-pubout']);
    const certPub = openssl(['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-pubkey']);
    assert.equal(keyPub, certPub);
    return openssl(['verify', '-purpose', purpose, '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')]);
  });
}

for (const keyAlgorithm of ['ecdsa-p256', 'rsa-2048'] as KeyAlgorithm[]) {
  test(`openssl verify accepts a ${keyAlgorithm} serving and client chain`, async () => {
    const ca = await createCertificateAuthority({ keyAlgorithm, commonName: 'test-ca' });
    const serving = await issueServingCertificate(ca, { keyAlgorithm, dnsNames: ['ext-api.ext-system.svc'], ipAddresses: ['127.0.0.1'] });
    const client = await issueClientCertificate(ca, { keyAlgorithm, user: 'alice', groups: ['devs', 'system:masters'] });
    assert.match(opensslVerify(ca, serving, 'sslserver'), /leaf\.pem: OK/);
    assert.match(opensslVerify(ca, client, 'sslclient'), /leaf\.pem: OK/);
    const text = withTmp((dir) => {
      writeFileSync(join(dir, 'c.pem'), serving.certPem);
      return openssl(['x509', '-in', join(dir, 'c.pem'), '-noout', '-text']);
    });
    assert.match(text, /DNS:ext-api\.ext-system\.svc, IP Address:127\.0\.0\.1/);
    assert.match(text, /TLS Web Server Authentication/);
  });
}

test('openssl rejects a leaf against a different CA and the wrong purpose', async () => {
  const ca = await createCertificateAuthority();
  const other = await createCertificateAuthority();
  const client = await issueClientCertificate(ca, { user: 'bob' });
  assert.throws(() => opensslVerify(other, client, 'sslclient'));
  assert.throws(() => opensslVerify(ca, client, 'sslserver'));
});

test('a CA validity in days is honoured', async () => {
  const ca = await createCertificateAuthority({ validityDays: 2 });
  const text = withTmp((dir) => {
    writeFileSync(join(dir, 'c.pem'), ca.certPem);
    return openssl(['x509', '-in', join(dir, 'c.pem'), '-noout', '-enddate', '-ext', 'basicConstraints']);
  });
  const end = new Date(/notAfter=(.*)/.exec(text)![1]);
  assert.ok(Math.abs(end.getTime() - (Date.now() + 2 * 86400_000)) < 60_000);
  assert.match(text, /CA:TRUE/);
});

async function handshake(server: tls.Server, opts: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  const { port } = server.address() as AddressInfo;
  const socket = tls.connect({ host: '127.0.0.1', port, ...opts });
  await once(socket, 'secureConnect');
  return socket;
}

test('Node TLS verifies the serving SANs and the client certificate', async (t) => {
  const ca = await createCertificateAuthority();
  const serving = await issueServingCertificate(ca, { dnsNames: ['ext-api.ext-system.svc'], ipAddresses: ['127.0.0.1'] });
  const client = await issueClientCertificate(ca, { user: 'alice', groups: ['g1', 'g2'] });
  const server = tls.createServer({ cert: serving.certPem, key: serving.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (s) => {
    const peer = s.getPeerCertificate();
    s.end(JSON.stringify({ cn: peer.subject.CN, o: peer.subject.O }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const client1 = await handshake(server, { ca: ca.certPem, servername: 'ext-api.ext-system.svc', cert: client.certPem, key: client.keyPem });
  assert.equal(client1.authorized, true);
  let body = '';
  for await (const chunk of client1) body += String(chunk);
  // the server saw the client certificate's CN (user) and O (groups)
  assert.deepEqual(JSON.parse(body), { cn: 'alice', o: ['g1', 'g2'] });
  const byIp = await handshake(server, { ca: ca.certPem, cert: client.certPem, key: client.keyPem });
  assert.equal(byIp.authorized, true);
  byIp.destroy();
  await assert.rejects(handshake(server, { ca: ca.certPem, servername: 'wrong.ext-system.svc', cert: client.certPem, key: client.keyPem }),
    (err: NodeJS.ErrnoException) => err.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
});
