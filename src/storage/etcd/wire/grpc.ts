import http2 from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';

/**
 * A minimal gRPC client over node:http2, for etcd's API: unary calls and bidirectional
 * streams with protobuf bodies encoded by the caller, one HTTP/2 connection per endpoint
 * (opened on first use, reopened after it breaks), TLS with a given CA and client certificate,
 * keepalive pings. No compression, no name resolution beyond the URL, no retries (the caller
 * retries; see EtcdClient).
 */

/** gRPC status codes the etcd storage tells apart. */
export const GrpcStatus = {
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

const STATUS_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL',
  'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/** A failed call: its gRPC status code and the server's (or the transport's) message. */
export class GrpcError extends Error {
  /**
   * @param code the gRPC status code
   * @param details the status message (etcd's error string, e.g. `etcdserver: no leader`)
   * @param notSent true when the request certainly never reached the server (no connection)
   */
  constructor(readonly code: number, readonly details: string, readonly notSent = false) {
    super(`${code} ${STATUS_NAMES[code] ?? 'UNKNOWN'}: ${details}`);
    this.name = 'GrpcError';
  }
}

/** Where the channel connects: client URLs (all http or all https) and the TLS material for https. */
export interface GrpcChannelOptions {
  endpoints: string[];
  tls?: { caPem?: string; certPem?: string; keyPem?: string };
  /** Interval of keepalive pings on a connection; a ping unanswered for `keepaliveTimeoutMs` drops it. */
  keepaliveMs?: number;
  keepaliveTimeoutMs?: number;
}

/** One open bidirectional stream: messages are written and read as encoded protobuf bodies. */
export interface GrpcStream {
  /** Sends one message; throws when the stream is closed. */
  write(message: Buffer): void;
  /** Stops reading (HTTP/2 flow control then holds the server back) / starts again. */
  pause(): void;
  resume(): void;
  /** Cancels the stream (RST_STREAM CANCEL); its onEnd is not called afterwards. */
  cancel(): void;
}

/** What a stream reports: each message received, then once its end (an error unless the server ended with OK). */
export interface GrpcStreamHandlers {
  onMessage(message: Buffer): void;
  onEnd(err: GrpcError | undefined): void;
}

const FRAME_HEADER = 5;
const SESSION_OPTIONS = { maxSessionMemory: 256 };

/** A gRPC message frame: uncompressed flag, 4-byte big-endian length, the message. */
function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, FRAME_HEADER);
  return out;
}

/** Splits received bytes into gRPC messages, across chunk boundaries (exported for its test). */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** The length of the message being received, once its header is in. */
  private messageLength: number | undefined;

  /**
   * Adds `chunk` and returns the messages now complete; throws on a compressed message. The
   * chunks of a message are joined once, when it is complete (a range of 100,000 objects
   * arrives in thousands of chunks: joining on every chunk would copy it thousands of times).
   */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.messageLength === undefined) {
        if (this.pendingBytes < FRAME_HEADER) return out;
        const head = this.pending[0].length >= FRAME_HEADER ? this.pending[0] : this.join();
        if (head[0] !== 0) throw new GrpcError(GrpcStatus.INTERNAL, 'compressed gRPC message received but none was asked for');
        this.messageLength = head.readUInt32BE(1);
      }
      const end = FRAME_HEADER + this.messageLength;
      if (this.pendingBytes < end) return out;
      const whole = this.join();
      out.push(whole.subarray(FRAME_HEADER, end));
      const rest = whole.subarray(end);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      this.messageLength = undefined;
    }
  }

  private join(): Buffer {
    const whole = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [whole];
    return whole;
  }

  /** True when bytes of an incomplete message remain. */
  hasPartial(): boolean {
    return this.pendingBytes > 0;
  }
}

/** The gRPC status of response headers or trailers, if they carry one. */
function statusOf(headers: IncomingHttpHeaders): GrpcError | null | undefined {
  const raw = headers['grpc-status'];
  if (raw === undefined) {
    const http = Number(headers[':status'] ?? 200);
    if (http === 200) return undefined;
    const code = http === 502 || http === 503 || http === 504 ? GrpcStatus.UNAVAILABLE : GrpcStatus.UNKNOWN;
    return new GrpcError(code, `HTTP status ${http} from the server`);
  }
  const code = Number(raw);
  if (code === 0) return null;
  return new GrpcError(code, decodeMessage(headers['grpc-message']));
}

function decodeMessage(raw: string | string[] | undefined): string {
  const text = Array.isArray(raw) ? raw.join(',') : raw ?? '';
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** One endpoint's connection, opened on demand and replaced once it closes or is told to go away. */
class Endpoint {
  private session: ClientHttp2Session | undefined;
  private readonly connected = new WeakSet<ClientHttp2Session>();

  constructor(private readonly url: string, private readonly opts: GrpcChannelOptions) {}

  /** The open connection, or a new one (connecting). */
  get(): ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const { tls } = this.opts;
    const session = http2.connect(this.url, { ...SESSION_OPTIONS, ca: tls?.caPem, cert: tls?.certPem, key: tls?.keyPem });
    this.session = session;
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    session.on('connect', () => {
      this.connected.add(session);
    });
    session.on('error', forget); // each stream reports the failure itself
    session.on('goaway', forget);
    session.on('close', forget);
    this.keepAlive(session);
    return session;
  }

  /** True once `session` completed its handshake (a request on it may have reached the server). */
  wasConnected(session: ClientHttp2Session): boolean {
    return this.connected.has(session);
  }

  /** Closes the connection; its open streams end with an error. */
  close(): void {
    this.session?.destroy();
    this.session = undefined;
  }

  private keepAlive(session: ClientHttp2Session): void {
    const every = this.opts.keepaliveMs ?? 30_000;
    const timeout = this.opts.keepaliveTimeoutMs ?? 10_000;
    const timer = setInterval(() => {
      if (!this.connected.has(session)) return;
      const dead = setTimeout(() => session.destroy(), timeout).unref();
      try {
        session.ping((err) => {
          clearTimeout(dead);
          if (err) session.destroy();
        });
      } catch {
        clearTimeout(dead);
      }
    }, every).unref();
    session.on('close', () => clearInterval(timer));
  }
}

/** Request headers of a call to `path`; a unary call carries its deadline as `grpc-timeout`. */
function requestHeaders(path: string, timeoutMs?: number): http2.OutgoingHttpHeaders {
  const headers: http2.OutgoingHttpHeaders = {
    ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers',
  };
  if (timeoutMs !== undefined) headers['grpc-timeout'] = `${timeoutMs}m`;
  return headers;
}

/** The client side of gRPC over a set of endpoints; each call picks one at random. */
export class GrpcChannel {
  private readonly endpoints: Endpoint[];
  private closed = false;

  constructor(opts: GrpcChannelOptions) {
    if (opts.endpoints.length === 0) throw new Error('a gRPC channel needs at least one endpoint');
    this.endpoints = opts.endpoints.map((url) => new Endpoint(url, opts));
  }

  /** Calls the unary method `path` with `message`; resolves with the response message or rejects with a GrpcError. */
  unary(path: string, message: Buffer, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const started = this.start(path, Math.max(1, Math.round(timeoutMs)));
      if (started instanceof GrpcError) {
        reject(started);
        return;
      }
      const { stream, endpoint, session } = started;
      const reader = new FrameReader();
      let reply: Buffer | undefined;
      let status: GrpcError | null | undefined;
      let failure: GrpcError | undefined;
      const timer = setTimeout(() => {
        failure = new GrpcError(GrpcStatus.DEADLINE_EXCEEDED, `Deadline exceeded after ${timeoutMs} ms`);
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }, timeoutMs);
      stream.on('response', (headers) => {
        status ??= statusOf(headers);
      });
      stream.on('trailers', (headers) => {
        status ??= statusOf(headers) ?? null;
      });
      stream.on('data', (chunk: Buffer) => {
        try {
          reply ??= reader.push(chunk)[0];
        } catch (err) {
          failure ??= err as GrpcError;
          stream.close(http2.constants.NGHTTP2_CANCEL);
        }
      });
      stream.on('error', (err) => {
        failure ??= transportError(err, !endpoint.wasConnected(session));
      });
      stream.on('close', () => {
        clearTimeout(timer);
        if (status === null && reply) resolve(reply);
        else if (status === null && !failure) reject(new GrpcError(GrpcStatus.INTERNAL, 'the server answered OK without a message'));
        else reject(failure ?? status ?? new GrpcError(GrpcStatus.UNAVAILABLE, 'Connection dropped'));
      });
      stream.end(frame(message));
    });
  }

  /** Opens a bidirectional stream to `path`, or returns the GrpcError that prevented it. */
  stream(path: string, handlers: GrpcStreamHandlers): GrpcStream | GrpcError {
    const started = this.start(path);
    if (started instanceof GrpcError) return started;
    const { stream, endpoint, session } = started;
    const reader = new FrameReader();
    let status: GrpcError | null | undefined;
    let failure: GrpcError | undefined;
    let cancelled = false;
    stream.on('response', (headers) => {
      status ??= statusOf(headers);
    });
    stream.on('trailers', (headers) => {
      status ??= statusOf(headers) ?? null;
    });
    stream.on('data', (chunk: Buffer) => {
      if (cancelled) return;
      let messages: Buffer[];
      try {
        messages = reader.push(chunk);
      } catch (err) {
        failure ??= err as GrpcError;
        stream.close(http2.constants.NGHTTP2_CANCEL);
        return;
      }
      for (const m of messages) if (!cancelled) handlers.onMessage(m);
    });
    stream.on('error', (err) => {
      failure ??= transportError(err, !endpoint.wasConnected(session));
    });
    stream.on('close', () => {
      if (cancelled) return;
      cancelled = true;
      handlers.onEnd(failure ?? status ?? (reader.hasPartial() || status === undefined
        ? new GrpcError(GrpcStatus.UNAVAILABLE, 'Connection dropped') : undefined));
    });
    return {
      write: (message) => {
        if (stream.closed || stream.destroyed) throw new GrpcError(GrpcStatus.UNAVAILABLE, 'stream closed');
        stream.write(frame(message));
      },
      pause: () => stream.pause(),
      resume: () => stream.resume(),
      cancel: () => {
        cancelled = true;
        if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
      },
    };
  }

  /** Closes every connection; later calls fail with CANCELLED. */
  close(): void {
    this.closed = true;
    for (const e of this.endpoints) e.close();
  }

  private start(path: string, timeoutMs?: number):
    { stream: ClientHttp2Stream; endpoint: Endpoint; session: ClientHttp2Session } | GrpcError {
    if (this.closed) return new GrpcError(GrpcStatus.CANCELLED, 'the etcd client is closed', true);
    const endpoint = this.endpoints[Math.floor(Math.random() * this.endpoints.length)];
    try {
      const session = endpoint.get();
      return { stream: session.request(requestHeaders(path, timeoutMs)), endpoint, session };
    } catch (err) {
      return transportError(err, true);
    }
  }
}

/** The GrpcError of a connection failure; `notSent` when no connection had been established. */
function transportError(err: unknown, notSent: boolean): GrpcError {
  const why = err instanceof Error ? err.message : String(err);
  return notSent
    ? new GrpcError(GrpcStatus.UNAVAILABLE, `No connection established. Last error: ${why}`, true)
    : new GrpcError(GrpcStatus.UNAVAILABLE, `Connection dropped: ${why}`);
}
