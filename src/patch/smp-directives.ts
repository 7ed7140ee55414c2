/**
 * Strategic merge patch directives: `$patch`, `$retainKeys`, `$setElementOrder/<list>`,
 * `$deleteFromPrimitiveList/<list>`, with upstream's validation and error texts.
 */
import { goV } from './go-format.ts';
import { hasOwn, isJsonObject, setOwn } from './json-value.ts';
import type { JsonObject } from './json-value.ts';
import {
  badArgType, badPatchFormatForPrimitiveList, badPatchFormatForRetainKeys, badPatchFormatForSetElementOrderList,
  badPatchType, noMergeKey, plainError,
} from './smp-errors.ts';
import { extractToDeleteItems, goEqual } from './smp-order.ts';

/** The `$patch` directive key. */
export const DIRECTIVE_MARKER = '$patch';
/** Prefix of the parallel list deleting scalars from a merged primitive list. */
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';
/** Prefix of the parallel list fixing the order of a merged list. */
export const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';
/** The `$retainKeys` directive key. */
export const RETAIN_KEYS_DIRECTIVE = '$retainKeys';

/**
 * `$patch` on a map: `replace` yields the patch itself (minus the marker), `delete` an empty map.
 * @throws PatchError 500 `unknown patch type: merge in map: map[...]` for anything else.
 */
export function handleMapDirective(directive: unknown, patch: JsonObject): JsonObject {
  if (directive === 'replace') {
    delete patch[DIRECTIVE_MARKER];
    return patch;
  }
  if (directive === 'delete') return {};
  throw badPatchType(directive, patch);
}

/** The list field a `$deleteFromPrimitiveList/x` or `$setElementOrder/x` key names. @throws PatchError 400 */
export function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST_PREFIX) throw badPatchFormatForPrimitiveList();
    throw badPatchFormatForSetElementOrderList();
  }
  return key.slice(slash + 1);
}

/**
 * Strips `$patch` maps out of a value that is copied in verbatim. Returns the value and
 * whether to keep it at all (a map carrying `$patch` is dropped). Mutates maps in place.
 */
export function removeDirectives(value: unknown): [unknown, boolean] {
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    for (const v of value) {
      const [nv, keep] = removeDirectives(v);
      if (keep) kept.push(nv);
    }
    return [kept, true];
  }
  if (!isJsonObject(value)) return [value, true];
  if (hasOwn(value, DIRECTIVE_MARKER)) return [null, false];
  for (const [k, v] of Object.entries(value)) {
    const [nv, keep] = removeDirectives(v);
    if (keep) setOwn(value, k, nv);
    else delete value[k];
  }
  return [value, true];
}

/** Deletes null members of maps, recursively through maps and lists (in place). */
export function discardNullValues(value: unknown): void {
  if (Array.isArray(value)) value.forEach(discardNullValues);
  else if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === null) delete value[k];
      else discardNullValues(v);
    }
  }
}

/**
 * Applies `$retainKeys` (if present, removing it from `patch`): clears keys of `original` not
 * listed. @throws PatchError 400 `invalid patch format of retainKeys` when the directive is not
 * a list or the patch sets a key the list does not name.
 */
export function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const list = patch[RETAIN_KEYS_DIRECTIVE];
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(list)) throw badPatchFormatForRetainKeys();
  const retained = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) || k.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    if (!retained.has(k)) throw badPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) {
    if (!retained.has(k)) delete original[k];
  }
}

function containsDirectiveMarker(item: unknown): boolean {
  return isJsonObject(item) && hasOwn(item, DIRECTIVE_MARKER);
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return goEqual(left, right);
  if (!isJsonObject(left)) throw badArgType('map', left);
  if (!isJsonObject(right)) throw badArgType('map', right);
  if (!hasOwn(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!hasOwn(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return goEqual(left[mergeKey], right[mergeKey]);
}

/**
 * Checks that the patch list's items appear in `$setElementOrder` and in the same relative
 * order (deletions and directive items ignored).
 * @throws PatchError 500 `The order in patch list:\n...\n doesn't match $setElementOrder list:\n...\n`.
 */
export function validatePatchWithSetOrderList(patchList: unknown[], setOrderList: unknown[], mergeKey: string): void {
  if (setOrderList.length === 0 || patchList.length === 0) return;
  const items = mergeKey === '' ? patchList : extractToDeleteItems(patchList)[0];
  let pi = 0;
  let si = 0;
  while (pi < items.length && si < setOrderList.length) {
    if (containsDirectiveMarker(items[pi])) {
      pi++;
      continue;
    }
    if (mergeKeyValueEqual(items[pi], setOrderList[si], mergeKey)) pi++;
    si++;
  }
  if (pi < items.length && si >= setOrderList.length) {
    throw plainError(`The order in patch list:\n${goV(patchList)}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX} list:\n${goV(setOrderList)}\n`);
  }
}
