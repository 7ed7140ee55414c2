import { RequestDeadline, requestTimeout, setRequestDeadline, writeError, type HttpRequest, type HttpResponse } from '../endpoints/http.ts';

/** How long an answer given at the deadline (504, or a reset body) may take to leave. */
const UNDELIVERED_GRACE_MS = 5_000;

/**
 * The deadline of a non-long-running request, as kube-apiserver's timeout filter applies it:
 * after `ms` an unanswered request gets 504 Timeout (and its body, if still arriving, is refused:
 * the write is not applied); a response whose body has begun but not left — a client that stopped
 * reading, or an HTTP/2 flow-control window held at 0 — is reset, which frees its in-flight slot
 * and its buffered bytes. An answer that still has not left `UNDELIVERED_GRACE_MS` later is reset.
 */
export function armRequestDeadline(req: HttpRequest, res: HttpResponse, ms: number, log: (m: string) => void): void {
  const deadline = new RequestDeadline();
  setRequestDeadline(req, deadline);
  let finished = false;
  res.once('finish', () => { finished = true; });
  let grace: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    deadline.pass();
    if (finished) return;
    if (!res.headersSent) writeError(res, requestTimeout(), log);
    else res.destroy();
    grace = setTimeout(() => { if (!finished) res.destroy(); }, UNDELIVERED_GRACE_MS);
    grace.unref();
  }, ms);
  timer.unref();
  res.once('close', () => { clearTimeout(timer); clearTimeout(grace); });
}

/** How often a long-running response's progress is checked. */
const STALL_CHECK_MS = 5_000;

/**
 * Resets a long-running response (a watch) whose client has stopped reading: when bytes stay
 * buffered with no progress for `stallMs`, the stream is reset, so that its buffered events do
 * not grow without bound (kube-apiserver ends an unresponsive watcher the same way).
 */
export function resetWhenStalled(res: HttpResponse, stallMs: number): void {
  let stalledFor = 0;
  let lastBuffered = 0;
  const timer = setInterval(() => {
    const buffered = bufferedBytes(res);
    stalledFor = buffered > 0 && buffered >= lastBuffered ? stalledFor + STALL_CHECK_MS : 0;
    lastBuffered = buffered;
    if (stalledFor >= stallMs) res.destroy();
  }, Math.min(STALL_CHECK_MS, stallMs));
  timer.unref();
  res.once('close', () => clearInterval(timer));
}

/** Bytes written to `res` and not yet handed to the connection. */
function bufferedBytes(res: HttpResponse): number {
  const stream = (res as { stream?: { writableLength?: number } }).stream;
  if (stream) return stream.writableLength ?? 0;
  return (res as { writableLength?: number }).writableLength ?? 0;
}
