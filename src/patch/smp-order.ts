/**
 * List bookkeeping for strategic merge patch: element typing, de-duplication and the
 * order-preserving merge of patch items with server-only items, reproducing upstream's
 * algorithm step by step (including Go's sort.SliceStable) so results match element for element.
 */
import { getOwn, hasOwn, isJsonObject } from './json-value.ts';
import type { JsonObject } from './json-value.ts';
import { goV } from './go-format.ts';
import { goSliceStable } from './go-sort.ts';
import { badArgType, noListOfLists, noMergeKey, plainError } from './smp-errors.ts';

/** The Go type of a list element, as far as the algorithm distinguishes them. */
export type ElementType = 'map' | 'slice' | 'string' | 'number' | 'bool' | 'nil';

/** Go interface equality of two decoded scalars (null and absent are both Go nil). */
export function goEqual(a: unknown, b: unknown): boolean {
  return (a === null || a === undefined) ? (b === null || b === undefined) : a === b;
}

function elementType(v: unknown): ElementType {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (isJsonObject(v)) return 'map';
  return typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'bool';
}

/**
 * The common element type of the lists (upstream's sliceElementType).
 * @throws PatchError 422 `lists of lists are not supported`, 500 `list element types are not identical: ...`
 *   or `no elements in any of the given slices`.
 */
export function sliceElementType(...lists: unknown[][]): ElementType {
  let prev: ElementType | undefined;
  for (const list of lists) {
    for (const v of list) {
      const current = elementType(v);
      if (prev === undefined) {
        prev = current;
        if (prev === 'slice') throw noListOfLists();
      } else if (prev !== current) {
        throw plainError(`list element types are not identical: ${goV(lists)}`);
      }
    }
  }
  if (prev === undefined) throw plainError('no elements in any of the given slices');
  return prev;
}

/** Position of `item` in `list`, comparing merge-key values for maps and items otherwise; -1 if absent. */
export function indexIn(list: readonly unknown[], item: unknown, mergeKey: string, isMap: boolean): number {
  const keyOf = (v: unknown): unknown => (isMap ? (isJsonObject(v) ? getOwn(v, mergeKey) : undefined) : v);
  const wanted = keyOf(item);
  return list.findIndex((v) => goEqual(wanted, keyOf(v)));
}

/** @throws PatchError unless every item of every list is a map carrying `mergeKey`. */
export function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isJsonObject(item)) throw badArgType('map', item);
      if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
}

/** Splits maps into those without and those with `$patch: delete`. */
export function extractToDeleteItems(list: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const toDelete: unknown[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw badArgType('map', v);
    (v.$patch === 'delete' ? toDelete : keep).push(v);
  }
  return [keep, toDelete];
}

function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, isMap: boolean): unknown[] {
  let sorted = [...toSort];
  let toDelete: unknown[] = [];
  if (isMap) {
    validateMergeKeyInLists(mergeKey, sorted, order);
    [sorted, toDelete] = extractToDeleteItems(sorted);
  }
  goSliceStable(sorted, (x, y) => {
    const ix = indexIn(order, x, mergeKey, isMap);
    if (ix < 0) return true;
    const iy = indexIn(order, y, mergeKey, isMap);
    return iy < 0 || ix < iy;
  });
  return [...sorted, ...toDelete];
}

function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, isMap: boolean): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, isMap);
      const ri = indexIn(serverOrder, right[j], mergeKey, isMap);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * Orders patch items by `patchOrder` and server-only items by `serverOrder`, then interleaves
 * them (upstream's normalizeElementOrder; patch order wins over live order).
 */
export function normalizeElementOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: unknown[],
  serverOrder: unknown[], mergeKey: string, type: ElementType): unknown[] {
  const isMap = type === 'map';
  const patch = normalizeSliceOrder(patchItems, patchOrder, mergeKey, isMap);
  const server = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, isMap);
  return mergeSortedSlice(server, patch, serverOrder, mergeKey, isMap);
}

/** Splits scalars into those present in `by` and the rest. */
export function partitionPrimitives(list: unknown[], by: unknown[]): [unknown[], unknown[]] {
  const present = new Set(by.map((v) => v ?? null));
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) (present.has(v ?? null) ? inPatch : serverOnly).push(v);
  return [inPatch, serverOnly];
}

/** Finds the first map in `list` whose `key` equals `value`. @throws PatchError for a non-map element. */
export function findMapByKey(list: unknown[], key: string, value: unknown): { map: JsonObject; index: number } | undefined {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isJsonObject(v)) throw plainError(`value for key ${i} is not a map`);
    if (hasOwn(v, key) && goEqual(v[key], value)) return { map: v, index: i };
  }
  return undefined;
}

/** Splits maps into those whose merge key appears in `by` and the rest. */
export function partitionMaps(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw badArgType('map', v);
    if (!hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    (findMapByKey(by, mergeKey, v[mergeKey]) ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

/**
 * Upstream's in-place de-duplication of `list` (a duplicate's slot receives the last element);
 * returns the new length. Slots past it keep stale values, as a Go backing array does.
 */
export function deduplicateInPlace(list: unknown[]): number {
  let length = list.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (goEqual(list[i], list[j])) {
        list[j] = list[length];
        length--;
        j--;
      }
    }
  }
  return length + 1;
}

/**
 * The capacity Go gives a decoded list of `length` elements (grown by append: powers of two).
 * Upstream's results depend on it when a list with duplicates is merged in place.
 */
export function goDecodedCapacity(length: number): number {
  let cap = length === 0 ? 0 : 1;
  while (cap < length) cap *= 2;
  return cap;
}

/** `current` without the scalars listed in `toDelete`. */
export function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const gone = new Set(toDelete.map((v) => v ?? null));
  return current.filter((v) => !gone.has(v ?? null));
}
