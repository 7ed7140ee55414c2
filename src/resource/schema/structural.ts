/**
 * Structural defaulting and pruning, as apiextensions-apiserver applies them to custom
 * resources when decoding a request (pkg/apiserver/schema/defaulting, pruning, objectmeta).
 */
import { childPath, indexPath, keyPath } from '../../apimachinery/validation/field-errors.ts';
import { compareBytes } from '../../apimachinery/validation/go-format.ts';
import { ROOT_META_KEYS } from './context.ts';
import type { SchemaNode } from './node.ts';
import { pruneObjectMeta } from './object-meta-prune.ts';
import { deepCopy } from '../../apimachinery/deep-copy.ts';

type JsonMap = Record<string, unknown>;

function isPlainObject(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function copy(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? deepCopy(v) : v;
}

function isNonNullableNull(v: unknown, s: SchemaNode | null): boolean {
  return v === null && s !== null && !s.nullable;
}

/**
 * Fills defaults in place: a property absent (or null while not nullable) gets a copy of its
 * schema default, then defaulting recurses into every property, additional property and array
 * item present — including ones just defaulted. Items and additional properties that are null
 * while not nullable get their default too. With `isRoot`, apiVersion/kind/metadata are left alone.
 */
export function applyDefaultsNode(x: unknown, s: SchemaNode | null, isRoot = false): void {
  if (s === null) return;
  if (Array.isArray(x)) {
    const items = s.items;
    for (let i = 0; i < x.length; i++) {
      if (items !== null && items.hasDefault && isNonNullableNull(x[i], items)) x[i] = copy(items.default);
      applyDefaultsNode(x[i], items);
    }
    return;
  }
  if (!isPlainObject(x)) return;
  const props = s.properties;
  if (props !== null) {
    for (const [k, prop] of props) {
      if (prop.hasDefault && (!Object.hasOwn(x, k) || isNonNullableNull(x[k], prop))) x[k] = copy(prop.default);
    }
  }
  for (const k of Object.keys(x)) {
    const prop = props?.get(k);
    if (prop !== undefined) {
      applyDefaultsNode(x[k], prop);
    } else if (s.additional !== null && !(isRoot && ROOT_META_KEYS.has(k))) {
      if (s.additional.hasDefault && isNonNullableNull(x[k], s.additional)) x[k] = copy(s.additional.default);
      applyDefaultsNode(x[k], s.additional);
    }
  }
}

interface PruneState {
  unknown: string[];
}

function pruneNode(x: unknown, s: SchemaNode | null, parent: string, st: PruneState, isRoot: boolean): void {
  if (s !== null && s.preserveUnknownFields) {
    skipPrune(x, s, parent, st, isRoot);
    return;
  }
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) pruneNode(x[i], s === null ? null : s.items, indexPath(parent, i), st, false);
    return;
  }
  if (!isPlainObject(x)) return;
  const embedded = s !== null && (s.embeddedResource || isRoot);
  for (const k of Object.keys(x)) {
    if (embedded && ROOT_META_KEYS.has(k)) continue;
    const prop = s?.properties?.get(k);
    if (prop !== undefined) pruneNode(x[k], prop, childPath(parent, k), st, false);
    else if (s !== null && (s.additional !== null || s.additionalAny)) pruneNode(x[k], s.additional, childPath(parent, k), st, false);
    else {
      st.unknown.push(childPath(parent, k));
      delete x[k];
    }
  }
}

function skipPrune(x: unknown, s: SchemaNode | null, parent: string, st: PruneState, isRoot: boolean): void {
  if (s === null) return;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) skipPrune(x[i], s.items, indexPath(parent, i), st, false);
    return;
  }
  if (!isPlainObject(x)) return;
  for (const k of Object.keys(x)) {
    if ((s.embeddedResource || isRoot) && ROOT_META_KEYS.has(k)) continue;
    const prop = s.properties?.get(k);
    if (prop !== undefined) pruneNode(x[k], prop, childPath(parent, k), st, false);
    else if (s.additional !== null || s.additionalAny) pruneNode(x[k], s.additional, childPath(parent, k), st, false);
  }
}

/** PruneNonNullableNullsWithoutDefaults: drops null fields that are neither nullable nor defaulted. */
function pruneNulls(x: unknown, s: SchemaNode | null, isRoot: boolean): void {
  if (Array.isArray(x)) {
    for (const item of x) pruneNulls(item, s === null ? null : s.items, false);
    return;
  }
  if (!isPlainObject(x)) return;
  for (const k of Object.keys(x)) {
    if (isRoot && ROOT_META_KEYS.has(k)) continue;
    const child = s === null ? null : (s.properties?.get(k) ?? s.additional);
    if (x[k] === null && child !== null && !child.nullable && !child.hasDefault) delete x[k];
    else pruneNulls(x[k], child, false);
  }
}

/** objectmeta.Coerce: unknown fields of the metadata of embedded resources (not the root's). */
function coerceEmbedded(x: unknown, s: SchemaNode | null, path: string, out: string[]): void {
  if (s === null) return;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) coerceEmbedded(x[i], s.items, indexPath(path, i), out);
    return;
  }
  if (!isPlainObject(x)) return;
  for (const k of Object.keys(x)) {
    if (s.embeddedResource && k === 'metadata') out.push(...pruneObjectMeta(x[k], childPath(path, 'metadata')));
    const prop = s.properties?.get(k);
    if (prop !== undefined) coerceEmbedded(x[k], prop, childPath(path, k), out);
    else if (s.additional !== null) coerceEmbedded(x[k], s.additional, keyPath(path, k), out);
  }
}

/**
 * Prunes `obj` (a whole object; its root apiVersion/kind/metadata are left alone) in place:
 * fields the schema does not declare are removed unless under x-kubernetes-preserve-unknown-fields,
 * null fields that are neither nullable nor defaulted are dropped, and unknown fields in the
 * metadata of embedded resources are removed. Returns the removed unknown fields' paths: the
 * schema's sorted (`spec.foo`, `spec.items[0].bar`), then the embedded metadata ones, sorted.
 */
export function pruneObject(obj: unknown, root: SchemaNode): string[] {
  const st: PruneState = { unknown: [] };
  pruneNode(obj, root, '', st, true);
  pruneNulls(obj, root, true);
  const embedded: string[] = [];
  coerceEmbedded(obj, root, '', embedded);
  return [...st.unknown.sort(compareBytes), ...embedded.sort(compareBytes)];
}
