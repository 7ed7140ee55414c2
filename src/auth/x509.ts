import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { HttpRequest } from '../endpoints/http.ts';
import type { UserInfo } from '../resource/define-resource.ts';
import type { Authenticator } from './types.ts';

/** The verified client certificate of a request's TLS connection, or null. */
export function peerCertificate(req: HttpRequest): X509Certificate | null {
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerX509Certificate !== 'function') return null;
  return socket.getPeerX509Certificate() ?? null;
}

/** Parses the CA bundle PEM (one or more certificates). */
export function parseCaBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/**
 * True when `cert` was issued and signed by one of `cas` and is within its validity period
 * (direct issuance; intermediates are not followed).
 */
export function verifiedBy(cert: X509Certificate, cas: X509Certificate[], now = new Date()): boolean {
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) return false;
  return cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
}

/** CN and O of a certificate's subject. */
export function subjectNames(cert: X509Certificate): { cn: string; organizations: string[] } {
  const lines = cert.subject.split('\n');
  const cn = lines.find((l) => l.startsWith('CN='))?.slice(3) ?? '';
  const organizations = lines.filter((l) => l.startsWith('O=')).map((l) => l.slice(2));
  return { cn, organizations };
}

/**
 * Client-certificate authentication: a certificate that verifies against `caPem` names the user
 * (CN) and groups (O), as kube-apiserver's --client-ca-file does. `caPem` is read on every call
 * through the getter, so a reloaded CA applies at once.
 */
export function createX509Authenticator(caPem: () => string | undefined): Authenticator {
  let cachedPem = '';
  let cas: X509Certificate[] = [];
  return {
    authenticate(req): UserInfo | null {
      const pem = caPem();
      if (!pem) return null;
      if (pem !== cachedPem) { cas = parseCaBundle(pem); cachedPem = pem; }
      const cert = peerCertificate(req);
      if (!cert || !verifiedBy(cert, cas)) return null;
      const { cn, organizations } = subjectNames(cert);
      if (!cn) return null;
      return { username: cn, groups: organizations };
    },
  };
}
