/**
 * Patch metadata for strategic merge patch, read from an OpenAPI-v3-style JSON Schema. This
 * stands in for upstream's Go-struct-tag lookup (PatchMetaFromStruct): a node with
 * `properties` is a struct, `additionalProperties` a map, `items` a slice; the struct tags
 * become `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`. Lookup failures are
 * worded as upstream's. An absent schema, a free-form node or an unlisted field imposes nothing.
 */

import { PatchError } from './errors.ts';

/** A JSON Schema node as far as strategic merge patch reads it; other keywords are ignored. */
export interface PatchSchema {
  type?: string | string[];
  properties?: Record<string, PatchSchema>;
  items?: PatchSchema;
  additionalProperties?: PatchSchema | boolean;
  allOf?: PatchSchema[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  [keyword: string]: unknown;
}

/** A field's patch strategy (`merge`, `replace`, `retainKeys` split on commas) and merge key. */
export interface PatchMeta {
  strategies: string[];
  mergeKey: string;
}

/** What a lookup yields: the field's sub-schema (element schema for slices) and its patch meta. */
export interface PatchLookup {
  schema: PatchSchema | undefined;
  meta: PatchMeta;
}

/** Options for schema lookups. */
export interface LookupOptions {
  /**
   * Treat a list with `x-kubernetes-list-type: map` and a single `x-kubernetes-list-map-keys`
   * entry, but no patch strategy, as `merge` keyed by that key (default true). Upstream's
   * struct tags have no such fallback; it exists because schemas often carry only list-type.
   */
  listMapKeysFallback: boolean;
}

const NO_META: PatchMeta = { strategies: [], mergeKey: '' };

function typeOf(s: PatchSchema): string | undefined {
  return Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
}

/** The structural part of a node: `allOf[0]` when the node only wraps it (upstream's resolve). */
function structural(s: PatchSchema): PatchSchema {
  const wraps = s.properties === undefined && s.items === undefined && s.additionalProperties === undefined;
  return wraps && s.allOf !== undefined && s.allOf.length > 0 ? s.allOf[0] : s;
}

/** The Go reflect.Kind name a node stands for, as upstream's messages print it. */
export function goKindOf(schema: PatchSchema | undefined): string {
  if (schema === undefined) return 'interface';
  const s = structural(schema);
  if (s.properties !== undefined) return 'struct';
  if (s.items !== undefined) return 'slice';
  switch (typeOf(s)) {
    case 'array': return 'slice';
    case 'string': return 'string';
    case 'integer': return 'int64';
    case 'number': return 'float64';
    case 'boolean': return 'bool';
    default: return s.additionalProperties !== undefined && s.additionalProperties !== false ? 'map' : 'interface';
  }
}

function metaOf(field: PatchSchema): PatchMeta {
  const strategy = field['x-kubernetes-patch-strategy'];
  return {
    strategies: typeof strategy === 'string' ? strategy.split(',') : [],
    mergeKey: field['x-kubernetes-patch-merge-key'] ?? '',
  };
}

function findProperty(props: Record<string, PatchSchema>, key: string): PatchSchema | undefined {
  if (Object.prototype.hasOwnProperty.call(props, key)) return props[key];
  const folded = key.toLowerCase();
  const match = Object.keys(props).find((name) => name.toLowerCase() === folded);
  return match === undefined ? undefined : props[match];
}

/**
 * Metadata of field `key` of the object `schema` describes (upstream's
 * LookupPatchMetadataForStruct). JSON field names match exactly, else case-insensitively. A
 * field the schema does not list is free-form (no metadata): upstream's "unable to find api
 * field" can only arise for a field its Go type lacks, which a stored object never has, while
 * schemas here are often partial.
 * @throws PatchError 500 `merging an object in json but data type is not struct, instead is: map`
 *   when objects meet inside a map (`additionalProperties`), as they do for Go map fields.
 */
export function lookupField(schema: PatchSchema | undefined, key: string): PatchLookup {
  if (schema === undefined) return { schema: undefined, meta: NO_META };
  const s = structural(schema);
  if (s.properties !== undefined) {
    const field = findProperty(s.properties, key);
    return field === undefined ? { schema: undefined, meta: NO_META } : { schema: field, meta: metaOf(field) };
  }
  const kind = goKindOf(s);
  if (kind === 'interface') return { schema: undefined, meta: NO_META };
  throw new PatchError(500, `merging an object in json but data type is not struct, instead is: ${kind}`);
}

/**
 * Metadata of list field `key` and the schema of its elements (upstream's
 * LookupPatchMetadataForSlice), with the optional list-type=map fallback.
 * @throws PatchError as {@link lookupField}, or `unexpected slice of slice` /
 *   `expected slice or array type, but got: struct`.
 */
export function lookupListField(schema: PatchSchema | undefined, key: string, options: LookupOptions): PatchLookup {
  const { schema: field, meta } = lookupField(schema, key);
  if (field === undefined) return { schema: undefined, meta };
  const f = structural(field);
  const kind = goKindOf(f);
  if (kind !== 'slice') {
    if (kind === 'interface') return { schema: undefined, meta };
    throw new PatchError(500, `expected slice or array type, but got: ${goKindOf(schema)}`);
  }
  if (f.items !== undefined && goKindOf(f.items) === 'slice') throw new PatchError(500, 'unexpected slice of slice');
  return { schema: f.items, meta: options.listMapKeysFallback ? withListMapKeys(field, f, meta) : meta };
}

function withListMapKeys(field: PatchSchema, f: PatchSchema, meta: PatchMeta): PatchMeta {
  const listType = field['x-kubernetes-list-type'] ?? f['x-kubernetes-list-type'];
  const keys = field['x-kubernetes-list-map-keys'] ?? f['x-kubernetes-list-map-keys'];
  if (listType !== 'map' || !Array.isArray(keys) || keys.length !== 1) return meta;
  const declared = field['x-kubernetes-patch-strategy'] !== undefined;
  if (!declared) return { strategies: ['merge'], mergeKey: keys[0] };
  if (meta.strategies.includes('merge') && meta.mergeKey === '') return { ...meta, mergeKey: keys[0] };
  return meta;
}

/**
 * Splits off `retainKeys` from a field's strategies and returns the remaining one (upstream's
 * extractRetainKeysPatchStrategy). @throws PatchError `unexpected patch strategy: [a b c]`.
 */
export function mainStrategy(strategies: readonly string[]): string {
  if (strategies.length === 0) return '';
  if (strategies.length === 1) return strategies[0] === 'retainKeys' ? '' : strategies[0];
  if (strategies.length === 2) {
    if (strategies[0] === 'retainKeys') return strategies[1];
    if (strategies[1] === 'retainKeys') return strategies[0];
  }
  throw new PatchError(500, `unexpected patch strategy: [${strategies.join(' ')}]`);
}
