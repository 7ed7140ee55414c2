/**
 * RFC 7386 JSON Merge Patch (`application/merge-patch+json`) as kube-apiserver applies it
 * (gopkg.in/evanphx/json-patch.v4 MergePatch): null deletes, objects merge recursively,
 * everything else replaces. Like upstream, nulls are also pruned from objects nested in a
 * value that lands where the document had nothing (or a non-object).
 */
import { PatchError } from './errors.ts';
import { cloneJson, getOwn, isJsonObject, setOwn } from './json-value.ts';
import type { JsonObject } from './json-value.ts';

/** Drops null members from objects, recursively (arrays keep null elements), as upstream's pruneNulls. */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) v.forEach(pruneNulls);
  else if (isJsonObject(v)) {
    for (const [k, child] of Object.entries(v)) {
      if (child === null) delete v[k];
      else pruneNulls(child);
    }
  }
  return v;
}

function mergeValue(current: unknown, patch: unknown): unknown {
  if (!isJsonObject(current)) return pruneNulls(patch);
  if (!isJsonObject(patch)) return patch;
  return mergeObjects(current, patch);
}

function mergeObjects(doc: JsonObject, patch: JsonObject): JsonObject {
  for (const [k, v] of Object.entries(patch)) {
    const current = getOwn(doc, k);
    if (v === null) delete doc[k];
    else if (current === undefined || current === null) setOwn(doc, k, pruneNulls(v));
    else setOwn(doc, k, mergeValue(current, v));
  }
  return doc;
}

/**
 * Applies a JSON merge patch (already JSON-parsed) to a copy of `original`; inputs are not
 * modified. A patch that is an array replaces the whole document (the caller's decode of the
 * result then fails, as upstream's does).
 * @throws PatchError 400 `Invalid JSON Patch` when the patch is null or a scalar.
 */
export function applyMergePatch(original: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) return pruneNulls(cloneJson(patch));
  if (!isJsonObject(patch)) throw new PatchError(400, 'Invalid JSON Patch');
  if (!isJsonObject(original)) return pruneNulls(cloneJson(patch));
  return mergeObjects(cloneJson(original), cloneJson(patch));
}
