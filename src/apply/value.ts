/**
 * JSON values as structured-merge-diff orders, compares and prints them (sigs.k8s.io/
 * structured-merge-diff/value): numbers (numerically), then strings (byte-wise, as Go's
 * strings.Compare), booleans, lists, maps, null.
 */
import { goFloat, isGoInt } from '../apimachinery/validation/go-format.ts';

/** A decoded JSON value (what unstructured objects hold). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** True for a JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Byte-wise comparison of the UTF-8 forms, as Go's strings.Compare. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order equals UTF-8 byte order except around surrogates; fall back to bytes then.
  if (/[\ud800-\udfff]/.test(a) || /[\ud800-\udfff]/.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}

function rank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (isObject(v)) return 4;
  return 5;
}

/** value.Compare: a total order over JSON values. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0: return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1: return compareStrings(a as string, b as string);
    case 2: return a === b ? 0 : a ? 1 : -1;
    case 3: return compareLists(a as unknown[], b as unknown[]);
    case 4: return compareMaps(a as Record<string, unknown>, b as Record<string, unknown>);
    default: return 0;
  }
}

function compareLists(a: unknown[], b: unknown[]): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
}

function compareMaps(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ka = Object.keys(a).sort(compareStrings);
  const kb = Object.keys(b).sort(compareStrings);
  for (let i = 0; ; i++) {
    if (i >= ka.length && i >= kb.length) return 0;
    if (i >= ka.length) return -1;
    if (i >= kb.length) return 1;
    const c = compareStrings(ka[i], kb[i]) || compareValues(a[ka[i]], b[kb[i]]);
    if (c !== 0) return c;
  }
}

/** Deep equality of JSON values (value.Equals); map key order does not matter. */
export function equalValues(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalValues(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const k of keys) if (!(k in b) || !equalValues(a[k], b[k])) return false;
    return true;
  }
  return false;
}

const HTML_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** JSON as Go's encoder writes it (HTML-safe escapes, map keys sorted), for `k:` and `v:` path elements. */
export function goJson(v: unknown): string {
  if (isObject(v)) {
    return `{${Object.keys(v).sort(compareStrings).map((k) => `${goJson(k)}:${goJson(v[k])}`).join(',')}}`;
  }
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (typeof v === 'string') return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c]);
  return JSON.stringify(v ?? null);
}

/** value.ToString: how conflict messages print a key or set value. */
export function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return isGoInt(v) ? String(v) : goFloat(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${valueToString(x)}`).join(';')}}`;
}
