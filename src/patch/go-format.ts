/**
 * Go `fmt` renderings of decoded JSON values, so error texts read exactly as upstream's
 * (`map: map[image:nginx] does not contain ...`). JSON integers are treated as Go int64
 * (apimachinery decodes them with PreserveInts), other numbers as float64.
 */

import { goFloat, goNumber, isGoInt } from '../apimachinery/validation/go-format.ts';

export { goFloat, goNumber };

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortedKeys(m: Record<string, unknown>): string[] {
  return Object.keys(m).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Go's `%v` of a decoded JSON value: `map[a:1 b:[x y]]`, `<nil>`, raw strings. */
export function goV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goV).join(' ')}]`;
  if (isMap(v)) return `map[${sortedKeys(v).map((k) => `${k}:${goV(v[k])}`).join(' ')}]`;
  return String(v);
}

/** Go's `%s` of a decoded JSON value: strings raw, anything else as `%!s(int64=5)` etc. */
export function goS(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(goS).join(' ')}]`;
  if (isMap(v)) return `map[${sortedKeys(v).map((k) => `${k}:${goS(v[k])}`).join(' ')}]`;
  return `%!s(${goTypeName(v)}=${goV(v)})`;
}

/** `reflect.TypeOf(v).String()` for a decoded JSON value; `%!s(<nil>)` for null, as `%s` prints it. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isGoInt(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}
