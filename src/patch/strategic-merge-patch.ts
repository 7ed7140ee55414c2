/**
 * Kubernetes strategic merge patch (`application/strategic-merge-patch+json`), applied as
 * kube-apiserver applies it (strategicpatch.StrategicMergeMapPatch, server-side options),
 * with patch strategies read from a JSON Schema instead of Go struct tags (see smp-schema.ts).
 *
 * Maps merge recursively and `null` deletes; lists are replaced unless the field's strategy is
 * `merge` (lists of maps merge by the merge key, lists of scalars merge as sets); directives:
 * `$patch: replace|delete` (maps and list items), `$retainKeys`, `$setElementOrder/<list>`,
 * `$deleteFromPrimitiveList/<list>`. Failures are {@link PatchError}s carrying upstream's text
 * and HTTP code (400 format errors, 422 lists of lists, 500 for the rest).
 */
import { PatchError } from './errors.ts';
import { cloneJson, getOwn, hasOwn, isJsonObject, setOwn } from './json-value.ts';
import type { JsonObject } from './json-value.ts';
import {
  DELETE_FROM_PRIMITIVE_LIST_PREFIX, DIRECTIVE_MARKER, SET_ELEMENT_ORDER_PREFIX, applyRetainKeys,
  discardNullValues, extractKey, handleMapDirective, removeDirectives, validatePatchWithSetOrderList,
} from './smp-directives.ts';
import { badArgType, badJSONDoc, badPatchType, noMergeKey, plainError } from './smp-errors.ts';
import {
  deduplicateInPlace, deleteFromSlice, goDecodedCapacity, findMapByKey, normalizeElementOrder, partitionMaps,
  partitionPrimitives, sliceElementType,
} from './smp-order.ts';
import { goKindOf, lookupField, lookupListField, mainStrategy } from './smp-schema.ts';
import type { LookupOptions, PatchSchema } from './smp-schema.ts';

/** The schema node type {@link applyStrategicMergePatch} reads patch strategies from. */
export type { PatchSchema } from './smp-schema.ts';

/** Options for {@link applyStrategicMergePatch}. */
export interface StrategicMergePatchOptions {
  /**
   * Merge lists declared `x-kubernetes-list-type: map` with exactly one list-map key by that
   * key when the schema gives no patch strategy (default true). Upstream (Go struct tags) has
   * no such fallback; turn it off for strictly upstream behaviour.
   */
  listMapKeysFallback?: boolean;
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/**
 * Applies a strategic merge patch (already JSON-parsed) to a copy of `original`; inputs are
 * not modified. `schema` describes `original` (OpenAPI v3 style, `$ref`-free); without one no
 * field has a strategy, so every list is replaced.
 * @throws PatchError e.g. 400 `json: cannot unmarshal array into Go value of type map[string]interface {}`,
 *   500 `map: map[image:nginx] does not contain declared merge key: name`.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, schema?: PatchSchema,
  options: StrategicMergePatchOptions = {}): JsonObject {
  if (!isJsonObject(original)) throw badJSONDoc();
  if (patch === null) return cloneJson(original);
  if (!isJsonObject(patch)) {
    throw new PatchError(400, `json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  }
  const merger = new Merger({ listMapKeysFallback: options.listMapKeysFallback ?? true });
  return merger.mergeMap(cloneJson(original), cloneJson(patch), schema);
}

class Merger {
  constructor(private readonly options: LookupOptions) {}

  /** Upstream's mergeMap: merges `patch` into `original` (both mutated) and returns the result. */
  mergeMap(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): JsonObject {
    if (hasOwn(patch, DIRECTIVE_MARKER)) return handleMapDirective(patch[DIRECTIVE_MARKER], patch);
    applyRetainKeys(original, patch);
    this.mergeOrderedLists(original, patch, schema);
    for (const patchKey of Object.keys(patch)) {
      const patchV = patch[patchKey];
      const isDeleteList = patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX);
      const k = isDeleteList ? extractKey(patchKey, DELETE_FROM_PRIMITIVE_LIST_PREFIX) : patchKey;
      if (patchV === null) {
        delete original[k];
        continue;
      }
      const current = getOwn(original, k);
      if (!hasOwn(original, k) || !sameKind(current, patchV)) {
        if (!isDeleteList) copyIn(original, k, patchV, true);
        continue;
      }
      if (isJsonObject(current)) {
        const { schema: sub, meta } = lookupField(schema, k);
        const strategy = mainStrategy(meta.strategies);
        setOwn(original, k, strategy === 'replace' ? patchV : this.mergeMap(current, patchV as JsonObject, sub));
      } else if (Array.isArray(current)) {
        const { schema: sub, meta } = lookupListField(schema, k, this.options);
        const strategy = mainStrategy(meta.strategies);
        const merge = strategy === 'merge' || isDeleteList;
        setOwn(original, k, merge ? this.mergeSlice(current, patchV as unknown[], sub, meta.mergeKey, isDeleteList) : patchV);
      } else {
        copyIn(original, k, patchV, false);
      }
    }
    return original;
  }

  /** Upstream's mergePatchIntoOriginal: merges each `$setElementOrder/<list>` with its list, in that order. */
  private mergeOrderedLists(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): void {
    for (const key of Object.keys(patch)) {
      if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
      const order = patch[key];
      delete patch[key];
      if (!Array.isArray(order)) throw badArgType('slice', order);
      const listKey = extractKey(key, SET_ELEMENT_ORDER_PREFIX);
      const inOriginal = hasOwn(original, listKey);
      const inPatch = hasOwn(patch, listKey);
      const originalList = inOriginal ? asList(original[listKey]) : [];
      const patchList = inPatch ? asList(patch[listKey]) : [];
      const { schema: sub, meta } = lookupListField(schema, listKey, this.options);
      const strategy = mainStrategy(meta.strategies);
      validatePatchWithSetOrderList(patchList, order, meta.mergeKey);
      if (!inOriginal && !inPatch) continue;
      let merged: unknown[];
      let serverOrder = originalList;
      if (!inPatch) merged = originalList;
      else if (!inOriginal) merged = removeDirectives(patchList)[0] as unknown[];
      else if (strategy !== 'merge') merged = patchList;
      else merged = this.mergeSlice(originalList, patchList, sub, meta.mergeKey, false, (b) => { serverOrder = b; });
      const [patchItems, serverOnly] = meta.mergeKey === ''
        ? partitionPrimitives(merged, order) : partitionMaps(merged, order, meta.mergeKey);
      const type = sliceElementType(serverOrder, patchList);
      setOwn(original, listKey, normalizeElementOrder(patchItems, serverOnly, order, serverOrder, meta.mergeKey, type));
      delete patch[listKey];
    }
  }

  /**
   * Upstream's mergeSlice: set-merge of scalars, or keyed merge of maps, then re-ordering.
   * `onBacking` receives what the caller's view of `original` reads afterwards: upstream
   * deletes items by shifting the shared Go backing array and appends into the freed slots.
   */
  private mergeSlice(original: unknown[], patch: unknown[], schema: PatchSchema | undefined,
    mergeKey: string, isDeleteList: boolean, onBacking?: (backing: unknown[]) => void): unknown[] {
    if (original.length === 0 && patch.length === 0) return original;
    const type = sliceElementType(original, patch);
    let merged: unknown[];
    if (type !== 'map') {
      if (isDeleteList) return deleteFromSlice(original, patch);
      const both = [...original, ...patch];
      merged = both.slice(0, deduplicateInPlace(both));
      if (both.length <= goDecodedCapacity(original.length)) {
        original = both.slice(0, original.length);
        onBacking?.(original);
      }
    } else {
      if (mergeKey === '') throw plainError(`cannot merge lists without merge key for ${goKindOf(schema)}`);
      const list = new GoSlice(original);
      const { rest, replace } = applyListItemDirectives(list, patch as JsonObject[], mergeKey);
      if (replace) {
        original = rest;
        patch = [];
        merged = rest;
      } else {
        original = list.items();
        patch = rest;
        merged = this.mergeByKey(list, rest, mergeKey, schema);
      }
      onBacking?.(list.backing);
    }
    const [patchItems, serverOnly] = mergeKey === ''
      ? partitionPrimitives(merged, patch) : partitionMaps(merged, patch, mergeKey);
    return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, type);
  }

  /** Upstream's mergeSliceWithoutSpecialElements: merge maps with equal keys, append the others. */
  private mergeByKey(list: GoSlice, patch: JsonObject[], mergeKey: string, schema: PatchSchema | undefined): unknown[] {
    for (const item of patch) {
      if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      const found = findMapByKey(list.items(), mergeKey, item[mergeKey]);
      if (found === undefined) list.append(item);
      else list.set(found.index, this.mergeMap(found.map, item, schema));
    }
    return list.items();
  }
}

/**
 * A Go slice over a backing array whose capacity is its initial length: removal shifts in
 * place, appends fill freed slots before reallocating. Upstream's results depend on this.
 */
class GoSlice {
  readonly backing: unknown[];
  private length: number;
  private moved: unknown[] | undefined;

  constructor(items: unknown[]) {
    this.backing = [...items];
    this.length = items.length;
  }

  items(): unknown[] {
    return this.moved ?? this.backing.slice(0, this.length);
  }

  removeAt(index: number): void {
    if (this.moved !== undefined) {
      this.moved.splice(index, 1);
      return;
    }
    for (let i = index; i < this.length - 1; i++) this.backing[i] = this.backing[i + 1];
    this.length--;
  }

  append(v: unknown): void {
    if (this.moved === undefined && this.length < this.backing.length) this.backing[this.length++] = v;
    else (this.moved ??= this.backing.slice(0, this.length)).push(v);
  }

  set(index: number, v: unknown): void {
    if (this.moved !== undefined) this.moved[index] = v;
    else this.backing[index] = v;
  }
}

/**
 * Upstream's mergeSliceWithSpecialElements: applies `$patch: delete` items (by merge key) to
 * `list` and notes `$patch: replace`; returns the patch items left to merge.
 */
function applyListItemDirectives(list: GoSlice, patch: JsonObject[], mergeKey: string): { rest: JsonObject[]; replace: boolean } {
  const rest: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!hasOwn(item, DIRECTIVE_MARKER)) {
      rest.push(item);
      continue;
    }
    switch (item[DIRECTIVE_MARKER]) {
      case 'delete':
        if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
        for (let f = findMapByKey(list.items(), mergeKey, item[mergeKey]); f; f = findMapByKey(list.items(), mergeKey, item[mergeKey])) {
          list.removeAt(f.index);
        }
        break;
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw plainError('merging lists cannot yet be specified in the patch');
      default:
        throw badPatchType(item[DIRECTIVE_MARKER], item);
    }
  }
  return { rest, replace };
}

/** False when the two values have different Go types (map, slice, or a scalar/nil type). */
function sameKind(a: unknown, b: unknown): boolean {
  const kind = (v: unknown): string => (Array.isArray(v) ? 'slice' : v === null ? 'nil' : typeof v);
  return kind(a) === kind(b);
}

function asList(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw badArgType('slice', v);
  return v;
}

/** Copies a patch value in verbatim (nulls dropped if asked, `$patch` maps removed). */
function copyIn(original: JsonObject, key: string, value: unknown, dropNulls: boolean): void {
  if (dropNulls) discardNullValues(value);
  const [v, keep] = removeDirectives(value);
  if (keep) setOwn(original, key, v);
  else delete original[key];
}
