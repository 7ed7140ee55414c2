import type { KubeObject } from '../../apimachinery/types.ts';
import { StatusError } from '../../errors/status-error.ts';
import type { JsonSchema } from '../../resource/define-resource.ts';
import { PatchError } from '../../patch/errors.ts';
import type { PatchSchema } from '../../patch/strategic-merge-patch.ts';
import {
  applyPatch as applyDecodedPatch, decodePatchBody, JSON_PATCH_TYPE, MERGE_PATCH_TYPE, STRATEGIC_MERGE_PATCH_TYPE, type PatchType,
} from '../../patch/apply.ts';
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

const MEDIA_TYPES: Partial<Record<BodyType, PatchType>> = {
  'json-patch': JSON_PATCH_TYPE, 'merge-patch': MERGE_PATCH_TYPE, 'strategic-merge-patch': STRATEGIC_MERGE_PATCH_TYPE,
};

/**
 * Applies a patch body of `type` to `current` (in the request's version) and returns the
 * patched object. Malformed patches answer 400 BadRequest (`invalid JSON patch`, as
 * kube-apiserver); patches that cannot apply (a failed `test`, a missing path) answer 422. A
 * strategic merge patch whose list element lacks its merge key answers 400 (kube-apiserver
 * answers 500 there; we never answer a 5xx for bad input).
 */
export function applyPatch(type: BodyType, current: KubeObject, patchText: string, schema: JsonSchema): KubeObject {
  const patchType = MEDIA_TYPES[type];
  if (!patchType) throw new StatusError(415, 'UnsupportedMediaType', `unsupported patch type ${type}`);
  if (jsonDepth(patchText) > MAX_JSON_DEPTH) throw new StatusError(400, 'BadRequest', `invalid JSON patch: exceeded max depth of ${MAX_JSON_DEPTH}`);
  try {
    const patched = applyDecodedPatch(patchType, current, decodePatchBody(patchText), { schema: withMetadata(schema) });
    if (patched === null || typeof patched !== 'object' || Array.isArray(patched)) {
      throw new StatusError(400, 'BadRequest', 'the patch must produce an object');
    }
    return patched as KubeObject;
  } catch (err) {
    if (err instanceof PatchError) {
      if (err.code === 500) throw new StatusError(400, 'BadRequest', err.message);
      throw err.toStatusError();
    }
    throw err;
  }
}
