/**
 * Reading certificate facts (subject, SANs, validity, issuer, usages) and checking that a
 * certificate chains to a CA — what `doctor`-style diagnostics and tests need to explain a
 * TLS or front-proxy trust failure.
 */
import 'reflect-metadata';
import { X509Certificate as NodeX509 } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { splitCertificateBundle } from './pem.ts';

/** The facts of one certificate that matter for Kubernetes TLS and x509 authentication. */
export interface CertificateFacts {
  /** Subject common names (normally one; the Kubernetes user name for client certs). */
  commonNames: string[];
  /** Subject organizations (the Kubernetes groups for client certs). */
  organizations: string[];
  /** Subject distinguished name, RFC 4514 string. */
  subject: string;
  /** Issuer distinguished name, RFC 4514 string. */
  issuer: string;
  /** DNS subject alternative names. */
  dnsNames: string[];
  /** IP subject alternative names. */
  ipAddresses: string[];
  notBefore: Date;
  notAfter: Date;
  /** Serial number, hex. */
  serialNumber: string;
  /** basicConstraints CA flag. */
  isCA: boolean;
  /** Extended key usages by name (`serverAuth`, `clientAuth`, …) or OID when unnamed. */
  extendedKeyUsages: string[];
  /** SHA-256 fingerprint, colon-separated hex (as OpenSSL prints it). */
  fingerprint256: string;
}

const EKU_NAMES = new Map<string, string>(Object.entries(x509.ExtendedKeyUsage).map(([name, oid]) => [oid, name]));

/** Reads the facts of the first certificate in `certPem`. */
export function readCertificate(certPem: string): CertificateFacts {
  const cert = new x509.X509Certificate(certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  return {
    commonNames: cert.subjectName.getField('CN'),
    organizations: cert.subjectName.getField('O'),
    subject: cert.subject,
    issuer: cert.issuer,
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => n.value),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    serialNumber: cert.serialNumber,
    isCA: cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
    extendedKeyUsages: Array.from(eku?.usages ?? [], (u) => EKU_NAMES.get(String(u)) ?? String(u)),
    fingerprint256: new NodeX509(certPem).fingerprint256,
  };
}

/** The outcome of {@link verifyCertificateChain}. */
export interface ChainVerification {
  /** True when the certificate is signed by one of the CAs and both are within validity. */
  ok: boolean;
  /** Why not, when `ok` is false. */
  reason?: string;
  /** Subject of the CA that signed it, when `ok`. */
  issuer?: string;
}

/**
 * Checks that the first certificate in `certPem` was issued and signed by one of the CA
 * certificates in `caBundlePem` (a bundle, as in `caBundle` or `requestheader-client-ca-file`),
 * is within its validity at `at`, and that the CA is a CA and valid too. Chains through
 * intermediates carried after the leaf in `certPem` as well.
 */
export function verifyCertificateChain(certPem: string, caBundlePem: string, at: Date = new Date()): ChainVerification {
  const [leafPem, ...intermediates] = splitCertificateBundle(certPem);
  const roots = splitCertificateBundle(caBundlePem).map((p) => new NodeX509(p));
  let current = new NodeX509(leafPem);
  const pool = intermediates.map((p) => new NodeX509(p));
  for (let depth = 0; depth < 8; depth++) {
    const expired = outsideValidity(current, at);
    if (expired) return { ok: false, reason: expired };
    const root = roots.find((ca) => signs(ca, current));
    if (root) {
      const caExpired = outsideValidity(root, at);
      if (caExpired) return { ok: false, reason: `CA ${caExpired}` };
      return { ok: true, issuer: root.subject.replace(/\n/g, ', ') };
    }
    const next = pool.find((ca) => signs(ca, current));
    if (!next) {
      return { ok: false, reason: `certificate "${current.subject.replace(/\n/g, ', ')}" is not signed by any of the ${roots.length} given CA(s) (issuer "${current.issuer.replace(/\n/g, ', ')}")` };
    }
    current = next;
  }
  return { ok: false, reason: 'chain too long' };
}

function signs(ca: NodeX509, cert: NodeX509): boolean {
  return ca.ca && cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

function outsideValidity(cert: NodeX509, at: Date): string | undefined {
  const subject = cert.subject.replace(/\n/g, ', ');
  if (at < new Date(cert.validFrom)) return `"${subject}" is not valid before ${cert.validFrom}`;
  if (at > new Date(cert.validTo)) return `"${subject}" expired at ${cert.validTo}`;
  return undefined;
}
