import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCertificateAuthority, issueClientCertificate, issueServingCertificate } from './issue.ts';
import { readCertificate, verifyCertificateChain } from './inspect.ts';

test('readCertificate reports subject, SANs, validity, issuer and usages', async () => {
  const ca = await createCertificateAuthority({ commonName: 'facts-ca' });
  const serving = await issueServingCertificate(ca, { dnsNames: ['a.b.svc', 'localhost'], ipAddresses: ['127.0.0.1', '::1'], validityDays: 10 });
  const facts = readCertificate(serving.certPem);
  assert.deepEqual(facts.commonNames, ['a.b.svc']);
  assert.deepEqual(facts.dnsNames, ['a.b.svc', 'localhost']);
  assert.deepEqual(facts.ipAddresses, ['127.0.0.1', '::1']);
  assert.equal(facts.issuer, 'CN=facts-ca');
  assert.equal(facts.isCA, false);
  assert.deepEqual(facts.extendedKeyUsages, ['serverAuth']);
  assert.ok(facts.notBefore < new Date() && facts.notAfter > new Date(Date.now() + 9 * 86400_000));
  assert.match(facts.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const caFacts = readCertificate(ca.certPem);
  assert.equal(caFacts.isCA, true);
  assert.equal(caFacts.subject, 'CN=facts-ca');
});

test('readCertificate reads CN=user and O=groups of a client certificate', async () => {
  const ca = await createCertificateAuthority();
  const client = await issueClientCertificate(ca, { user: 'system:kube-aggregator', groups: ['system:masters', 'extra'] });
  const facts = readCertificate(client.certPem);
  assert.deepEqual(facts.commonNames, ['system:kube-aggregator']);
  assert.deepEqual(facts.organizations, ['system:masters', 'extra']);
  assert.deepEqual(facts.extendedKeyUsages, ['clientAuth']);
  assert.deepEqual(facts.dnsNames, []);
});

test('verifyCertificateChain accepts the issuing CA, also inside a bundle, and rejects others', async () => {
  const ca = await createCertificateAuthority({ commonName: 'one' });
  const other = await createCertificateAuthority({ commonName: 'two' });
  const leaf = await issueClientCertificate(ca, { user: 'u' });
  assert.deepEqual(verifyCertificateChain(leaf.certPem, ca.certPem), { ok: true, issuer: 'CN=one' });
  assert.equal(verifyCertificateChain(leaf.certPem, other.certPem + ca.certPem).ok, true);
  const bad = verifyCertificateChain(leaf.certPem, other.certPem);
  assert.equal(bad.ok, false);
  assert.match(bad.reason ?? '', /not signed by any of the 1 given CA/);
  const later = verifyCertificateChain(leaf.certPem, ca.certPem, new Date(Date.now() + 400 * 86400_000));
  assert.match(later.reason ?? '', /expired/);
});

test('verifyCertificateChain rejects a CA-signed leaf used as a CA', async () => {
  const ca = await createCertificateAuthority();
  const notCa = await issueServingCertificate(ca, { dnsNames: ['x'] });
  const leaf = await issueClientCertificate(ca, { user: 'u' });
  assert.equal(verifyCertificateChain(leaf.certPem, notCa.certPem).ok, false);
});
