import type { KubeObject } from '../apimachinery/types.ts';

/**
 * How backends hold objects: one JSON string per stored version, without
 * `metadata.resourceVersion` (that is the version's revision, set on the way out). Encoding a
 * write costs one JSON.stringify; every read costs exactly one JSON.parse, which is also the
 * copy that keeps callers from sharing state with the store.
 */

/** The stored form of `obj`: JSON without metadata.resourceVersion. Does not modify `obj`. */
export function encodeObject(obj: KubeObject): string {
  return JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } });
}

/** A fresh object from its stored form, with metadata.resourceVersion = String(`revision`). */
export function decodeObject(value: string, revision: number): KubeObject {
  const obj = JSON.parse(value) as KubeObject;
  if (typeof obj.metadata !== 'object' || obj.metadata === null) obj.metadata = {};
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

/**
 * True when the encoded update `next` has the same content as the stored `current`. Byte-equal
 * JSON is the fast path; equal-length JSON that differs only in key order is also treated as
 * equal (resourceVersion is absent from both, so it is ignored).
 */
export function sameContent(next: string, current: string): boolean {
  if (next === current) return true;
  if (next.length !== current.length || !sameCharacters(next, current)) return false;
  return jsonEqual(JSON.parse(next), JSON.parse(current));
}

/**
 * A necessary condition for two encodings to differ only in key order: the same characters in
 * any order (compared by two sums over their char codes). An update that changes a value, as
 * most do, fails it in one pass, without parsing both objects.
 */
function sameCharacters(a: string, b: string): boolean {
  let sumA = 0;
  let sumB = 0;
  let squaresA = 0;
  let squaresB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    sumA += x;
    sumB += y;
    squaresA += x * x;
    squaresB += y * y;
  }
  return sumA === sumB && squaresA === squaresB;
}

/** Structural equality of two JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  return keys.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}
