import { test } from 'node:test';
import 'reflect-metadata';
import assert from 'node:assert/strict';
import * as x509 from '@peculiar/x509';
import { createCertificateAuthority, generateKeyPair, importPrivateKeyPem, issueServingCertificate, signingAlgorithm } from '../../certs/index.ts';
import { diagnoseServingCert } from './checks-tls.ts';

const NAME = 'api.wardle.svc';

test('a good certificate has no finding', async () => {
  const ca = await createCertificateAuthority();
  const cert = await issueServingCertificate(ca, { dnsNames: [NAME] });
  assert.deepEqual(diagnoseServingCert(cert.certPem, ca.certPem, NAME), []);
});

test('wrong SANs, foreign CA and soon-expiring certificates are named', async () => {
  const ca = await createCertificateAuthority();
  const other = await createCertificateAuthority();
  const wrong = await issueServingCertificate(ca, { dnsNames: ['localhost'] });
  assert.deepEqual(diagnoseServingCert(wrong.certPem, ca.certPem, NAME).map((f) => f.kind), ['wrong-san']);
  const foreign = await issueServingCertificate(other, { dnsNames: [NAME] });
  assert.deepEqual(diagnoseServingCert(foreign.certPem, ca.certPem, NAME).map((f) => f.kind), ['untrusted']);
  const soon = await issueServingCertificate(ca, { dnsNames: [NAME], validityDays: 3 });
  assert.deepEqual(diagnoseServingCert(soon.certPem, ca.certPem, NAME).map((f) => [f.kind, f.status]), [['expiring', 'warn']]);
});

test('an expired certificate is reported as expired (and only that)', async () => {
  const ca = await createCertificateAuthority();
  const { key } = await importPrivateKeyPem(ca.keyPem);
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '01', subject: `CN=${NAME}`, issuer: new x509.X509Certificate(ca.certPem).subject,
    notBefore: new Date(Date.now() - 3 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000),
    publicKey: keys.publicKey, signingKey: key, signingAlgorithm: signingAlgorithm('ecdsa-p256'),
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: NAME }])],
  });
  const findings = diagnoseServingCert(cert.toString('pem'), ca.certPem, NAME);
  assert.deepEqual(findings.map((f) => f.kind), ['expired']);
  assert.match(findings[0].detail, /expired on/);
});
