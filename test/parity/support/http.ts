/** HTTPS calls with chosen credentials, including streamed watches, for the parity suite and the benchmarks. */
import { Agent, request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

/** One request. `body` is sent as JSON unless it is a string. */
export interface HttpRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** One answer, parsed as JSON when it is JSON. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: any;
}

/** A streamed watch: events arrive in `events` until `close()` or the server ends the stream. */
export interface WatchStream {
  readonly status: Promise<number>;
  readonly events: any[];
  /** Resolves once `n` events have arrived (or rejects after `timeoutMs`). */
  until(n: number, timeoutMs?: number): Promise<any[]>;
  close(): void;
}

/** A server and the credentials to call it with. */
export interface HttpsTarget {
  readonly base: string;
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
  /** TLS server name, when the certificate does not name the host of `base`. */
  readonly servername?: string;
  request(req: HttpRequest): Promise<HttpResponse>;
  watch(path: string, headers?: Record<string, string>): WatchStream;
  /** Closes the kept-alive connections. */
  close(): void;
}

/** Builds an {@link HttpsTarget} with a keep-alive agent. */
export function httpsTarget(base: string, creds: { ca: string; cert?: string; key?: string; servername?: string }): HttpsTarget {
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: creds.ca, cert: creds.cert, key: creds.key, servername: creds.servername });
  const target: HttpsTarget = {
    base, ...creds,
    request: (req) => send(agent, base, req),
    watch: (path, headers) => openWatch(agent, base, path, headers ?? {}),
    close: () => agent.destroy(),
  };
  return target;
}

function send(agent: Agent, base: string, req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) };
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const r = request(base + req.path, { method: req.method ?? 'GET', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
      res.on('error', reject);
    });
    r.setTimeout(30_000, () => r.destroy(new Error(`timeout: ${req.method ?? 'GET'} ${base}${req.path}`)));
    r.on('error', reject);
    r.end(body);
  });
}

function openWatch(agent: Agent, base: string, path: string, headers: Record<string, string>): WatchStream {
  const events: any[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  let resolveStatus!: (s: number) => void;
  const status = new Promise<number>((r) => { resolveStatus = r; });
  const r = request(base + path, { agent: false, ca: agent.options.ca, cert: agent.options.cert, key: agent.options.key, servername: agent.options.servername, headers: { accept: 'application/json', ...headers } }, (res) => {
    resolveStatus(res.statusCode ?? 0);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) events.push(JSON.parse(line));
      }
      for (const w of waiters.splice(0)) w();
    });
    res.on('error', () => undefined);
  });
  r.on('error', () => resolveStatus(0));
  r.end();
  const until = async (n: number, timeoutMs = 10_000): Promise<any[]> => {
    const deadline = Date.now() + timeoutMs;
    while (events.length < n) {
      if (Date.now() > deadline) throw new Error(`watch ${path}: ${events.length} of ${n} events after ${timeoutMs} ms`);
      await new Promise<void>((res) => { waiters.push(res); setTimeout(res, 50); });
    }
    return events.slice(0, n);
  };
  return { status, events, until, close: () => r.destroy() };
}

/** Polls `check` every `everyMs` until it returns true; throws `what` after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
