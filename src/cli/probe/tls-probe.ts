/**
 * Connecting to an extension server the way the aggregator does: TLS to the Service's target
 * with ServerName `<service>.<namespace>.svc`, trusting only the APIService's caBundle. One
 * function fetches the presented certificate without judging it (so its faults can be
 * explained), the other makes a verified HTTPS request and times it.
 */
import { request as httpsRequest } from 'node:https';
import { connect, type PeerCertificate } from 'node:tls';
import { pemEncode } from '../../certs/index.ts';

/** Where and how to connect. */
export interface ProbeTarget {
  host: string;
  port: number;
  /** TLS ServerName (SNI and the name the certificate must carry). */
  serverName: string;
  /** PEM bundle trusted for the server certificate. */
  caBundlePem: string;
  /** Default 5 s, the aggregator's own budget. */
  timeoutMs?: number;
}

/** Client credentials to present (from the kubeconfig). */
export interface ProbeCredentials {
  cert?: string | Buffer;
  key?: string | Buffer;
  headers?: Record<string, string>;
}

/** The presented certificate, or why the handshake did not happen. */
export type PeerCertificateResult =
  | { ok: true; certPem: string; chainPems: string[]; authorized: boolean; authorizationError?: string }
  | { ok: false; code: string; error: string };

/** The result of one verified request. */
export type ProbeResponse =
  | { ok: true; status: number; body: string; ms: number }
  | { ok: false; code: string; error: string; ms: number };

const DEFAULT_TIMEOUT_MS = 5000;

function chainOf(peer: PeerCertificate & { issuerCertificate?: PeerCertificate }): string[] {
  const out: string[] = [];
  let cur: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = peer;
  while (cur?.raw && out.length < 5) {
    out.push(pemEncode('CERTIFICATE', cur.raw));
    if (cur.issuerCertificate === cur) break;
    cur = cur.issuerCertificate as typeof cur | undefined;
  }
  return out;
}

/** Opens a TLS connection, reads the server's certificate (not rejecting it), and closes. */
export function fetchPeerCertificate(t: ProbeTarget): Promise<PeerCertificateResult> {
  return new Promise((resolve) => {
    const socket = connect({
      host: t.host, port: t.port, servername: t.serverName, ca: t.caBundlePem || undefined, rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, code: 'ETIMEDOUT', error: `no TLS handshake with ${t.host}:${t.port} within ${t.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` });
    }, t.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const peer = socket.getPeerCertificate(true);
      const chain = peer?.raw ? chainOf(peer) : [];
      const authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined;
      socket.end();
      if (chain.length === 0) resolve({ ok: false, code: 'NO_CERT', error: 'the server presented no certificate' });
      else resolve({ ok: true, certPem: chain[0], chainPems: chain, authorized: socket.authorized, authorizationError });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, code: err.code ?? 'ERROR', error: err.message });
    });
  });
}

/**
 * GET `path` over a fresh, fully verified TLS connection (caBundle + ServerName), presenting
 * `creds`, within the timeout. Never rejects.
 */
export function probeGet(t: ProbeTarget, path: string, creds: ProbeCredentials = {}, accept = 'application/json'): Promise<ProbeResponse> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const timeoutMs = t.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    const req = httpsRequest({
      host: t.host, port: t.port, path, method: 'GET', servername: t.serverName, ca: t.caBundlePem || undefined,
      cert: creds.cert, key: creds.key, agent: false, rejectUnauthorized: true,
      headers: { ...creds.headers, accept },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: ms() }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? 'ERROR', error: err.message, ms: ms() }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? 'ERROR', error: err.message, ms: ms() }));
    req.end();
  });
}
