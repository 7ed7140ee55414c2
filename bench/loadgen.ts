/**
 * A closed-loop HTTP/2 load generator (node:http2, TLS with a client certificate): `concurrency`
 * workers spread over `sessions` connections each send a request, wait for the whole answer,
 * and send the next, for `durationMs` after `warmupMs`. Latencies are recorded per request.
 */
import { connect, constants, type ClientHttp2Session } from 'node:http2';

/** TLS credentials and the server's base URL. */
export interface Endpoint {
  base: string;
  ca: string;
  cert: string;
  key: string;
}

/** One request to send. */
export interface LoadRequest {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

/** What a run measures. */
export interface LoadSpec {
  endpoint: Endpoint;
  concurrency: number;
  sessions: number;
  durationMs: number;
  warmupMs: number;
  /** The next request of worker `w` (its `i`-th). */
  next(w: number, i: number): LoadRequest;
  /** Called with each 2xx body when `wantBody` is set (e.g. to carry a resourceVersion forward). */
  onBody?(w: number, body: string): void;
  wantBody?: boolean;
}

/** A run's outcome. */
export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  /** A sample of failure statuses/messages. */
  failures: string[];
}

/** Opens `n` HTTP/2 sessions to the endpoint. */
export async function openSessions(ep: Endpoint, n: number): Promise<ClientHttp2Session[]> {
  const sessions = await Promise.all(Array.from({ length: n }, () => new Promise<ClientHttp2Session>((resolve, reject) => {
    const s = connect(ep.base, { ca: ep.ca, cert: ep.cert, key: ep.key, peerMaxConcurrentStreams: 2000 });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  })));
  for (const s of sessions) s.on('error', () => undefined);
  return sessions;
}

/** Sends one request on `session`; resolves with status and (optionally) the body. */
export function send(session: ClientHttp2Session, req: LoadRequest, wantBody: boolean): Promise<{ status: number; body: string }> {
  if (session.destroyed || session.closed) return Promise.reject(new Error('the HTTP/2 session was closed by the server'));
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      [constants.HTTP2_HEADER_METHOD]: req.method, [constants.HTTP2_HEADER_PATH]: req.path, accept: 'application/json',
    };
    if (req.body !== undefined) headers['content-type'] = req.contentType ?? 'application/json';
    const stream = session.request(headers, { endStream: req.body === undefined });
    let status = 0;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => { status = Number(h[constants.HTTP2_HEADER_STATUS]); });
    stream.on('data', (c: Buffer) => { if (wantBody || status >= 300) chunks.push(c); });
    stream.on('end', () => resolve({ status, body: chunks.length ? Buffer.concat(chunks).toString('utf8') : '' }));
    stream.on('error', reject);
    if (req.body !== undefined) stream.end(req.body);
  });
}

/** Runs the closed loop and returns throughput and latency percentiles of the measured window. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const sessions = await openSessions(spec.endpoint, spec.sessions);
  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const end = measureFrom + spec.durationMs;
  const latencies: number[] = [];
  let errors = 0;
  const failures: string[] = [];
  const worker = async (w: number) => {
    for (let i = 0; performance.now() < end; i++) {
      const t0 = performance.now();
      try {
        const res = await send(sessions[w % sessions.length], spec.next(w, i), !!spec.wantBody);
        const t1 = performance.now();
        if (res.status >= 300) {
          errors++;
          if (failures.length < 5) failures.push(`${res.status} ${res.body.slice(0, 200)}`);
        } else if (spec.onBody) spec.onBody(w, res.body);
        if (t0 >= measureFrom && t1 <= end) latencies.push(t1 - t0);
      } catch (err) {
        errors++;
        if (failures.length < 5) failures.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, (_, w) => worker(w)));
  for (const s of sessions) s.close();
  return summarize(latencies, errors, failures, spec.durationMs);
}

function summarize(latencies: number[], errors: number, failures: string[], durationMs: number): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN;
  return { requests: sorted.length, errors, rps: sorted.length / (durationMs / 1000), p50: pct(0.5), p99: pct(0.99), mean, failures };
}

/** Sends `total` requests from `next` with `concurrency` in flight (seeding); throws on the first failure. */
export async function pump(endpoint: Endpoint, total: number, concurrency: number, next: (i: number) => LoadRequest): Promise<void> {
  const sessions = await openSessions(endpoint, 4);
  let i = 0;
  const worker = async (w: number) => {
    while (i < total) {
      const n = i++;
      const res = await send(sessions[w % sessions.length], next(n), false);
      if (res.status >= 300) throw new Error(`seeding request ${n}: ${res.status} ${res.body.slice(0, 300)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  } finally {
    for (const s of sessions) s.close();
  }
}
