/**
 * Entry point for PATCH handlers: content-type handling and body decoding as
 * kube-apiserver's PatchResource does, then dispatch to the three patch flavours.
 */
import { PatchError } from './errors.ts';
import { applyJsonPatch } from './json-patch.ts';
import type { JsonPatchOptions } from './json-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import type { PatchSchema, StrategicMergePatchOptions } from './strategic-merge-patch.ts';

/** RFC 6902 JSON Patch. */
export const JSON_PATCH_TYPE = 'application/json-patch+json';
/** RFC 7386 JSON Merge Patch. */
export const MERGE_PATCH_TYPE = 'application/merge-patch+json';
/** Kubernetes strategic merge patch (kube-apiserver refuses it for custom resources with 415). */
export const STRATEGIC_MERGE_PATCH_TYPE = 'application/strategic-merge-patch+json';

/** A patch media type this package applies. */
export type PatchType = typeof JSON_PATCH_TYPE | typeof MERGE_PATCH_TYPE | typeof STRATEGIC_MERGE_PATCH_TYPE;

/** The patch types in the order kube-apiserver lists them for built-in kinds. */
export const PATCH_TYPES: readonly PatchType[] = [JSON_PATCH_TYPE, MERGE_PATCH_TYPE, STRATEGIC_MERGE_PATCH_TYPE];

/**
 * The patch type named by a Content-Type header, as kube-apiserver reads it: everything before
 * the first `;` (when `;` is not the first character), compared case-sensitively. Returns
 * undefined for anything else; the caller answers 415 (see `unsupportedMediaType` in errors/).
 */
export function patchTypeOf(contentType: string | undefined, accepted: readonly string[] = PATCH_TYPES): PatchType | undefined {
  let type = contentType ?? '';
  const semicolon = type.indexOf(';');
  if (semicolon > 0) type = type.slice(0, semicolon);
  return accepted.includes(type) && (PATCH_TYPES as readonly string[]).includes(type) ? (type as PatchType) : undefined;
}

/** Parses a patch body. @throws PatchError 400 `invalid JSON patch` when it is not valid JSON. */
export function decodePatchBody(body: string | Uint8Array): unknown {
  const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { ignoreBOM: true }).decode(body);
  try {
    return JSON.parse(text);
  } catch {
    throw new PatchError(400, 'invalid JSON patch');
  }
}

/** Options for {@link applyPatch}. */
export interface ApplyPatchOptions {
  /** Schema of the object, for strategic merge patch (see smp-schema.ts). */
  schema?: PatchSchema;
  jsonPatch?: JsonPatchOptions;
  strategicMergePatch?: StrategicMergePatchOptions;
}

/**
 * Applies a decoded patch of `type` to a copy of `original`.
 * @throws PatchError with the code and text kube-apiserver would answer with.
 */
export function applyPatch(type: PatchType, original: unknown, patch: unknown, options: ApplyPatchOptions = {}): unknown {
  switch (type) {
    case JSON_PATCH_TYPE: return applyJsonPatch(original, patch, options.jsonPatch);
    case MERGE_PATCH_TYPE: return applyMergePatch(original, patch);
    case STRATEGIC_MERGE_PATCH_TYPE: return applyStrategicMergePatch(original, patch, options.schema, options.strategicMergePatch);
  }
}
