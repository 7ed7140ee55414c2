import type { X509Certificate } from 'node:crypto';
import type { HttpRequest } from '../endpoints/http.ts';
import type { UserInfo } from '../resource/define-resource.ts';
import type { Authenticator } from './types.ts';
import { parseCaBundle, peerCertificate, subjectNames, verifiedClientCertificate } from './x509.ts';

/** The front-proxy trust settings, as `kube-system/extension-apiserver-authentication` publishes them. */
export interface RequestHeaderConfig {
  /** requestheader-client-ca-file: the CA the proxy's client certificate must chain to. */
  caPem: string;
  /** requestheader-allowed-names: accepted CNs; empty accepts any CN from the CA. */
  allowedNames: string[];
  usernameHeaders: string[];
  uidHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

/** kube-apiserver's defaults for the header names. */
export const DEFAULT_REQUEST_HEADERS = {
  usernameHeaders: ['X-Remote-User'], uidHeaders: ['X-Remote-Uid'],
  groupHeaders: ['X-Remote-Group'], extraHeaderPrefixes: ['X-Remote-Extra-'],
};

/**
 * Front-proxy authentication: the identity headers are believed ONLY when the connection's client
 * certificate verifies against the configured CA as a client certificate (clientAuth or no
 * extended usage, never a CA) and its CN is allowed. Otherwise: no opinion.
 * The config getter is read per request, so a changed ConfigMap applies without a restart.
 */
export function createRequestHeaderAuthenticator(config: () => RequestHeaderConfig | undefined): Authenticator {
  let cachedPem = '';
  let cas: X509Certificate[] = [];
  return {
    authenticate(req): UserInfo | null {
      const cfg = config();
      if (!cfg || !cfg.caPem) return null;
      if (cfg.caPem !== cachedPem) { cas = parseCaBundle(cfg.caPem); cachedPem = cfg.caPem; }
      const cert = peerCertificate(req);
      if (!cert || !verifiedClientCertificate(cert, cas)) return null;
      if (cfg.allowedNames.length > 0 && !cfg.allowedNames.includes(subjectNames(cert).cn)) return null;
      const username = firstHeader(req, cfg.usernameHeaders);
      if (!username) return null;
      const user: UserInfo = { username, groups: allHeaders(req, cfg.groupHeaders) };
      const uid = firstHeader(req, cfg.uidHeaders);
      if (uid) user.uid = uid;
      const extra = extraHeaders(req, cfg.extraHeaderPrefixes);
      if (Object.keys(extra).length > 0) user.extra = extra;
      return user;
    },
  };
}

/** Removes every identity header of `cfg` (or the defaults) from the request, so no handler sees one. */
export function stripIdentityHeaders(req: HttpRequest, cfg: Pick<RequestHeaderConfig, 'usernameHeaders' | 'uidHeaders' | 'groupHeaders' | 'extraHeaderPrefixes'> = DEFAULT_REQUEST_HEADERS): void {
  const exact = new Set([...cfg.usernameHeaders, ...cfg.uidHeaders, ...cfg.groupHeaders].map((h) => h.toLowerCase()));
  const prefixes = cfg.extraHeaderPrefixes.map((p) => p.toLowerCase());
  for (const name of Object.keys(req.headers)) {
    if (exact.has(name) || prefixes.some((p) => name.startsWith(p))) delete req.headers[name];
  }
}

function headerValues(req: HttpRequest, name: string): string[] {
  const value = req.headers[name.toLowerCase()];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function firstHeader(req: HttpRequest, names: string[]): string | undefined {
  for (const n of names) {
    const v = headerValues(req, n).find((x) => x.length > 0);
    if (v) return v;
  }
  return undefined;
}

function allHeaders(req: HttpRequest, names: string[]): string[] {
  return names.flatMap((n) => headerValues(req, n).flatMap((v) => v.split(',').map((s) => s.trim()).filter(Boolean)));
}

function extraHeaders(req: HttpRequest, prefixes: string[]): Record<string, string[]> {
  const extra: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const prefix = prefixes.find((p) => name.startsWith(p.toLowerCase()));
    if (!prefix || value === undefined) continue;
    const key = unescapeExtraKey(name.slice(prefix.length)).toLowerCase();
    extra[key] = [...(extra[key] ?? []), ...(Array.isArray(value) ? value : [value])];
  }
  return extra;
}

/** Go's url.PathUnescape of an extra key; a malformed escape keeps the key as sent. */
function unescapeExtraKey(key: string): string {
  try { return decodeURIComponent(key); } catch { return key; }
}
