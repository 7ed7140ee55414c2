/**
 * JSON-pointer resolution with the semantics of gopkg.in/evanphx/json-patch.v4, the library
 * kube-apiserver applies RFC 6902 patches with: negative array indices count from the end,
 * indices are parsed like Go's strconv.Atoi (`+1`, `007` accepted), and every failure is
 * worded as that library words it. Internal to src/patch.
 */
import jsonpatch from 'fast-json-patch';
import { goQuote } from '../apimachinery/selectors/validation.ts';
import { getOwn, hasOwn } from './json-value.ts';

const { escapePathComponent } = jsonpatch;

/** A container a pointer's parent resolved to, with its canonical pointer (indices normalised). */
export type Container =
  | { kind: 'doc'; pointer: string; obj: Record<string, unknown> }
  | { kind: 'ary'; pointer: string; arr: unknown[] };

/** The parent container of a pointer and its decoded last token. */
export interface Target {
  con: Container;
  key: string;
}

/** Thrown for container-level failures; the caller wraps the text in its operation's message. */
export class TargetError extends Error {}

const ERR_INVALID_INDEX = 'invalid index referenced';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 6901 unescaping as the Go library does it (~1 then ~0, left to right). */
function decodeToken(token: string): string {
  return token.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

/** Go's strconv.Atoi; throws the Go error text. */
function atoi(s: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new TargetError(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n < -(2n ** 63n) || n >= 2n ** 63n) throw new TargetError(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  return n;
}

function invalidIndex(idx: bigint): TargetError {
  return new TargetError(`Unable to access invalid index: ${idx}: ${ERR_INVALID_INDEX}`);
}

/** Resolves an existing-element index (negative counts from the end). */
function existingIndex(arr: unknown[], key: string, checkUpper: boolean): number {
  let idx = atoi(key);
  const len = BigInt(arr.length);
  if (checkUpper && idx >= len) throw invalidIndex(idx);
  if (idx < 0n) {
    if (idx < -len) throw invalidIndex(idx);
    idx += len;
  }
  if (idx >= len) throw invalidIndex(idx);
  return Number(idx);
}

function child(con: Container, token: string): Container | undefined {
  let value: unknown;
  let canonical = token;
  if (con.kind === 'doc') {
    value = getOwn(con.obj, token);
  } else {
    try {
      const idx = existingIndex(con.arr, token, false);
      value = con.arr[idx];
      canonical = String(idx);
    } catch {
      return undefined;
    }
  }
  const pointer = `${con.pointer}/${escapePathComponent(canonical)}`;
  if (Array.isArray(value)) return { kind: 'ary', pointer, arr: value };
  if (isObject(value)) return { kind: 'doc', pointer, obj: value };
  return undefined;
}

/** The library's findObject: the parent container of `path`, or undefined ("doc is missing path"). */
export function findTarget(root: Container, path: string): Target | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let con: Container | undefined = root;
  for (const part of split.slice(1, -1)) {
    con = child(con, decodeToken(part));
    if (con === undefined) return undefined;
  }
  return { con, key: decodeToken(split[split.length - 1]) };
}

/** The value at `key` (undefined when absent); throws for a bad array index. */
export function getAt(t: Target): unknown {
  return t.con.kind === 'doc' ? getOwn(t.con.obj, t.key) : t.con.arr[existingIndex(t.con.arr, t.key, false)];
}

/** The canonical pointer for removing or replacing `key`; throws like the library's remove/set. */
export function existingPointer(t: Target, forRemove: boolean): string {
  if (t.con.kind === 'doc') {
    if (forRemove && !hasOwn(t.con.obj, t.key)) {
      throw new TargetError(`Unable to remove nonexistent key: ${t.key}: missing value`);
    }
    return `${t.con.pointer}/${escapePathComponent(t.key)}`;
  }
  return `${t.con.pointer}/${existingIndex(t.con.arr, t.key, forRemove)}`;
}

/** The canonical pointer for adding at `key` (`-` appends); throws like the library's add. */
export function insertPointer(t: Target): string {
  if (t.con.kind === 'doc') return `${t.con.pointer}/${escapePathComponent(t.key)}`;
  if (t.key === '-') return `${t.con.pointer}/${t.con.arr.length}`;
  let idx: bigint;
  try {
    idx = atoi(t.key);
  } catch (err) {
    throw new TargetError(`value was not a proper array index: '${t.key}': ${(err as Error).message}`);
  }
  const size = BigInt(t.con.arr.length + 1);
  if (idx >= size) throw invalidIndex(idx);
  if (idx < 0n) {
    if (idx < -size) throw invalidIndex(idx);
    idx += size;
  }
  return `${t.con.pointer}/${idx}`;
}
