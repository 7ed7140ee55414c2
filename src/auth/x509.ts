import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { HttpRequest } from '../endpoints/http.ts';
import type { UserInfo } from '../resource/define-resource.ts';
import type { Authenticator } from './types.ts';

const peerByConnection = new WeakMap<object, X509Certificate | null>();

/**
 * The client certificate of a request's TLS connection, or null. Read once per connection
 * (a connection's peer certificate never changes), not once per request. An HTTP/2 request's
 * `socket` is a proxy made per stream, so its connection is its stream's session.
 */
export function peerCertificate(req: HttpRequest): X509Certificate | null {
  const socket = req.socket as TLSSocket;
  if (!socket || typeof socket.getPeerX509Certificate !== 'function') return null;
  const connection: object = (req as { stream?: { session?: object } }).stream?.session ?? socket;
  let cert = peerByConnection.get(connection);
  if (cert === undefined) {
    cert = socket.getPeerX509Certificate() ?? null;
    peerByConnection.set(connection, cert);
  }
  return cert;
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/** What verification reads of a certificate, computed once per certificate object (a connection's lives as long as it). */
interface CertFacts {
  fingerprint: string;
  notBefore: number;
  notAfter: number;
  clientAuth: boolean;
  cn: string;
  organizations: string[];
}

const factsByCert = new WeakMap<X509Certificate, CertFacts>();

function facts(cert: X509Certificate): CertFacts {
  let f = factsByCert.get(cert);
  if (!f) {
    const lines = cert.subject.split('\n');
    const usages = cert.keyUsage;
    f = {
      fingerprint: cert.fingerprint256, notBefore: Date.parse(cert.validFrom), notAfter: Date.parse(cert.validTo),
      clientAuth: !cert.ca && (usages === undefined || usages.length === 0 || usages.includes(CLIENT_AUTH) || usages.includes(ANY_EXTENDED_KEY_USAGE)),
      cn: lines.find((l) => l.startsWith('CN='))?.slice(3) ?? '', organizations: lines.filter((l) => l.startsWith('O=')).map((l) => l.slice(2)),
    };
    factsByCert.set(cert, f);
  }
  return f;
}

const signatureChecks = new Map<string, boolean>();
const MAX_SIGNATURE_CHECKS = 10_000;

/** Whether `ca` issued and signed `cert`, remembered by both fingerprints (a signature check is costly). */
function signedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  const key = `${facts(cert).fingerprint}/${facts(ca).fingerprint}`;
  let ok = signatureChecks.get(key);
  if (ok === undefined) {
    ok = cert.checkIssued(ca) && cert.verify(ca.publicKey);
    if (signatureChecks.size >= MAX_SIGNATURE_CHECKS) signatureChecks.delete(signatureChecks.keys().next().value as string);
    signatureChecks.set(key, ok);
  }
  return ok;
}

/** Parses the CA bundle PEM (one or more certificates). */
export function parseCaBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/**
 * True when `cert` was issued and signed by one of `cas` and is within its validity period
 * (checked on every call; direct issuance; intermediates are not followed).
 */
export function verifiedBy(cert: X509Certificate, cas: X509Certificate[], now = new Date()): boolean {
  const { notBefore, notAfter } = facts(cert);
  if (now.getTime() < notBefore || now.getTime() > notAfter) return false;
  return cas.some((ca) => signedBy(cert, ca));
}

/**
 * True when `cert` may identify a client, as Go's x509 verification with
 * `KeyUsages: [ClientAuth]` (kube-apiserver's client CA and front-proxy CA) decides: no extended
 * key usage, or one that includes clientAuth (or "any"). A CA certificate never identifies a
 * client (stricter than Go, which would accept a CA presented as a leaf).
 */
export function usableForClientAuth(cert: X509Certificate): boolean {
  return facts(cert).clientAuth;
}

/**
 * True when `cert` is a client certificate one of `cas` issued: usable for client
 * authentication ({@link usableForClientAuth}), signed by one of `cas` and within its validity.
 */
export function verifiedClientCertificate(cert: X509Certificate, cas: X509Certificate[], now = new Date()): boolean {
  return usableForClientAuth(cert) && verifiedBy(cert, cas, now);
}

/** CN and O of a certificate's subject. */
export function subjectNames(cert: X509Certificate): { cn: string; organizations: string[] } {
  const { cn, organizations } = facts(cert);
  return { cn, organizations: [...organizations] };
}

/**
 * Client-certificate authentication: a client certificate that verifies against `caPem`
 * ({@link verifiedClientCertificate}: clientAuth or no extended usage, never a CA) names the user
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
      if (!cert || !verifiedClientCertificate(cert, cas)) return null;
      const { cn, organizations } = subjectNames(cert);
      if (!cn) return null;
      return { username: cn, groups: organizations };
    },
  };
}
