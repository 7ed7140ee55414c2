import { badRequest } from '../errors/status-error.ts';

const ORIGIN = 'https://localhost';

/**
 * The URL of a request target (origin form `/path?query`, or absolute form `https://host/path`,
 * whose path and query alone count, as Go's server reads them). Anything else — a malformed
 * absolute URL, `*`, a bare word — answers 400 BadRequest before authentication, naming at most
 * the first 64 characters of the target.
 */
export function parseRequestTarget(target: string | undefined): URL {
  const raw = target ?? '/';
  try {
    if (raw.startsWith('/')) return new URL(ORIGIN + raw);
    if (/^https?:\/\//i.test(raw)) {
      const absolute = new URL(raw);
      return new URL(ORIGIN + absolute.pathname + absolute.search);
    }
  } catch { /* answered below */ }
  throw badRequest(`malformed request target ${JSON.stringify(raw.length > 64 ? `${raw.slice(0, 64)}...` : raw)}`);
}
