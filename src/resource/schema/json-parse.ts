/**
 * JSON request-body parsing for fieldValidation: the value (via the native JSON.parse), the
 * duplicate fields kube-apiserver's strict decoder reports (`spec.foo`, `items[0].name`), and
 * Go-worded syntax errors for malformed bodies.
 */
import { findJsonSyntaxError } from './json-syntax.ts';

/** At most this many strict decoding errors are collected, as sigs.k8s.io/json does. */
export const MAX_STRICT_ERRORS = 100;

/** A body that is not valid JSON; `message` is Go's (e.g. `unexpected end of JSON input`). */
export class JsonParseError extends Error {
  /** UTF-16 offset in the text where the problem was found. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'JsonParseError';
    this.offset = offset;
  }
}

/** The result of {@link parseJsonDetectingDuplicates}. */
export interface ParsedJson {
  value: unknown;
  /** Paths of keys repeated within one object, in document order, each once (at most 100). */
  duplicateFields: string[];
}

interface Frame {
  isObject: boolean;
  parent: Frame | null;
  /** How the parent reaches this container: a key, `[i]`, or '' at the top. */
  segment: string;
  keys: Set<string> | null;
  currentKey: string;
  index: number;
  expectKey: boolean;
}

function pathOf(frame: Frame | null): string {
  const segments: string[] = [];
  for (let f = frame; f !== null && f.parent !== null; f = f.parent) segments.push(f.segment);
  let path = '';
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i];
    path = seg.charCodeAt(0) === 0x5b || path === '' ? path + seg : `${path}.${seg}`;
  }
  return path;
}

/** End index (exclusive) of the string literal starting at `start` (a `"`). */
function stringEnd(text: string, start: number): number {
  let j = start + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0) return text.length;
    let backslashes = 0;
    for (let k = q - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

function readKey(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : raw;
}

function segmentFor(top: Frame | null): string {
  if (top === null) return '';
  return top.isObject ? top.currentKey : `[${top.index}]`;
}

function onKey(top: Frame, key: string, found: string[], seen: Set<string>): void {
  top.keys ??= new Set();
  if (top.keys.has(key)) {
    const parent = pathOf(top);
    const path = parent === '' ? key : `${parent}.${key}`;
    if (!seen.has(path) && found.length < MAX_STRICT_ERRORS) { seen.add(path); found.push(path); }
  } else {
    top.keys.add(key);
  }
  top.currentKey = key;
  top.expectKey = false;
}

/**
 * Paths of duplicate object keys in `text`, which must be valid JSON (call after JSON.parse
 * succeeded). Path syntax is sigs.k8s.io/json's: `a.b`, `a[0].b`, `[1].x` for a top-level array.
 */
export function findDuplicateFields(text: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  let top: Frame | null = null;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      top = { isObject: c === 0x7b, parent: top, segment: segmentFor(top), keys: null, currentKey: '', index: 0, expectKey: c === 0x7b };
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      top = top === null ? null : top.parent;
      i++;
    } else if (c === 0x2c) {
      if (top !== null) { if (top.isObject) top.expectKey = true; else top.index++; }
      i++;
    } else if (c === 0x22) {
      const end = stringEnd(text, i);
      if (top !== null && top.isObject && top.expectKey) onKey(top, readKey(text, i, end), found, seen);
      i = end;
    } else {
      i++;
    }
  }
  return found;
}

/**
 * Parses a JSON body. With `detectDuplicates` (default true; pass false for
 * fieldValidation=Ignore, where the extra scan — linear, a few ms per MB — buys nothing) also
 * returns the duplicate fields. Throws {@link JsonParseError} with Go's message when the text
 * is not valid JSON.
 * @example parseJsonDetectingDuplicates('{"spec":{"a":1,"a":2}}') // → { value: { spec: { a: 2 } }, duplicateFields: ['spec.a'] }
 */
export function parseJsonDetectingDuplicates(text: string, opts: { detectDuplicates?: boolean } = {}): ParsedJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const err = findJsonSyntaxError(text);
    throw new JsonParseError(err?.message ?? 'invalid JSON', err?.offset ?? 0);
  }
  const duplicateFields = opts.detectDuplicates === false ? [] : findDuplicateFields(text);
  return { value, duplicateFields };
}
