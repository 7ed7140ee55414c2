import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../apimachinery/types.ts';
import type { OperationContext, Resource } from '../../resource/define-resource.ts';
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
