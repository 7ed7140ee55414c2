import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { stringify as toYaml } from 'yaml';
import { badRequest, internalError, isStatusError, requestEntityTooLarge, StatusError } from '../errors/status-error.ts';

/** A request as node:http or node:http2's compatibility API hands it over. */
export type HttpRequest = IncomingMessage | Http2ServerRequest;
/** A response of node:http or node:http2's compatibility API. */
export type HttpResponse = ServerResponse | Http2ServerResponse;

/** kube-apiserver's limit on request bodies: 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the whole body; over `limit` bytes answers 413 RequestEntityTooLarge without buffering the rest. */
export async function readBody(req: HttpRequest, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw requestEntityTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw requestEntityTooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Writes `body` as JSON (or YAML) with `status`; `warnings` become `Warning: 299 - "..."` headers. */
export function writeObject(res: HttpResponse, status: number, body: unknown, opts: { yaml?: boolean; warnings?: string[]; headers?: Record<string, string> } = {}): void {
  const text = opts.yaml ? toYaml(body) : JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'content-type': opts.yaml ? 'application/yaml' : 'application/json',
    'cache-control': 'no-cache, private',
    ...(opts.headers ?? {}),
  };
  if (opts.warnings?.length) headers.warning = opts.warnings.map(warningHeader);
  res.writeHead(status, headers);
  res.end(text + (opts.yaml ? '' : '\n'));
}

/** Formats one warning as RFC 7234 `299 - "text"`, the way kube-apiserver sends them. */
export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text.replace(/[\r\n]+/g, ' '))}`;
}

/**
 * The one boundary where any error becomes a metav1.Status response. StatusErrors keep their
 * code and reason; anything else is logged with its stack server-side and answers a 500 whose
 * message names no internals.
 */
export function writeError(res: HttpResponse, err: unknown, log: (msg: string) => void = console.error): void {
  const status = toStatus(err, log);
  if (res.headersSent) { res.destroy?.(); return; }
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
