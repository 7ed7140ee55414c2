/**
 * Path elements of managed fields (structured-merge-diff's fieldpath.PathElement): a field name,
 * the key fields of a list-map item, the value of a set item, or the index of an item.
 * Each element carries `id`, its FieldsV1 spelling (`f:name`, `k:{"name":"a"}`, `v:"x"`, `i:0`),
 * which is also its identity.
 */
import { compareStrings, compareValues, goJson, isObject, valueToString, type JsonValue } from './value.ts';

/** One step of a path into an object. */
export type PathElement =
  | { readonly kind: 'field'; readonly name: string; readonly id: string }
  | { readonly kind: 'key'; readonly fields: readonly (readonly [string, JsonValue])[]; readonly id: string }
  | { readonly kind: 'value'; readonly value: JsonValue; readonly id: string }
  | { readonly kind: 'index'; readonly index: number; readonly id: string };

/** A path from the object's root. */
export type Path = readonly PathElement[];

const fieldCache = new Map<string, PathElement>();

/** The element naming field `name` of a map or struct. */
export function fieldElement(name: string): PathElement {
  let pe = fieldCache.get(name);
  if (!pe) {
    pe = { kind: 'field', name, id: `f:${name}` };
    if (fieldCache.size < 10_000) fieldCache.set(name, pe);
  }
  return pe;
}

/** The element naming the list-map item whose key fields are `fields` (sorted by name here). */
export function keyElement(fields: [string, JsonValue][]): PathElement {
  const sorted = [...fields].sort((a, b) => compareStrings(a[0], b[0]));
  const obj: Record<string, JsonValue> = {};
  for (const [k, v] of sorted) obj[k] = v;
  return { kind: 'key', fields: sorted, id: `k:${goJson(obj)}` };
}

/** The element naming the set item `value`. */
export function valueElement(value: JsonValue): PathElement {
  return { kind: 'value', value, id: `v:${goJson(value)}` };
}

/** The element naming the item at `index` of a list. */
export function indexElement(index: number): PathElement {
  return { kind: 'index', index, id: `i:${index}` };
}

const KIND_ORDER = { field: 0, key: 1, value: 2, index: 3 } as const;

/** PathElement.Compare: field names, then keys, then values, then indexes. */
export function compareElements(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  switch (a.kind) {
    case 'field': return compareStrings(a.name, (b as typeof a).name);
    case 'key': return compareKeys(a.fields, (b as typeof a).fields);
    case 'value': return compareValues(a.value, (b as typeof a).value);
    case 'index': return a.index - (b as typeof a).index;
  }
}

function compareKeys(a: readonly (readonly [string, JsonValue])[], b: readonly (readonly [string, JsonValue])[]): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const c = compareStrings(a[i][0], b[i][0]) || compareValues(a[i][1], b[i][1]);
    if (c !== 0) return c;
  }
}

/**
 * Parses a FieldsV1 key (`f:…`, `k:{…}`, `v:…`, `i:…`).
 * @throws Error when the key is not one of those forms.
 */
export function parseElement(id: string): PathElement {
  const body = id.slice(2);
  switch (id.slice(0, 2)) {
    case 'f:': return fieldElement(body);
    case 'k:': {
      const parsed: unknown = JSON.parse(body);
      if (!isObject(parsed)) throw new Error(`key must be an object: ${id}`);
      return keyElement(Object.entries(parsed));
    }
    case 'v:': return valueElement(JSON.parse(body) as JsonValue);
    case 'i:': {
      const index = Number(body);
      if (!/^\d+$/.test(body) || !Number.isSafeInteger(index)) throw new Error(`invalid index: ${id}`);
      return indexElement(index);
    }
    default: throw new Error(`unknown path element: ${id}`);
  }
}

/** PathElement.String, as conflict messages print it: `.spec`, `[name="a"]`, `[="x"]`, `[0]`. */
export function elementToString(pe: PathElement): string {
  switch (pe.kind) {
    case 'field': return `.${pe.name}`;
    case 'key': return `[${pe.fields.map(([k, v]) => `${k}=${valueToString(v)}`).join(',')}]`;
    case 'value': return `[=${valueToString(pe.value)}]`;
    case 'index': return `[${pe.index}]`;
  }
}

/** Path.String. */
export function pathToString(path: Path): string {
  return path.map(elementToString).join('');
}
