import type { KubeObject } from '../../apimachinery/types.ts';
import { StatusError } from '../../errors/status-error.ts';
import type { JsonSchema } from '../../resource/define-resource.ts';
import { PatchError } from '../../patch/errors.ts';
import { applyJsonPatch } from '../../patch/json-patch.ts';
import { applyMergePatch } from '../../patch/merge-patch.ts';
import { applyStrategicMergePatch, type PatchSchema } from '../../patch/strategic-merge-patch.ts';
import type { BodyType } from '../negotiation.ts';
import { jsonDepth, MAX_JSON_DEPTH } from '../json-depth.ts';

/** ObjectMeta's patch directives (finalizers merge as a set; ownerReferences by uid), as the Go types declare them. */
const OBJECT_META_PATCH_SCHEMA: PatchSchema = {
  type: 'object',
  properties: {
    finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' },
    ownerReferences: { type: 'array', items: { type: 'object' }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'uid' },
  },
} as PatchSchema;

const schemaCache = new WeakMap<JsonSchema, PatchSchema>();

function withMetadata(schema: JsonSchema): PatchSchema {
  let cached = schemaCache.get(schema);
  if (!cached) {
    const properties = { ...((schema as { properties?: Record<string, unknown> }).properties ?? {}), metadata: OBJECT_META_PATCH_SCHEMA };
    cached = { ...schema, properties } as PatchSchema;
    schemaCache.set(schema, cached);
  }
  return cached;
}

/**
 * Applies a patch body of `type` to `current` (in the request's version) and returns the
 * patched object. Malformed patches answer 400 BadRequest; patches that cannot apply (a failed
 * `test`, a missing path) answer 422 as kube-apiserver does. A strategic merge patch whose list
 * element lacks its merge key answers 400 (kube-apiserver answers 500 there; we never answer a
 * 5xx for bad input).
 */
export function applyPatch(type: BodyType, current: KubeObject, patchText: string, schema: JsonSchema): KubeObject {
  let patch: unknown;
  if (jsonDepth(patchText) > MAX_JSON_DEPTH) throw new StatusError(400, 'BadRequest', `error decoding patch: exceeded max depth of ${MAX_JSON_DEPTH}`);
  try {
    patch = JSON.parse(patchText);
  } catch (err) {
    throw new StatusError(400, 'BadRequest', `error decoding patch: ${(err as Error).message}`);
  }
  try {
    switch (type) {
      case 'json-patch': return applyJsonPatch(current, patch);
      case 'merge-patch': return mergePatchResult(applyMergePatch(current, patch));
      case 'strategic-merge-patch': return applyStrategicMergePatch(current, patch, withMetadata(schema)) as KubeObject;
      default: throw new StatusError(415, 'UnsupportedMediaType', `unsupported patch type ${type}`);
    }
  } catch (err) {
    if (err instanceof PatchError) {
      if (err.code === 500) throw new StatusError(400, 'BadRequest', err.message);
      throw err.toStatusError();
    }
    throw err;
  }
}

function mergePatchResult(value: unknown): KubeObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new StatusError(400, 'BadRequest', 'the merge patch must produce an object');
  }
  return value as KubeObject;
}
