import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../apimachinery/types.ts';
import type { OperationContext, Resource } from '../../resource/define-resource.ts';
import { VersionCodec } from '../../endpoints/codec.ts';
import { dropEmptyMetadata } from '../../registry/object-meta.ts';
import type { AdmissionRequest } from './types.ts';

/** One admission call's facts, independent of the webhook: the request as the client made it. */
export interface AdmissionAttributes {
  resource: Resource;
  ctx: OperationContext;
  /** The version the client used. */
  requestVersion: string;
}

/**
 * The AdmissionReview request for a webhook that sees the resource at `version` (the request's
 * own, or an equivalent one under matchPolicy Equivalent), with objects already in that version.
 */
export function admissionRequest(a: AdmissionAttributes, version: string, object: KubeObject | null, oldObject: KubeObject | null): AdmissionRequest {
  const { resource, ctx } = a;
  const gvk = (v: string) => ({ group: resource.group, version: v, kind: resource.kind });
  const gvr = (v: string) => ({ group: resource.group, version: v, resource: resource.plural });
  const user = ctx.user;
  return dropEmpty({
    uid: randomUUID(),
    kind: gvk(version), resource: gvr(version), subResource: ctx.subresource,
    requestKind: gvk(a.requestVersion), requestResource: gvr(a.requestVersion), requestSubResource: ctx.subresource,
    name: ctx.name, namespace: ctx.namespace, operation: ctx.operation,
    userInfo: dropEmpty({ username: user?.username, uid: user?.uid, groups: user?.groups?.length ? user.groups : undefined, extra: user?.extra }),
    object, oldObject, dryRun: ctx.dryRun, options: ctx.options ?? null,
  }) as AdmissionRequest;
}

function dropEmpty<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as (keyof T)[]) if (obj[key] === undefined || obj[key] === '') delete obj[key];
  return obj;
}

/** The admission attributes of one operation; the version is the client's, or the storage version. */
export function admissionAttributes(ctx: OperationContext, resource: Resource): AdmissionAttributes {
  const storage = resource.versions.find((v) => v.storage)?.name ?? resource.versions[0].name;
  return { resource, ctx, requestVersion: ctx.requestVersion ?? storage };
}

const codecs = new WeakMap<Resource, Map<string, VersionCodec>>();

/** The codec of one version of `resource` (kept per resource and version). */
export function admissionCodec(resource: Resource, version: string): VersionCodec {
  let byVersion = codecs.get(resource);
  if (!byVersion) codecs.set(resource, byVersion = new Map());
  let codec = byVersion.get(version);
  if (!codec) {
    codec = new VersionCodec(resource, resource.versions.find((v) => v.name === version)!);
    byVersion.set(version, codec);
  }
  return codec;
}

/** A stored object in `codec`'s version as kube-apiserver serializes it for admission: empty labels, annotations, finalizers left out. */
export function asSent(codec: VersionCodec, obj: KubeObject): KubeObject {
  const copy = codec.fromStorage(obj);
  dropEmptyMetadata(copy);
  return copy;
}
