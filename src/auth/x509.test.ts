import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { createCertificateAuthority, issueClientCertificate } from '../certs/index.ts';
import { subjectNames, verifiedBy } from './x509.ts';

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
