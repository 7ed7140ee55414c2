import type { Server as HttpServer } from 'node:http';
import type { Http2SecureServer, Http2Session, ServerHttp2Stream } from 'node:http2';
import type { TLSSocket } from 'node:tls';

/**
 * Connection limits of kube-apiserver's secure serving (k8s.io/apiserver secure_serving.go):
 * 90 s idle timeout, 32 s to read a request's headers (and the TLS handshake, which Go bounds by
 * the same timeout), 100 concurrent streams per HTTP/2 connection.
 */
export const CONNECTION_LIMITS = {
  idleTimeoutMs: 90_000,
  readHeaderTimeoutMs: 32_000,
  maxConcurrentStreams: 100,
};

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
      if (session.closed || session.destroyed) return;
      session.close();
      setTimeout(() => { if (!session.destroyed) session.destroy(); }, 1_000).unref();
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
