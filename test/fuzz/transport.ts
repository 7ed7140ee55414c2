/** Sends fuzz requests to a server over HTTP/1.1, HTTP/2 or raw bytes, with client-certificate credentials. */
import { Agent, request as httpsRequest } from 'node:https';
import { connect as http2Connect, constants, type ClientHttp2Session } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import type { FuzzRequest } from './requests.ts';

/** How the client authenticates and trusts the server. */
export interface Credentials {
  ca: string;
  cert: string;
  key: string;
}

/** What became of one request: a status (with the start of the body of an answer ≥ 500), a connection-level error (named), or no answer in time. */
export type Outcome = { status: number; body?: string } | { error: string } | { hang: true };

/** How much of an answer ≥ 500 is kept to identify it. */
const KEPT_BODY_CHARS = 300;

/** Collects the start of a body, for answers ≥ 500 only. */
function bodyKeeper(): { add(status: number, chunk: Buffer | string): void; outcome(status: number): { status: number; body?: string } } {
  let kept = '';
  return {
    add: (status, chunk) => { if (status >= 500 && kept.length < KEPT_BODY_CHARS) kept += String(chunk).slice(0, KEPT_BODY_CHARS - kept.length); },
    outcome: (status) => (status >= 500 ? { status, body: kept } : { status }),
  };
}

/** Longest wait for an answer before a request counts as a hang. */
export const HANG_MS = 30_000;
/** A body still streaming after this long (a watch) is dropped by the client; its status counts. */
const STREAM_CAP_MS = 1_000;

/** A reusable connection to one server over one protocol. */
export interface Transport {
  send(req: FuzzRequest): Promise<Outcome>;
  close(): void;
}

/** HTTP/1.1 over TLS connections (at most `sockets` at once), kept alive between requests unless `keepAlive` is false. */
export function http1Transport(url: string, creds: Credentials, sockets = 8, keepAlive = true): Transport {
  const agent = new Agent({ keepAlive, maxSockets: sockets, ...creds });
  const { hostname, port } = new URL(url);
  return {
    send: (req) => new Promise((resolve) => {
      let settled = false;
      const done = (o: Outcome) => { if (!settled) { settled = true; clearTimeout(timer); resolve(o); } };
      const timer = setTimeout(() => { done({ hang: true }); r.destroy(); }, HANG_MS);
      let r: ReturnType<typeof httpsRequest>;
      try {
        r = httpsRequest({ agent, hostname, port, method: req.method, path: req.path, headers: req.headers }, (res) => {
          clearTimeout(timer);
          const body = bodyKeeper();
          const answered = () => done(body.outcome(res.statusCode!));
          setTimeout(() => { if (!res.complete) { answered(); r.destroy(); } }, STREAM_CAP_MS).unref();
          res.on('data', (chunk: Buffer) => body.add(res.statusCode!, chunk));
          res.on('end', answered);
          res.on('error', answered);
          res.on('aborted', answered);
        });
      } catch (err) {
        clearTimeout(timer);
        resolve({ error: `client refused: ${(err as NodeJS.ErrnoException).code ?? 'error'}` });
        return;
      }
      r.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
      r.on('connect', (res) => { done({ status: res.statusCode! }); r.destroy(); });
      r.on('close', () => done({ error: 'connection closed without an answer' }));
      r.end(req.body);
    }),
    close: () => agent.destroy(),
  };
}

/** HTTP/2 over one TLS session, reconnected when the server closes it. */
export function http2Transport(url: string, creds: Credentials): Transport {
  let session: ClientHttp2Session | undefined;
  const open = () => {
    if (!session || session.closed || session.destroyed) {
      session = http2Connect(url, creds);
      session.on('error', () => undefined);
    }
    return session;
  };
  return {
    send: (req) => new Promise((resolve) => {
      let settled = false;
      const done = (o: Outcome) => { if (!settled) { settled = true; clearTimeout(timer); resolve(o); } };
      let status = 0;
      let stream: ReturnType<ClientHttp2Session['request']>;
      const timer = setTimeout(() => { done({ hang: true }); stream?.close(constants.NGHTTP2_CANCEL); }, HANG_MS);
      try {
        stream = open().request({ ':method': req.method, ':path': req.path, ...lowerCase(req.headers) }, { endStream: req.body === undefined });
      } catch (err) {
        clearTimeout(timer);
        resolve({ error: `client refused: ${(err as NodeJS.ErrnoException).code ?? 'error'}` });
        return;
      }
      const body = bodyKeeper();
      stream.on('response', (h) => {
        status = Number(h[':status']);
        clearTimeout(timer);
        setTimeout(() => { if (!stream.closed) { done(body.outcome(status)); stream.close(constants.NGHTTP2_CANCEL); } }, STREAM_CAP_MS).unref();
      });
      stream.on('data', (chunk: Buffer) => body.add(status, chunk));
      stream.on('end', () => done(status ? body.outcome(status) : { error: 'stream ended without headers' }));
      stream.on('close', () => done(status ? body.outcome(status) : { error: `RST_STREAM ${stream.rstCode}` }));
      stream.on('error', (err: NodeJS.ErrnoException) => done(status ? body.outcome(status) : { error: err.code === 'ERR_HTTP2_STREAM_ERROR' ? `RST_STREAM ${stream.rstCode}` : err.code ?? err.message }));
      if (req.body !== undefined) stream.end(req.body);
    }),
    close: () => session?.close(),
  };
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** One request written as raw HTTP/1.1 bytes on a fresh TLS connection (`Connection: close`). */
export function sendRaw(url: string, creds: Credentials, req: FuzzRequest): Promise<Outcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let text = '';
    let settled = false;
    const done = (o: Outcome) => { if (!settled) { settled = true; clearTimeout(timer); socket.destroy(); resolve(o); } };
    const socket = tlsConnect({ host: hostname, port: Number(port), servername: 'localhost', ALPNProtocols: ['http/1.1'], ...creds }, () => {
      socket.write(`${req.method} ${req.path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(req.body ?? '')}\r\n\r\n${req.body ?? ''}`);
    });
    const timer = setTimeout(() => done({ hang: true }), HANG_MS);
    socket.on('data', (d) => { text += d; });
    socket.on('end', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const status = Number(m?.[1]);
      done(m ? (status >= 500 ? { status, body: text.slice(text.indexOf('\r\n\r\n') + 4).slice(0, KEPT_BODY_CHARS) } : { status }) : { error: 'connection closed without an answer' });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
  });
}
