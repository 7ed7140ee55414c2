/** A small HTTPS client for e2e tests that talk to servers directly with chosen credentials. */
import { request } from 'node:https';

/** What a direct call presents and sends. */
export interface DirectCallOptions {
  ca: string;
  cert?: string;
  key?: string;
  servername?: string;
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: unknown;
}

/** A direct call's outcome. */
export interface DirectResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
  /** The serving certificate's fingerprint (to tell which certificate was served). */
  peerFingerprint: string;
}

/** Calls `url` over HTTPS verifying the server against `ca`. */
export function directCall(url: string, opts: DirectCallOptions): Promise<DirectResponse> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string | string[]> = { accept: 'application/json', ...(opts.headers ?? {}) };
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = request(url, {
      method: opts.method ?? 'GET', ca: opts.ca, cert: opts.cert, key: opts.key, servername: opts.servername, headers, agent: false,
    }, (res) => {
      const chunks: Buffer[] = [];
      const fingerprint = (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.()?.fingerprint256 ?? '';
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed, peerFingerprint: fingerprint });
      });
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`timeout calling ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}
