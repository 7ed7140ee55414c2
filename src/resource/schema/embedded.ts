/**
 * The checks apiextensions-apiserver runs after schema validation: embedded resources
 * (x-kubernetes-embedded-resource: apiVersion/kind/metadata) and the uniqueness invariants of
 * x-kubernetes-list-type `set` / `map`. Paths are field.Path style (`spec.m[key].list[1]`).
 */
import type { FieldError } from '../../errors/status-error.ts';
import { childPath, duplicate, indexPath, invalid, keyPath, required } from '../../apimachinery/validation/field-errors.ts';
import { goJson } from '../../apimachinery/validation/go-format.ts';
import { isDNS1035Label, nameIsPathSegment } from '../../apimachinery/validation/names.ts';
import { validateObjectMetaCreate } from '../../apimachinery/validation/object-meta.ts';
import type { ObjectMeta } from '../../apimachinery/types.ts';
import type { SchemaNode } from './node.ts';

type JsonMap = Record<string, unknown>;

function isPlainObject(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function validateEmbeddedResource(path: string, x: JsonMap, errs: FieldError[]): void {
  if (!Object.hasOwn(x, 'apiVersion')) errs.push(required(childPath(path, 'apiVersion')));
  if (!Object.hasOwn(x, 'kind')) errs.push(required(childPath(path, 'kind')));
  if (Object.hasOwn(x, 'apiVersion')) {
    const v = x.apiVersion;
    const p = childPath(path, 'apiVersion');
    if (typeof v !== 'string') errs.push(invalid(p, v, 'must be a string'));
    else if (v === '') errs.push(invalid(p, v, 'must not be empty'));
    else if (v !== '/' && v.split('/').length > 2) errs.push(invalid(p, v, `unexpected GroupVersion string: ${v}`));
  }
  if (Object.hasOwn(x, 'kind')) {
    const v = x.kind;
    const p = childPath(path, 'kind');
    if (typeof v !== 'string') errs.push(invalid(p, v, 'must be a string'));
    else if (v === '') errs.push(invalid(p, v, 'must not be empty'));
    else {
      const problems = isDNS1035Label(v.toLowerCase());
      if (problems.length > 0) errs.push(invalid(p, v, `may have mixed case, but should otherwise match: ${problems.join(',')}`));
    }
  }
  if (Object.hasOwn(x, 'metadata')) {
    const meta = x.metadata;
    const p = childPath(path, 'metadata');
    if (meta !== null && !isPlainObject(meta)) {
      errs.push(invalid(p, meta, `json: cannot unmarshal ${jsonKind(meta)} into Go value of type v1.ObjectMeta`));
    } else {
      const m = (meta ?? {}) as ObjectMeta;
      const named = { ...m, name: typeof m.name === 'string' && m.name !== '' ? m.name : 'fakename' };
      const namespaced = typeof m.namespace === 'string' && m.namespace !== '';
      errs.push(...validateObjectMetaCreate(named, { namespaced, validateName: nameIsPathSegment, fieldPath: p }));
    }
  }
}

/** objectmeta.Validate (not at the root): embedded resources anywhere under `x`. */
export function validateEmbedded(x: unknown, s: SchemaNode | null, path: string, errs: FieldError[]): void {
  if (s === null) return;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) validateEmbedded(x[i], s.items, indexPath(path, i), errs);
    return;
  }
  if (!isPlainObject(x)) return;
  if (s.embeddedResource) validateEmbeddedResource(path, x, errs);
  for (const k of Object.keys(x)) {
    const prop = s.properties?.get(k);
    if (prop !== undefined) validateEmbedded(x[k], prop, childPath(path, k), errs);
    else if (s.additional !== null) validateEmbedded(x[k], s.additional, keyPath(path, k), errs);
  }
}

const UNSPECIFIED = Symbol('unspecified');

/** Go map-key identity of a JSON scalar, or compact JSON of a compound, for uniqueness checks. */
function identity(v: unknown): string {
  if (v === UNSPECIFIED) return 'u';
  if (v !== null && typeof v === 'object') return `c${goJson(v)}`;
  return `s${typeof v}:${String(v)}`;
}

/** Indices of second occurrences (each duplicated value reported once), as validateListSet. */
function nonUnique(values: unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  values.forEach((v, i) => {
    const id = identity(v);
    const times = seen.get(id) ?? 0;
    if (times === 1) out.push(i);
    seen.set(id, times + 1);
  });
  return out;
}

function validateListMap(path: string, s: SchemaNode, list: unknown[], errs: FieldError[]): void {
  for (let i = 0; i < list.length; i++) {
    if (list[i] !== null && !isPlainObject(list[i])) {
      errs.push(invalid(indexPath(path, i), list[i], 'must be an object for an array of list-type map'));
      return;
    }
  }
  if (list.length <= 1) return;
  const single = s.listMapKeys.length === 1 ? s.listMapKeys[0] : null;
  const keys = list.map((item) => {
    const m = (item ?? {}) as JsonMap;
    if (single !== null) return Object.hasOwn(m, single) ? m[single] : UNSPECIFIED;
    const key: JsonMap = {};
    for (const k of s.listMapKeys) if (Object.hasOwn(m, k)) key[k] = m[k];
    return key;
  });
  for (const i of nonUnique(keys)) {
    const k = keys[i];
    const shown = single === null ? k : k === UNSPECIFIED ? {} : { [single]: k };
    errs.push(duplicate(indexPath(path, i), shown));
  }
}

function listTypes(x: unknown, s: SchemaNode, path: string, errs: FieldError[]): void {
  if (Array.isArray(x)) {
    if (s.listType === 'set') for (const i of nonUnique(x)) errs.push(duplicate(indexPath(path, i), x[i]));
    else if (s.listType === 'map') validateListMap(path, s, x, errs);
    if (s.items !== null) for (let i = 0; i < x.length; i++) listTypes(x[i], s.items, indexPath(path, i), errs);
    return;
  }
  if (isPlainObject(x)) validateListSetsAndMaps(x, s, path, errs);
}

/** ValidateListSetsAndMaps: duplicate entries of list-type `set`, duplicate keys of list-type `map`. */
export function validateListSetsAndMaps(obj: JsonMap, s: SchemaNode, path: string, errs: FieldError[]): void {
  if (s.additional !== null) {
    for (const k of Object.keys(obj)) listTypes(obj[k], s.additional, keyPath(path, k), errs);
  }
  if (s.properties !== null) {
    for (const k of Object.keys(obj)) {
      const prop = s.properties.get(k);
      if (prop !== undefined) listTypes(obj[k], prop, childPath(path, k), errs);
    }
  }
}
