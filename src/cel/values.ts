/**
 * JSON ↔ CEL values for @marcbachmann/cel-js: integers are `bigint` (CEL int), other numbers
 * `number` (CEL double), objects maps, arrays lists. A schema decides a number's CEL type as
 * Kubernetes' UnstructuredToVal does (`type: number` → double even for `1`).
 */
import { Optional } from '@marcbachmann/cel-js';
import type { SchemaNode } from '../resource/schema/node.ts';

/** The part of a schema node that decides CEL types of a JSON value. */
type TypedNode = Pick<SchemaNode, 'types' | 'properties' | 'additional' | 'items'>;

function numberToCel(n: number, node: TypedNode | null): number | bigint {
  if (node !== null && node.types.length === 1 && node.types[0] === 'number') return n;
  return Number.isInteger(n) ? BigInt(n) : n;
}

/**
 * Converts a decoded JSON value to the CEL value a rule sees, typed by `node` (null: schemaless,
 * integers become ints). Object keys are copied into fresh objects, so rules cannot reach the
 * caller's objects or their prototypes.
 */
export function toCelValue(value: unknown, node: TypedNode | null = null): unknown {
  if (typeof value === 'number') return numberToCel(value, node);
  if (Array.isArray(value)) return value.map((v) => toCelValue(v, node?.items ?? null));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const child = node?.properties?.get(k) ?? node?.additional ?? null;
      out[k] = toCelValue(v, child);
    }
    return out;
  }
  return value;
}

/** A CEL value back to JSON (ints to numbers, optionals unwrapped or null). */
export function fromCelValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Optional) return value.hasValue() ? fromCelValue(value.value()) : null;
  if (Array.isArray(value)) return value.map(fromCelValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), fromCelValue(v)]));
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    if (typeof (value as { valueOf(): unknown }).valueOf() === 'bigint') return Number((value as { valueOf(): bigint }).valueOf());
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromCelValue(v)]));
  }
  return value;
}

function goFloatText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  return String(n).replace(/e\+?(-?)(\d)$/, 'e$1$2');
}

/** cel-go's `string(x)` / `%s` rendering of a value. */
export function celToString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return goFloatText(v);
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v)) return `[${v.map(celToString).join(', ')}]`;
  if (typeof v === 'object' && typeof (v as { valueOf(): unknown }).valueOf() === 'bigint') return String((v as { valueOf(): bigint }).valueOf());
  if (typeof v === 'object') {
    const entries = v instanceof Map ? [...v] : Object.entries(v as object);
    return `{${entries.map(([k, x]) => `${celToString(k)}: ${celToString(x)}`).join(', ')}}`;
  }
  return String(v);
}

function numeric(v: unknown): number | bigint | undefined {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && typeof (v as { valueOf(): unknown }).valueOf() === 'bigint') return (v as { valueOf(): bigint }).valueOf();
  return undefined;
}

/** CEL's ordering of two values of comparable types (numbers across int/uint/double, strings, bools). */
export function celCompare(a: unknown, b: unknown): number {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new Error('no such overload');
}

/** CEL's heterogeneous equality (numbers compare by value across int/uint/double; lists and maps deeply). */
export function celEquals(a: unknown, b: unknown): boolean {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined || y !== undefined) return x !== undefined && y !== undefined && x == y;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => celEquals(v, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ea = a instanceof Map ? [...a] : Object.entries(a);
    const mb = b instanceof Map ? b : new Map(Object.entries(b));
    return ea.length === mb.size && ea.every(([k, v]) => mb.has(k) && celEquals(v, mb.get(k)));
  }
  return a === b;
}
