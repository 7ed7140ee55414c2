import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import { describe, it } from 'node:test';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  createCertificateAuthority, generateKeyPair, importPrivateKeyPem, issueClientCertificate, issueServingCertificate, signingAlgorithm,
  type CertificateAndKey,
} from '../certs/index.ts';
import type { HttpRequest } from '../endpoints/http.ts';
import { createRequestHeaderAuthenticator, DEFAULT_REQUEST_HEADERS } from './request-header.ts';
import { createX509Authenticator, peerCertificate, subjectNames, usableForClientAuth, verifiedBy } from './x509.ts';

describe('verifiedBy', () => {
  it('accepts only certificates its CAs signed and that are within their validity, also when asked again', async () => {
    const ca = await createCertificateAuthority({ commonName: 'ca-a' });
    const other = await createCertificateAuthority({ commonName: 'ca-b' });
    const pair = await issueClientCertificate(ca, { user: 'alice', groups: ['g1', 'g2'] });
    const cert = new X509Certificate(pair.certPem);
    const cas = [new X509Certificate(ca.certPem)];
    for (let i = 0; i < 2; i++) {
      assert.equal(verifiedBy(cert, cas), true);
      assert.equal(verifiedBy(cert, [new X509Certificate(other.certPem)]), false);
    }
    assert.equal(verifiedBy(cert, cas, new Date(Date.now() + 400 * 24 * 3600 * 1000)), false, 'expired');
    assert.deepEqual(subjectNames(cert), { cn: 'alice', organizations: ['g1', 'g2'] });
  });
});

/** A leaf signed by `ca` with no extended key usage at all (Go accepts it as a client certificate). */
async function leafWithoutExtendedUsage(ca: CertificateAndKey, cn: string): Promise<X509Certificate> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const { key, algorithm } = await importPrivateKeyPem(ca.keyPem);
  const keys = await generateKeyPair('ecdsa-p256');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '01', subject: `CN=${cn}`, issuer: caCert.subject, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000),
    publicKey: keys.publicKey, signingKey: key, signingAlgorithm: signingAlgorithm(algorithm),
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  return new X509Certificate(cert.toString('pem'));
}

/** A request whose TLS connection presented `cert`. */
const requestWith = (cert: X509Certificate, headers: Record<string, string> = {}) =>
  ({ socket: { getPeerX509Certificate: () => cert }, headers }) as unknown as HttpRequest;

describe('client certificates are checked for client authentication, as kube-apiserver checks them', () => {
  it('accepts clientAuth or no extended usage; refuses serverAuth-only and CA certificates (issue 18, item 4)', async () => {
    const ca = await createCertificateAuthority({ commonName: 'client-ca' });
    const client = new X509Certificate((await issueClientCertificate(ca, { user: 'alice' })).certPem);
    const serving = new X509Certificate((await issueServingCertificate(ca, { dnsNames: ['localhost'] })).certPem);
    const caCert = new X509Certificate(ca.certPem);
    const noUsage = await leafWithoutExtendedUsage(ca, 'bob');
    assert.equal(usableForClientAuth(client), true);
    assert.equal(usableForClientAuth(noUsage), true);
    assert.equal(usableForClientAuth(serving), false);
    assert.equal(usableForClientAuth(caCert), false);

    const standalone = createX509Authenticator(() => ca.certPem);
    assert.deepEqual(await standalone.authenticate(requestWith(client)), { username: 'alice', groups: [] });
    assert.deepEqual(await standalone.authenticate(requestWith(noUsage)), { username: 'bob', groups: [] });
    assert.equal(await standalone.authenticate(requestWith(serving)), null, 'the serving certificate does not authenticate as "localhost"');
    assert.equal(await standalone.authenticate(requestWith(caCert)), null, 'the CA itself is no client');

    const frontProxy = createRequestHeaderAuthenticator(() => ({ caPem: ca.certPem, allowedNames: [], ...DEFAULT_REQUEST_HEADERS }));
    const asProxy = (cert: X509Certificate) => frontProxy.authenticate(requestWith(cert, { 'x-remote-user': 'mallory' }));
    assert.equal((await asProxy(client))?.username, 'mallory');
    assert.equal(await asProxy(serving), null, 'a serverAuth certificate is no front proxy');
    assert.equal(await asProxy(caCert), null, 'a CA certificate is no front proxy');
  });
});

describe('peerCertificate', () => {
  it('reads an HTTP/2 connection\'s client certificate once, for every request on it', async () => {
    const ca = await createCertificateAuthority({ commonName: 'peer-ca' });
    const serving = await issueServingCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const client = await issueClientCertificate(ca, { user: 'alice' });
    const seen: Array<X509Certificate | null> = [];
    const server = http2.createSecureServer({ cert: serving.certPem, key: serving.keyPem, ca: ca.certPem, requestCert: true }, (req, res) => {
      seen.push(peerCertificate(req as unknown as HttpRequest));
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const original = TLSSocket.prototype.getPeerX509Certificate;
    let reads = 0;
    TLSSocket.prototype.getPeerX509Certificate = function counted(this: TLSSocket) {
      reads++;
      return original.call(this);
    };
    const session = http2.connect(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, { ca: ca.certPem, cert: client.certPem, key: client.keyPem });
    try {
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve, reject) => {
          const stream = session.request({ ':path': '/' });
          stream.on('error', reject).on('close', resolve).resume();
        });
      }
    } finally {
      TLSSocket.prototype.getPeerX509Certificate = original;
      session.close();
      server.close();
    }
    assert.equal(seen.length, 3);
    assert.equal(subjectNames(seen[0]!).cn, 'alice');
    assert.ok(seen.every((c) => c === seen[0]), 'one certificate object for the connection');
    assert.equal(reads, 1);
  });
});
