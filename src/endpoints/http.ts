import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { stringify as toYaml } from 'yaml';
import { badRequest, internalError, isStatusError, requestEntityTooLarge, StatusError } from '../errors/status-error.ts';
import { warningHeaderValues } from './warning-header.ts';
import { auditOf } from '../audit/context.ts';

/** A request as node:http or node:http2's compatibility API hands it over. */
export type HttpRequest = IncomingMessage | Http2ServerRequest;
/** A response of node:http or node:http2's compatibility API. */
export type HttpResponse = ServerResponse | Http2ServerResponse;

/**
 * Runs `fn` once `res` has closed (answer sent, or the client gone) — at once when it already
 * has, since a 'close' emitted before a listener is added never reaches it.
 */
export function onResponseClosed(res: HttpResponse, fn: () => void): void {
  const r = res as { closed?: boolean; stream?: { closed?: boolean } };
  if (r.closed === true || r.stream?.closed === true) fn();
  else res.once('close', fn);
}

/** kube-apiserver's limit on request bodies: 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * A request's deadline: passes once, and then tells its listeners. Not an AbortSignal: Node 20
 * gives each AbortSignal a hidden class of its own in the old generation, and every non-watch
 * request has a deadline.
 */
export class RequestDeadline {
  private hasPassed = false;
  private readonly listeners = new Set<() => void>();

  /** True once the deadline has passed. */
  get passed(): boolean {
    return this.hasPassed;
  }

  /** Calls `fn` when the deadline passes (not if it already has: check {@link passed}); returns its remover. */
  onPass(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Marks the deadline passed and calls the listeners, once. */
  pass(): void {
    if (this.hasPassed) return;
    this.hasPassed = true;
    for (const fn of [...this.listeners]) fn();
    this.listeners.clear();
  }
}

const deadlines = new WeakMap<object, RequestDeadline>();

/**
 * Ties `req` to its deadline: once it passes, {@link readBody} refuses the body, so a write whose
 * body arrives after the request was answered 504 is never applied.
 */
export function setRequestDeadline(req: HttpRequest, deadline: RequestDeadline): void {
  deadlines.set(req, deadline);
}

/** kube-apiserver's answer once a request's deadline has passed: 504 Timeout, Retry-After 1. */
export function requestTimeout(): StatusError {
  return new StatusError(504, 'Timeout', 'Timeout: request did not complete within the allotted timeout', { retryAfterSeconds: 1 });
}

/**
 * Reads the whole body; over `limit` bytes answers 413 RequestEntityTooLarge without buffering the
 * rest; past the request's deadline ({@link setRequestDeadline}) throws 504 Timeout instead of
 * answering a body.
 */
export async function readBody(req: HttpRequest, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw requestEntityTooLarge(limit);
  const deadline = deadlines.get(req);
  if (deadline?.passed) throw requestTimeout();
  if (req.readableEnded) return Buffer.alloc(0);
  const body = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err: unknown, value?: Buffer) => {
      req.off('data', onData); req.off('end', onEnd); req.off('error', onError); req.off('aborted', onAborted);
      removeDeadlineListener?.();
      if (err) { req.resume(); reject(err); } else resolve(value!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(requestEntityTooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(null, Buffer.concat(chunks));
    const onError = (err: Error) => finish(err);
    const onAborted = () => finish(badRequest('the client closed the connection before the request body was complete'));
    req.on('data', onData); req.once('end', onEnd); req.once('error', onError); req.once('aborted', onAborted);
    const removeDeadlineListener = deadline?.onPass(() => finish(requestTimeout()));
  });
  if (deadline?.passed) throw requestTimeout();
  auditOf(req)?.requestBody(body, req.headers['content-type']);
  return body;
}

const responseWarnings = new WeakMap<HttpResponse, string[]>();

/**
 * Adds a warning every answer to this request carries (a deprecated version's), ahead of the
 * handler's own: set as a header now (for streamed answers), merged by writeObject.
 */
export function addResponseWarning(res: HttpResponse, text: string): void {
  const texts = [...(responseWarnings.get(res) ?? []), text];
  responseWarnings.set(res, texts);
  if (!res.headersSent) res.setHeader('warning', warningHeaderValues(texts));
}

/**
 * An answer already encoded as JSON: `text` is exactly JSON.stringify of the value `decode()`
 * returns (decoded only when something needs the object, such as an audit event or YAML).
 */
export class EncodedJson {
  constructor(readonly text: string, readonly decode: () => unknown) {}
}

/**
 * Writes `body` as JSON (or YAML) with `status`; `warnings` become `Warning: 299 - "..."` headers
 * (escaped as kube-apiserver escapes them, see warningHeaderValues). Serializes before anything
 * is sent (an EncodedJson body is sent as it is); a response already answered (say 504 at the
 * deadline) is left alone, so nothing thrown here can turn a committed write into an error.
 */
export function writeObject(res: HttpResponse, status: number, body: unknown, opts: { yaml?: boolean; warnings?: string[]; headers?: Record<string, string> } = {}): void {
  const encoded = body instanceof EncodedJson ? body : undefined;
  const value = encoded ? () => encoded.decode() : () => body;
  const text = opts.yaml ? toYaml(value()) : encoded ? encoded.text : JSON.stringify(body);
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const headers: Record<string, string | string[]> = {
    'content-type': opts.yaml ? 'application/yaml' : 'application/json',
    'cache-control': 'no-cache, private',
    ...(opts.headers ?? {}),
  };
  const warnings = warningHeaderValues([...(responseWarnings.get(res) ?? []), ...(opts.warnings ?? [])]);
  if (warnings.length > 0) headers.warning = warnings;
  auditOf(res)?.responseObject(status, encoded ? value : body);
  // Encoded once here (the stream would encode it anyway) so that the length can be declared: a
  // proxy in front (kube-apiserver's aggregator) then forwards a body of known length.
  const payload = Buffer.from(opts.yaml ? text : text + '\n');
  headers['content-length'] = String(payload.length);
  res.writeHead(status, headers);
  res.end(payload);
}

/**
 * The one boundary where any error becomes a metav1.Status response. StatusErrors keep their
 * code and reason; anything else is logged with its stack server-side and answers a 500 whose
 * message names no internals. A response already ended (answered at its deadline) is left
 * alone; one whose body has begun cannot change its status, so its stream is reset instead.
 */
export function writeError(res: HttpResponse, err: unknown, log: (msg: string) => void = console.error): void {
  const status = toStatus(err, log);
  if (res.writableEnded) return;
  if (res.headersSent) { res.destroy(); return; }
  const headers: Record<string, string> = {};
  if (status.details?.retryAfterSeconds) headers['retry-after'] = String(status.details.retryAfterSeconds);
  writeObject(res, status.code, status.toStatus(), { headers });
}

function toStatus(err: unknown, log: (msg: string) => void): StatusError {
  if (isStatusError(err)) return err;
  if (err instanceof SyntaxError) return badRequest(err.message);
  log(`internal error: ${err instanceof Error ? err.stack : String(err)}`);
  return internalError('an unexpected error occurred; see the server log');
}
