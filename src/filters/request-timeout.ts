/**
 * The per-request `?timeout=` of kube-apiserver's WithRequestDeadline filter: a Go duration
 * (`30s`, `1m30s`, `500ms`) that shortens the server's request timeout for a non-long-running
 * request; 0, a negative value or one above the server's limit leaves the limit. A value that is
 * not a Go duration answers 400 BadRequest, worded as kube-apiserver words it.
 */
import { goQuote } from '../apimachinery/validation/go-format.ts';
import { badRequest } from '../errors/status-error.ts';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds. @throws Error with Go's message (`time: invalid duration "abc"`). */
export function parseGoDuration(text: string): number {
  const invalid = () => new Error(`time: invalid duration ${goQuote(text)}`);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s[0] === '-' ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [number, whole, fraction] = [m[0], m[1], m[2] ?? ''];
    if (whole === '' && fraction === '') throw invalid();
    s = s.slice(number.length);
    const unit = /^[^\d.]*/.exec(s)![0];
    if (unit === '') throw new Error(`time: missing unit in duration ${goQuote(text)}`);
    const scale = UNIT_MS[unit];
    if (scale === undefined) throw new Error(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(text)}`);
    s = s.slice(unit.length);
    total += Number(`${whole || '0'}.${fraction || '0'}`) * scale;
    if (total > 9_223_372_036_854.775) throw invalid();
  }
  return sign * total;
}

/**
 * The deadline of a non-long-running request in ms: the `timeout` query value when it is a
 * positive Go duration below `limitMs`, else `limitMs`.
 * @throws StatusError 400 `invalid timeout specified in the request URL - time: invalid duration "abc"`
 */
export function requestDeadlineMs(timeout: string | null, limitMs: number): number {
  if (timeout === null || timeout === '') return limitMs;
  let ms: number;
  try {
    ms = parseGoDuration(timeout);
  } catch (err) {
    throw badRequest(`invalid timeout specified in the request URL - ${(err as Error).message}`);
  }
  return ms > 0 && ms < limitMs ? ms : limitMs;
}
