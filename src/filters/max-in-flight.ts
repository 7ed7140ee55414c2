import { tooManyRequests } from '../errors/status-error.ts';
import type { RequestInfo } from '../endpoints/request-info.ts';

/** Limits of concurrent requests (kube-apiserver: --max-requests-inflight 400, --max-mutating-requests-inflight 200). */
export interface InFlightLimits {
  readOnly: number;
  mutating: number;
}

const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** True for requests that stay open (watches): they are not counted against the limits. */
export function isLongRunning(info: RequestInfo): boolean {
  return info.verb === 'watch';
}

/**
 * Counts requests in flight, separately for read-only and mutating ones. `acquire` answers a
 * release function, or throws 429 TooManyRequests (Retry-After 1) when the limit is reached.
 */
export class InFlightLimiter {
  private readonly limits: InFlightLimits;
  readonly current = { readOnly: 0, mutating: 0 };

  constructor(limits: InFlightLimits) {
    this.limits = limits;
  }

  /** Takes a slot for `info`; the returned function gives it back (idempotent). */
  acquire(info: RequestInfo): () => void {
    if (isLongRunning(info)) return () => undefined;
    const kind = MUTATING.has(info.verb) ? 'mutating' : 'readOnly';
    if (this.current[kind] >= this.limits[kind]) throw tooManyRequests('Too many requests, please try again later.', 1);
    this.current[kind]++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.current[kind]--;
    };
  }
}
