import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2Session } from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ApiHandler, notFoundPath } from '../endpoints/api-handler.ts';
import { onResponseClosed, writeError, writeObject, type HttpRequest, type HttpResponse } from '../endpoints/http.ts';
import { RequestEnd } from '../endpoints/request-end.ts';
import { armRequestDeadline, resetWhenStalled } from '../filters/deadline.ts';
import { versionInfo } from './version-info.ts';
import { requestDeadlineMs } from '../filters/request-timeout.ts';
import { applyConnectionLimits, CONNECTION_LIMITS, HTTP2_SETTINGS, type ConnectionLimits } from './connection-limits.ts';
import { parseRequestTarget } from './request-target.ts';
import { parseRequestInfo, type RequestInfo } from '../endpoints/request-info.ts';
import { forbidden, StatusError, unauthorized } from '../errors/status-error.ts';
import type { Resource, UserInfo } from '../resource/define-resource.ts';
import type { Storage } from '../storage/interface.ts';
import { stripIdentityHeaders } from '../auth/request-header.ts';
import { withAuthenticatedGroup, type Authenticator, type Authorizer } from '../auth/types.ts';
import { serveHealth, type HealthCheck } from './health.ts';
import { forbiddenMessage } from '../auth/forbidden-message.ts';
import { OpenApiHandler } from '../endpoints/openapi/handler.ts';
import { InFlightLimiter, isLongRunning, type InFlightLimits } from '../filters/max-in-flight.ts';
import { ServerMetrics } from '../filters/metrics.ts';
import type { AdmissionPlugin } from '../admission/types.ts';
import { buildApiResources } from '../registry/api-resources.ts';
import { GenericStore } from '../registry/store.ts';
import { auditOf, type Auditor } from '../audit/index.ts';

/** TLS material for serving, read by the caller (see server/tls-files.ts for files that reload). */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** CAs whose client certificates the TLS layer asks for (client CA + front-proxy CA). */
  clientCAs?: string;
}

/** How much a server accepts at once and how long it waits: the kube-apiserver flags of the same names. */
export interface ServingLimits {
  /** Concurrent non-watch requests (default 400 read-only, 200 mutating); beyond: 429. */
  maxInFlight?: InFlightLimits;
  /**
   * Deadline of non-watch requests (default 60 s); beyond: 504 Timeout, or the stream reset when
   * its body has begun (a client that stopped reading); a watch whose client stops reading is
   * reset after the same time.
   */
  requestTimeoutMs?: number;
  /** Idle, header and HTTP/2 stream limits per connection (default: kube-apiserver's, CONNECTION_LIMITS). */
  connectionLimits?: Partial<ConnectionLimits>;
  /**
   * Offer HTTP/2 in TLS (ALPN h2, then http/1.1; the default). `false`: HTTP/1.1 only — for a
   * server that drains while other replicas serve: kube-aggregator's proxy cannot replay a request
   * body an HTTP/2 GOAWAY refused (kubernetes/kubernetes#135285), whereas each HTTP/1.1 response of
   * a draining server closes its connection, so the proxy's next request opens one elsewhere.
   */
  http2?: boolean;
}

/** Options of createApiServer. */
export interface ApiServerOptions extends ServingLimits {
  resources: Resource[];
  storage: Storage;
  /** TLS; omit only for in-process tests (plain HTTP, loopback only). */
  tls?: TlsMaterial | (() => TlsMaterial);
  /** Tried in order; the first non-null identity wins. */
  authenticators: Authenticator[];
  authorizer: Authorizer;
  /**
   * When no authenticator knows the caller: anonymous everywhere (true), nowhere (false: 401), or
   * only on the always-allowed paths (the default, so that probes need no credentials).
   */
  allowAnonymous?: boolean | 'always-allowed-paths';
  /** Paths served without authorization (health by default). */
  alwaysAllowPaths?: string[];
  readyChecks?: HealthCheck[];
  /** Server-wide admission plugins (e.g. NamespaceLifecycle), after each resource's own hooks. */
  admission?: AdmissionPlugin[];
  /** Records requests as its audit policy says (see src/audit); none when omitted. */
  audit?: Auditor;
  /** Fields of `/version` (version.Info) to stamp over extapi's defaults, e.g. gitVersion, gitCommit, buildDate. */
  version?: Record<string, string>;
  log?: (msg: string) => void;
}

/** A running (or ready to run) extension API server. */
export interface ApiServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  close(): Promise<void>;
  /** Marks the server as draining: /readyz fails, new requests still served until close. */
  drain(): void;
}

/** The abort reason of a finished request: one shared value, so no DOMException is built per request. */
const REQUEST_ENDED = new Error('request ended');

const ALWAYS_ALLOW = ['/healthz', '/livez', '/readyz', '/healthz/*', '/livez/*', '/readyz/*'];

/**
 * Creates the HTTPS (HTTP/2 + HTTP/1.1) server: request info → authentication → authorization →
 * health/version/discovery/resources, with one error boundary answering metav1.Status.
 * @example
 * const server = createApiServer({ resources: [flunders], storage, tls, authenticators, authorizer });
 * await server.listen(8443, '127.0.0.1');
 */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const built = buildApiResources(options.resources, options.storage, options.admission);
  const apiResources = built.resources;
  const api = new ApiHandler(apiResources);
  const openapi = new OpenApiHandler(apiResources);
  const log = options.log ?? ((m: string) => console.error(m));
  const limiter = new InFlightLimiter(options.maxInFlight ?? { readOnly: 400, mutating: 200 });
  const metrics = new ServerMetrics({
    inflight: () => limiter.current,
    storageObjects: async () => Object.fromEntries(await Promise.all(apiResources.flatMap(({ rest }) => (rest instanceof GenericStore ? [rest] : []))
      .map(async (st) => [`${st.resource.plural}.${st.resource.group}`, await st.count()] as const))),
  });
  let draining = false;
  const readyChecks: HealthCheck[] = [
    { name: 'ping', check: () => undefined },
    ...(options.readyChecks ?? []),
    { name: 'shutdown', check: () => { if (draining) throw new Error('server is shutting down'); } },
  ];
  // One context for every request: copying the options per request cost about 3 KB each, which
  // V8 moved to the old generation under load and only a full collection freed.
  let context: ServeContext | undefined;
  const handler = (req: HttpRequest, res: HttpResponse) => {
    // draining: an HTTP/1.1 client is told to open its next request elsewhere (no keep-alive race at close)
    if (draining) closeAfterResponse(req, res);
    context ??= { ...options, api, openapi, readyChecks, log, limiter, metrics, shutdown: shutdown.signal };
    void serve(req, res, context).catch((err) => writeError(res, err, log));
  };
  const limits = { ...CONNECTION_LIMITS, ...options.connectionLimits };
  const server = options.tls ? makeTlsServer(options.tls, handler, limits, options.http2 ?? true) : createHttpServer(handler);
  applyConnectionLimits(server, limits);
  const shutdown = new AbortController();
  // Every request in flight whose end signal was asked for (watches) listens on it: no fixed bound.
  setMaxListeners(0, shutdown.signal);
  const sessions = new Set<Http2Session>();
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    trackOpenStreams(session);
  });
  return {
    listen: (port, host) => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server.address() as AddressInfo));
    }),
    close: async () => { built.close(); await closeGracefully(server, shutdown, sessions); await options.audit?.shutdown(); },
    drain: () => { draining = true; },
  };
}

/**
 * Marks an HTTP/1.1 response `Connection: close`: its client sends its next request on another
 * connection, and never on this one while the server closes it. (HTTP/2 has no per-response
 * equivalent: only a GOAWAY, which races the streams the client is opening.)
 */
function closeAfterResponse(req: HttpRequest, res: HttpResponse): void {
  if (req.httpVersionMajor === 1 && !res.headersSent) res.setHeader('connection', 'close');
}

const OPEN_STREAMS = Symbol('openStreams');
type CountedSession = Http2Session & { [OPEN_STREAMS]?: number };

/** Counts the streams of an HTTP/2 session that are still open ({@link goAwayWhenIdle}). */
function trackOpenStreams(session: CountedSession): void {
  session[OPEN_STREAMS] = 0;
  session.on('stream', (stream) => {
    session[OPEN_STREAMS] = (session[OPEN_STREAMS] ?? 0) + 1;
    stream.once('close', () => { session[OPEN_STREAMS] = (session[OPEN_STREAMS] ?? 1) - 1; });
  });
}

/**
 * Sends the session's GOAWAY at a moment it has no open stream, or after `maxWaitMs` anyway. A
 * stream the client opens while the GOAWAY is on its way is refused (Node's nghttp2 sends only
 * GOAWAYs with the last processed stream id and ignores later streams; it has no two-step
 * "shutdown notice"), and a client such as kube-aggregator's proxy cannot replay a refused
 * request's body: the race is narrowed here, not closed — servers that drain while others serve
 * run HTTP/1.1 only (`http2: false`).
 */
function goAwayWhenIdle(session: CountedSession, maxWaitMs: number): void {
  const deadline = Date.now() + maxWaitMs;
  const poll = (): void => {
    if (session.closed || session.destroyed) return;
    if ((session[OPEN_STREAMS] ?? 0) === 0 || Date.now() >= deadline) { session.close(); return; }
    setTimeout(poll, 2).unref();
  };
  poll();
}

/**
 * Stops accepting connections, ends watches (their streams close cleanly), lets in-flight
 * requests finish (HTTP/2 sessions get a GOAWAY once idle), and after `graceMs` closes what is left.
 */
function closeGracefully(server: HttpServer | HttpsServer | Http2SecureServer, shutdown: AbortController, sessions: Set<Http2Session>, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    shutdown.abort();
    const idle = setInterval(() => (server as HttpServer).closeIdleConnections?.(), 50);
    server.close(() => { clearInterval(idle); resolve(); });
    for (const session of sessions) goAwayWhenIdle(session, graceMs / 2);
    (server as HttpServer).closeIdleConnections?.();
    const timer = setTimeout(() => {
      clearInterval(idle);
      (server as HttpServer).closeAllConnections?.();
      for (const session of sessions) session.destroy();
      resolve();
    }, graceMs);
    timer.unref();
  });
}

function makeTlsServer(tls: TlsMaterial | (() => TlsMaterial), handler: (req: HttpRequest, res: HttpResponse) => void, limits: ConnectionLimits, http2: boolean): Http2SecureServer | HttpsServer {
  const material = typeof tls === 'function' ? tls() : tls;
  const common = {
    cert: material.cert, key: material.key, ca: material.clientCAs,
    requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2', handshakeTimeout: limits.readHeaderTimeoutMs,
  } as const;
  const server: Http2SecureServer | HttpsServer = http2
    ? createSecureServer({ ...common, allowHTTP1: true, settings: { ...HTTP2_SETTINGS, maxConcurrentStreams: limits.maxConcurrentStreams } }, handler)
    : createHttpsServer({ ...common, ALPNProtocols: ['http/1.1'] }, handler);
  if (typeof tls === 'function') {
    let last = material;
    server.on('secureConnection', () => undefined);
    const refresh = () => {
      const next = tls();
      if (next.cert !== last.cert || next.key !== last.key || next.clientCAs !== last.clientCAs) {
        server.setSecureContext({ cert: next.cert, key: next.key, ca: next.clientCAs });
        last = next;
      }
    };
    const timer = setInterval(() => { try { refresh(); } catch { /* keep serving the last good pair */ } }, 1000);
    timer.unref();
    server.on('close', () => clearInterval(timer));
  }
  return server;
}

interface ServeContext extends ApiServerOptions {
  api: ApiHandler;
  openapi: OpenApiHandler;
  limiter: InFlightLimiter;
  metrics: ServerMetrics;
  /** Aborts when the server closes: watches end cleanly. */
  shutdown: AbortSignal;
  readyChecks: HealthCheck[];
  log: (msg: string) => void;
}

async function serve(req: HttpRequest, res: HttpResponse, ctx: ServeContext): Promise<void> {
  const started = performance.now();
  const timeoutMs = ctx.requestTimeoutMs ?? 60_000;
  const url = parseRequestTarget(req.url);
  const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
  res.once('close', () => ctx.metrics.observe(info, res.statusCode, (performance.now() - started) / 1000));
  // Registered before the first await: a client can close the connection while the request is
  // authenticated, and a 'close' already emitted would never reach a listener added later (the
  // request, its socket and its shutdown listener would then be kept for the server's lifetime).
  const ended = new RequestEnd(ctx.shutdown, REQUEST_ENDED);
  res.once('close', () => ended.end());
  const longRunning = isLongRunning(info) || ctx.api.isConnect(info);
  // a watch ends when the server drains: its HTTP/1.1 connection must not then wait idle in the
  // client's keep-alive pool, where the server closing it would race the client's next request
  if (info.verb === 'watch') closeAfterResponse(req, res);
  if (!longRunning) armRequestDeadline(req, res, requestDeadlineMs(url.searchParams.get('timeout'), timeoutMs), ctx.log);
  else resetWhenStalled(res, timeoutMs);
  const alwaysAllowed = isAlwaysAllowed(url.pathname, ctx.alwaysAllowPaths ?? ALWAYS_ALLOW);
  const user = await authenticate(req, ctx, alwaysAllowed).catch((err: unknown) => {
    ctx.audit?.failedAuthentication(req, res, info);
    throw err;
  });
  stripIdentityHeaders(req);
  ctx.audit?.begin(req, res, info, user, longRunning);
  if (!alwaysAllowed) await authorize(user, info, ctx, res);
  if (!isHealthPath(url.pathname) && !longRunning) onResponseClosed(res, ctx.limiter.acquire(info));
  if (longRunning) trackLongRunning(ended.signal, info, ctx.metrics);
  if (await serveNonResource(req, res, url, ctx)) return;
  if (ctx.api.owns(info)) return ctx.api.handle(req, res, info, url.searchParams, user, ended);
  throw notFoundPath();
}

const HEALTH_PATH = /^\/(healthz|livez|readyz)(?:\/([^/]+))?$/;

/**
 * Health probes never wait for, nor take, an in-flight slot: kube-apiserver's "probes" FlowSchema
 * puts /healthz, /livez and /readyz at the exempt priority level.
 */
function isHealthPath(path: string): boolean {
  return HEALTH_PATH.test(path);
}

/** Runs `fn` once the request has ended (`ended` aborted), at once if it already has. */
function whenEnded(ended: AbortSignal, fn: () => void): void {
  if (ended.aborted) fn();
  else ended.addEventListener('abort', fn, { once: true });
}

function trackLongRunning(ended: AbortSignal, info: RequestInfo, metrics: ServerMetrics): void {
  const running = { verb: info.verb === 'watch' ? 'WATCH' : 'CONNECT', group: info.apiGroup, version: info.apiVersion, resource: info.resource, subresource: info.subresource, scope: info.name ? 'resource' : info.namespace ? 'namespace' : 'cluster', component: 'apiserver' };
  metrics.longRunning.inc(running);
  whenEnded(ended, () => metrics.longRunning.dec(running));
  if (info.verb !== 'watch') return;
  const labels = { group: info.apiGroup, version: info.apiVersion, kind: info.resource };
  metrics.watchers.inc(labels);
  whenEnded(ended, () => metrics.watchers.dec(labels));
}

async function authenticate(req: HttpRequest, ctx: ServeContext, alwaysAllowed: boolean): Promise<UserInfo> {
  for (const authenticator of ctx.authenticators) {
    const user = await authenticator.authenticate(req);
    if (user) return withAuthenticatedGroup(user);
  }
  const anonymous = ctx.allowAnonymous ?? 'always-allowed-paths';
  if (anonymous === true || (anonymous === 'always-allowed-paths' && alwaysAllowed)) {
    return { username: 'system:anonymous', groups: ['system:unauthenticated'] };
  }
  throw unauthorized();
}

async function authorize(user: UserInfo, info: RequestInfo, ctx: ServeContext, res: HttpResponse): Promise<void> {
  const result = await ctx.authorizer.authorize({ user, info });
  auditOf(res)?.annotate('authorization.k8s.io/decision', result.decision === 'Allow' ? 'allow' : 'forbid');
  auditOf(res)?.annotate('authorization.k8s.io/reason', result.reason ?? '');
  if (result.decision === 'Allow') return;
  const message = forbiddenMessage(user, info, result.reason);
  if (info.isResourceRequest) throw forbidden({ group: info.apiGroup, resource: info.resource }, info.name, message);
  throw new StatusError(403, 'Forbidden', `forbidden: ${message}`, {});
}

function isAlwaysAllowed(path: string, patterns: string[]): boolean {
  return patterns.some((p) => (p.endsWith('/*') ? path.startsWith(p.slice(0, -1)) : path === p));
}

async function serveNonResource(req: HttpRequest, res: HttpResponse, url: URL, ctx: ServeContext): Promise<boolean> {
  const path = url.pathname;
  const health = HEALTH_PATH.exec(path);
  if (health) {
    const checks = health[1] === 'readyz' || health[1] === 'healthz' ? ctx.readyChecks : ctx.readyChecks.filter((c) => c.name === 'ping');
    const served = await serveHealth(res, health[1], checks, health[2], url.searchParams.has('verbose'), url.searchParams.getAll('exclude'));
    if (!served) throw notFoundPath();
    return true;
  }
  if (path.startsWith('/openapi/')) {
    if (ctx.openapi.serve(req, res, path)) return true;
    throw notFoundPath();
  }
  if (path === '/metrics') {
    const text = await ctx.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType });
    res.end(text);
    return true;
  }
  if (path === '/version') {
    writeObject(res, 200, versionInfo(ctx.version));
    return true;
  }
  return false;
}
