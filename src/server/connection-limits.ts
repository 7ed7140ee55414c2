import type { Server as HttpServer } from 'node:http';
import type { Http2SecureServer, Http2Session, ServerHttp2Stream } from 'node:http2';
import type { TLSSocket } from 'node:tls';

/**
 * Connection limits of kube-apiserver's secure serving (k8s.io/apiserver v0.36.3
 * pkg/server/secure_serving.go, checked against the source): 90 s idle timeout (http.Server and
 * http2.Server IdleTimeout), 32 s to read a request's headers (ReadHeaderTimeout; also the TLS
 * handshake, which Go bounds by the same read deadline), 100 concurrent streams per HTTP/2
 * connection (its default when --http2-max-streams-per-connection is 0, as for an extension server).
 */
export const CONNECTION_LIMITS = {
  idleTimeoutMs: 90_000,
  readHeaderTimeoutMs: 32_000,
  maxConcurrentStreams: 100,
};

/**
 * HTTP/2 settings of the same source: frames and each stream's upload buffer (its flow-control
 * window) of 256 KiB ("at least 99% of serialized resources ... were smaller than 256kb"), and
 * request headers up to MaxHeaderBytes (1 MiB).
 */
export const HTTP2_SETTINGS = {
  maxFrameSize: 256 * 1024,
  initialWindowSize: 256 * 1024,
  maxHeaderListSize: 1 << 20,
} as const;

/** The connection limits of one server; tests shorten them. */
export type ConnectionLimits = typeof CONNECTION_LIMITS;

/**
 * Applies `limits` to a server (HTTP/1.1 and, for a secure server, HTTP/2): an HTTP/1.1
 * connection must send its headers within `readHeaderTimeoutMs` and is closed after
 * `idleTimeoutMs` between requests (a TLS connection that never starts a request is closed after
 * `readHeaderTimeoutMs`, as Go's read deadline does); an HTTP/2 connection with no open stream — idle, or still
 * trickling its preface or first headers — is sent GOAWAY after `idleTimeoutMs` (as Go's http2
 * server does) and destroyed if it lingers. Call before listen.
 */
export function applyConnectionLimits(server: HttpServer | Http2SecureServer, limits: ConnectionLimits): void {
  const http1 = server as HttpServer & { connectionsCheckingInterval?: number };
  http1.headersTimeout = limits.readHeaderTimeoutMs;
  http1.requestTimeout = Math.max(http1.requestTimeout ?? 0, limits.readHeaderTimeoutMs + 1);
  http1.keepAliveTimeout = limits.idleTimeoutMs;
  http1.connectionsCheckingInterval = Math.min(5_000, limits.readHeaderTimeoutMs);
  server.on('session', (session: Http2Session) => closeWhenIdle(session, limits.idleTimeoutMs));
  const served = new WeakSet<object>();
  server.on('request', (req: { socket?: object; httpVersionMajor?: number }) => { if (req.httpVersionMajor === 1 && req.socket) served.add(req.socket); });
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.alpnProtocol === 'h2') return;
    const timer = setTimeout(() => { if (!served.has(socket)) socket.destroy(); }, limits.readHeaderTimeoutMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}

function closeWhenIdle(session: Http2Session, idleMs: number): void {
  let open = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    timer = setTimeout(() => {
      // Decided after this turn's I/O: when the event loop was blocked past the deadline, a
      // request already waiting on the socket is read first, and the connection is not idle.
      setImmediate(() => {
        if (open > 0 || session.closed || session.destroyed) return;
        session.close();
        setTimeout(() => { if (!session.destroyed) session.destroy(); }, 1_000).unref();
      });
    }, idleMs);
    timer.unref();
  };
  session.on('stream', (stream: ServerHttp2Stream) => {
    open++;
    clearTimeout(timer);
    stream.once('close', () => { if (--open === 0 && !session.closed) arm(); });
  });
  session.once('close', () => clearTimeout(timer));
  arm();
}
