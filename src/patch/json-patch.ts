/**
 * RFC 6902 JSON Patch (`application/json-patch+json`) as kube-apiserver applies it: with the
 * semantics and error texts of gopkg.in/evanphx/json-patch.v4, fast-json-patch doing the
 * edits. Failures are {@link PatchError}s: 400 for an undecodable patch, 413 for too many
 * operations, 422 for any operation that does not apply (upstream then answers the generic
 * "the server rejected our request due to an error in our request").
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { PatchError } from './errors.ts';
import { TargetError, existingPointer, findTarget, getAt, insertPointer } from './json-pointer-target.ts';
import type { Container, Target } from './json-pointer-target.ts';

const { applyOperation, deepClone, _areEquals } = jsonpatch;

/** kube-apiserver's limit on operations in one JSON patch (413 beyond it). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;
/** kube-apiserver's default --json-patch-max-copy-bytes (total bytes `copy` operations may add). */
export const DEFAULT_JSON_PATCH_MAX_COPY_BYTES = 3 * 1024 * 1024;

/** Limits for {@link applyJsonPatch}; defaults are kube-apiserver's. */
export interface JsonPatchOptions {
  maxOperations?: number;
  /** Bytes `copy` operations may add in total; 0 or less disables the check. */
  maxCopyBytes?: number;
}

/** One decoded operation: a JSON object (fields unchecked) or null, as the Go decoder yields. */
export type RawJsonPatchOperation = Record<string, unknown> | null;

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/**
 * Checks a parsed JSON Patch document's shape as Go's decoder does (`null` is an empty patch).
 * @throws PatchError 400 `json: cannot unmarshal object into Go value of type jsonpatch.Patch`,
 *   413 when it has more than `maxOperations` operations.
 */
export function decodeJsonPatch(patch: unknown, maxOperations = MAX_JSON_PATCH_OPERATIONS): RawJsonPatchOperation[] {
  if (patch === null) return [];
  if (!Array.isArray(patch)) throw new PatchError(400, `json: cannot unmarshal ${jsonKind(patch)} into Go value of type jsonpatch.Patch`);
  const bad = patch.find((op) => op !== null && jsonKind(op) !== 'object');
  if (bad !== undefined) throw new PatchError(400, `json: cannot unmarshal ${jsonKind(bad)} into Go value of type jsonpatch.Operation`);
  if (patch.length > maxOperations) {
    throw new PatchError(413, `The allowed maximum operations in a JSON patch is ${maxOperations}, got ${patch.length}`);
  }
  return patch as RawJsonPatchOperation[];
}

/** Reads a string field as the Go library does; throws the Go text when absent or not a string. */
function stringField(op: Record<string, unknown>, name: 'path' | 'from'): string {
  const v = op[name];
  if (v === undefined || v === null) {
    throw new TargetError(name === 'path' ? 'operation missing path field: missing value' : 'operation, missing from field: missing value');
  }
  if (typeof v !== 'string') throw new TargetError(`json: cannot unmarshal ${jsonKind(v)} into Go value of type string`);
  return v;
}

/** Reads `path` for add/remove/copy, whose decode failures the library always words the same way. */
function pathOr(op: Record<string, unknown>, failure: string): string {
  try {
    return stringField(op, 'path');
  } catch {
    throw new TargetError(failure);
  }
}

/** Runs `fn`, prefixing a TargetError's text; other errors pass through. */
function wrap<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TargetError) throw new TargetError(`${prefix}${err.message}`);
    throw err;
  }
}

/** The op's value; an absent value behaves as null, as in the Go library. */
function valueOf(op: Record<string, unknown>): unknown {
  return op.value === undefined ? null : op.value;
}

class Applier {
  private copied = 0;
  constructor(public doc: unknown, private readonly maxCopyBytes: number) {}

  private root(): Container {
    return Array.isArray(this.doc) ? { kind: 'ary', pointer: '', arr: this.doc }
      : { kind: 'doc', pointer: '', obj: this.doc as Record<string, unknown> };
  }

  private edit(operation: Operation): void {
    this.doc = applyOperation(this.doc, operation, false, true).newDocument;
  }

  private target(path: string, missing: string): Target {
    const t = findTarget(this.root(), path);
    if (t === undefined) throw new TargetError(`${missing}: missing value`);
    return t;
  }

  apply(op: RawJsonPatchOperation): void {
    const kind = op !== null && typeof op.op === 'string' ? op.op : 'unknown';
    if (op === null) throw new TargetError(`Unexpected kind: ${kind}`);
    switch (kind) {
      case 'add': return this.add(op);
      case 'remove': return this.remove(op);
      case 'replace': return this.replace(op);
      case 'move': return this.move(op);
      case 'test': return this.test(op);
      case 'copy': return this.copy(op);
      default: throw new TargetError(`Unexpected kind: ${kind}`);
    }
  }

  private add(op: Record<string, unknown>): void {
    const path = pathOr(op, 'add operation failed to decode path: missing value');
    const t = this.target(path, `add operation does not apply: doc is missing path: "${path}"`);
    const pointer = wrap(`error in add for path: '${path}': `, () => insertPointer(t));
    this.edit({ op: 'add', path: pointer, value: deepClone(valueOf(op)) });
  }

  private remove(op: Record<string, unknown>): void {
    const path = pathOr(op, 'remove operation failed to decode path: missing value');
    const t = this.target(path, `remove operation does not apply: doc is missing path: "${path}"`);
    const pointer = wrap(`error in remove for path: '${path}': `, () => existingPointer(t, true));
    this.edit({ op: 'remove', path: pointer });
  }

  private replace(op: Record<string, unknown>): void {
    const path = wrap('replace operation failed to decode path: ', () => stringField(op, 'path'));
    const value = valueOf(op);
    if (path === '') {
      if (typeof value !== 'object' || value === null) throw new TargetError('replace operation value must be object or array: %!w(<nil>)');
      this.doc = deepClone(value);
      return;
    }
    const t = this.target(path, `replace operation does not apply: doc is missing path: ${path}`);
    try {
      getAt(t);
    } catch {
      throw new TargetError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
    }
    this.edit({ op: 'replace', path: existingPointer(t, false), value: deepClone(value) });
  }

  private move(op: Record<string, unknown>): void {
    const from = wrap('move operation failed to decode from: ', () => stringField(op, 'from'));
    const src = this.target(from, `move operation does not apply: doc is missing from path: ${from}`);
    const value = wrap(`error in move for path: '${src.key}': `, () => getAt(src));
    this.edit({ op: 'remove', path: wrap(`error in move for path: '${src.key}': `, () => existingPointer(src, true)) });
    const path = wrap('move operation failed to decode path: ', () => stringField(op, 'path'));
    const dst = this.target(path, `move operation does not apply: doc is missing destination path: ${path}`);
    this.edit({ op: 'add', path: wrap(`error in move for path: '${path}': `, () => insertPointer(dst)), value: value ?? null });
  }

  private test(op: Record<string, unknown>): void {
    const path = wrap('test operation failed to decode path: ', () => stringField(op, 'path'));
    const failed = new TargetError(`testing value ${path} failed: test failed`);
    if (path === '') {
      if (!_areEquals(this.doc, op.value)) throw failed;
      return;
    }
    const t = this.target(path, `test operation does not apply: is missing path: ${path}`);
    const actual = wrap(`error in test for path: '${path}': `, () => getAt(t));
    if (actual === undefined || actual === null) {
      if (op.value !== undefined && op.value !== null) throw failed;
      return;
    }
    if (op.value === undefined || !_areEquals(actual, op.value)) throw failed;
  }

  private copy(op: Record<string, unknown>): void {
    const from = wrap('copy operation failed to decode from: ', () => stringField(op, 'from'));
    const src = this.target(from, `copy operation does not apply: doc is missing from path: ${from}`);
    const value = wrap(`error in copy for from: '${from}': `, () => getAt(src));
    const path = pathOr(op, 'copy operation failed to decode path: missing value');
    const dst = this.target(path, `copy operation does not apply: doc is missing destination path: ${path}`);
    this.copied += value === undefined || value === null ? 0 : goJsonSize(value);
    if (this.maxCopyBytes > 0 && this.copied > this.maxCopyBytes) {
      throw new TargetError(`Unable to complete the copy, the accumulated size increase of copy is ${this.copied}, exceeding the limit ${this.maxCopyBytes}`);
    }
    const pointer = wrap('error while adding value during copy: ', () => insertPointer(dst));
    this.edit({ op: 'add', path: pointer, value: value === undefined ? null : deepClone(value) });
  }
}

/** Size of Go's json.Marshal output (HTML-escaping `<`, `>`, `&`, U+2028, U+2029). */
function goJsonSize(value: unknown): number {
  const text = JSON.stringify(value);
  const htmlEscapes = (text.match(/[<>&]/g)?.length ?? 0) * 5 + (text.match(/[\u2028\u2029]/g)?.length ?? 0) * 3;
  return Buffer.byteLength(text, 'utf8') + htmlEscapes;
}

/**
 * Applies an RFC 6902 patch (already JSON-parsed) to a copy of `document`; the input is not
 * modified. Semantics follow kube-apiserver, including its deviations from the RFC: `replace`
 * of an absent object member adds it, negative array indices count from the end, a missing
 * `value` means null, `test` of an absent member against null passes, `copy` from an absent
 * member copies null.
 * @throws PatchError 400 / 413 from {@link decodeJsonPatch}; 422 when an operation does not
 *   apply, with the Go library's text as `message`, e.g. `testing value /spec/x failed: test failed`.
 */
export function applyJsonPatch<T>(document: T, patch: unknown, options: JsonPatchOptions = {}): T {
  const ops = decodeJsonPatch(patch, options.maxOperations ?? MAX_JSON_PATCH_OPERATIONS);
  const applier = new Applier(deepClone(document), options.maxCopyBytes ?? DEFAULT_JSON_PATCH_MAX_COPY_BYTES);
  for (const op of ops) {
    try {
      applier.apply(op);
    } catch (err) {
      if (err instanceof TargetError) throw new PatchError(422, err.message);
      if (err instanceof TypeError && err.message.startsWith('JSON-Patch:')) throw new PatchError(422, err.message);
      throw err;
    }
  }
  return applier.doc as T;
}
