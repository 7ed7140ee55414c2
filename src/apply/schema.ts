/**
 * The types server-side apply merges by (structured-merge-diff's schema.Schema), built from a
 * resource version's OpenAPI v3 schema as kube-openapi's schemaconv builds them for a CRD:
 * objects with properties are granular structs (`x-kubernetes-map-type: atomic` makes them one
 * leaf), `additionalProperties` maps, arrays atomic unless `x-kubernetes-list-type` says `set` or
 * `map` (keyed by `x-kubernetes-list-map-keys`), int-or-string a scalar, and
 * `x-kubernetes-preserve-unknown-fields` admits any field with a deduced type. `metadata` is
 * ObjectMeta with its upstream list types.
 */
import type { JsonSchema } from '../resource/define-resource.ts';
import { isObject, type JsonValue } from './value.ts';

/** A type node. `deduced` and `untyped` are structured-merge-diff's untyped types. */
export type TypeNode =
  | { readonly kind: 'scalar' }
  | { readonly kind: 'list'; readonly atomic: boolean; readonly keys?: readonly string[]; readonly keyDefaults?: Readonly<Record<string, JsonValue>>; readonly elem: TypeNode }
  | { readonly kind: 'map'; readonly atomic: boolean; readonly fields: ReadonlyMap<string, TypeNode>; readonly elem?: TypeNode }
  | { readonly kind: 'deduced' }
  | { readonly kind: 'untyped' };

const SCALAR: TypeNode = { kind: 'scalar' };
const DEDUCED: TypeNode = { kind: 'deduced' };
const UNTYPED: TypeNode = { kind: 'untyped' };
const UNTYPED_LIST: TypeNode = { kind: 'list', atomic: true, elem: UNTYPED };
const UNTYPED_MAP: TypeNode = { kind: 'map', atomic: true, fields: new Map(), elem: UNTYPED };
const DEDUCED_MAP: TypeNode = { kind: 'map', atomic: false, fields: new Map(), elem: DEDUCED };

const struct = (fields: Record<string, TypeNode>): TypeNode => ({ kind: 'map', atomic: false, fields: new Map(Object.entries(fields)) });
const stringMap: TypeNode = { kind: 'map', atomic: false, fields: new Map(), elem: SCALAR };

/** metav1.ObjectMeta as kube-apiserver's type converter declares it. */
export const OBJECT_META_TYPE: TypeNode = struct({
  name: SCALAR, generateName: SCALAR, namespace: SCALAR, selfLink: SCALAR, uid: SCALAR, resourceVersion: SCALAR,
  generation: SCALAR, creationTimestamp: SCALAR, deletionTimestamp: SCALAR, deletionGracePeriodSeconds: SCALAR,
  labels: stringMap, annotations: stringMap,
  ownerReferences: {
    kind: 'list', atomic: false, keys: ['uid'],
    elem: struct({ apiVersion: SCALAR, kind: SCALAR, name: SCALAR, uid: SCALAR, controller: SCALAR, blockOwnerDeletion: SCALAR }),
  },
  finalizers: { kind: 'list', atomic: false, elem: SCALAR },
  managedFields: { kind: 'list', atomic: true, elem: UNTYPED_MAP },
});

/** The resolved shape of `type` for `value` (deduced types take the value's shape, as deduceAtom). */
export function resolve(type: TypeNode, value: unknown): TypeNode {
  if (type.kind === 'deduced') {
    if (Array.isArray(value)) return UNTYPED_LIST;
    if (isObject(value) || value === null || value === undefined) return DEDUCED_MAP;
    return SCALAR;
  }
  if (type.kind === 'untyped') {
    if (Array.isArray(value)) return UNTYPED_LIST;
    if (isObject(value)) return UNTYPED_MAP;
    return SCALAR;
  }
  return type;
}

/** The type of field `name` of a map type, or undefined when the map does not admit it. */
export function fieldType(map: Extract<TypeNode, { kind: 'map' }>, name: string): TypeNode | undefined {
  return map.fields.get(name) ?? map.elem;
}

const cache = new WeakMap<JsonSchema, TypeNode>();

/** The type node of a top-level resource schema (metadata as ObjectMeta). */
export function typeOfResourceSchema(schema: JsonSchema): TypeNode {
  let t = cache.get(schema);
  if (!t) {
    const root = typeOfSchema(schema);
    if (root.kind === 'map') {
      const fields = new Map(root.fields);
      fields.set('metadata', OBJECT_META_TYPE);
      fields.set('apiVersion', SCALAR);
      fields.set('kind', SCALAR);
      t = { ...root, fields };
    } else t = root;
    cache.set(schema, t);
  }
  return t;
}

/** The type node of one OpenAPI v3 (structural) schema. */
export function typeOfSchema(s: JsonSchema): TypeNode {
  if (s['x-kubernetes-int-or-string'] === true) return UNTYPED;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const type = s.type as string | undefined;
  if (type === 'array') return listType(s);
  if (type === 'object' || isObject(s.properties) || isObject(s.additionalProperties)) {
    const properties = isObject(s.properties) ? s.properties as Record<string, JsonSchema> : {};
    const fields = new Map(Object.entries(properties).map(([k, v]) => [k, typeOfSchema(v)]));
    let elem: TypeNode | undefined;
    if (isObject(s.additionalProperties)) elem = typeOfSchema(s.additionalProperties as JsonSchema);
    else if (preserve || s.additionalProperties === true) elem = DEDUCED;
    else if (fields.size === 0) elem = DEDUCED;
    return { kind: 'map', atomic: s['x-kubernetes-map-type'] === 'atomic', fields, elem };
  }
  if (preserve || type === undefined) return DEDUCED;
  return SCALAR;
}

function listType(s: JsonSchema): TypeNode {
  const items = isObject(s.items) ? typeOfSchema(s.items as JsonSchema) : DEDUCED;
  const listKind = s['x-kubernetes-list-type'];
  if (listKind === 'set') return { kind: 'list', atomic: false, elem: items };
  if (listKind === 'map') {
    const keys = (s['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
    const props = isObject(s.items) && isObject((s.items as JsonSchema).properties) ? (s.items as JsonSchema).properties as Record<string, JsonSchema> : {};
    const keyDefaults: Record<string, JsonValue> = {};
    for (const k of keys) if (props[k] && 'default' in props[k]) keyDefaults[k] = props[k].default as JsonValue;
    return { kind: 'list', atomic: false, keys, keyDefaults, elem: items };
  }
  return { kind: 'list', atomic: true, elem: items };
}
