import type { KubeClient } from '../../kube/client.ts';
import { TtlCache } from '../ttl-cache.ts';
import type { AuthorizationAttributes, Authorizer, Decision } from '../types.ts';

/** Options of the SubjectAccessReview authorizer. */
export interface SubjectAccessReviewOptions {
  /** Groups allowed without asking (k8s.io/apiserver: system:masters). */
  alwaysAllowGroups?: string[];
  /** Cache TTLs (k8s.io/apiserver defaults: 10 s each). */
  allowTtlMs?: number;
  denyTtlMs?: number;
}

/** The spec of a SubjectAccessReview for a request, with attributes derived as kube-apiserver derives them. */
export function subjectAccessReviewSpec({ user, info }: AuthorizationAttributes): Record<string, unknown> {
  const spec: Record<string, unknown> = { user: user.username, groups: user.groups };
  if (user.uid) spec.uid = user.uid;
  if (user.extra && Object.keys(user.extra).length > 0) spec.extra = user.extra;
  if (info.isResourceRequest) {
    spec.resourceAttributes = {
      namespace: info.namespace || undefined, verb: info.verb, group: info.apiGroup, version: info.apiVersion,
      resource: info.resource, subresource: info.subresource || undefined, name: info.name || undefined,
    };
  } else {
    spec.nonResourceAttributes = { path: info.path, verb: info.verb };
  }
  return spec;
}

/**
 * Authorization delegated to kube-apiserver with a SubjectAccessReview (step 12's
 * `system:auth-delegator`). Decisions are cached briefly; members of `alwaysAllowGroups` are
 * allowed without a review.
 */
export function createSubjectAccessReviewAuthorizer(client: KubeClient, opts: SubjectAccessReviewOptions = {}): Authorizer {
  const alwaysAllow = opts.alwaysAllowGroups ?? ['system:masters'];
  const cache = new TtlCache<Decision>();
  return {
    async authorize(attrs) {
      if (attrs.user.groups.some((g) => alwaysAllow.includes(g))) return { decision: 'Allow' };
      const spec = subjectAccessReviewSpec(attrs);
      const key = JSON.stringify(spec);
      const cached = cache.get(key);
      if (cached) return cached;
      const review = await client.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
      });
      const status = review?.status ?? {};
      const decision: Decision = status.allowed
        ? { decision: 'Allow', reason: status.reason }
        : { decision: status.denied ? 'Deny' : 'NoOpinion', reason: status.reason || undefined };
      cache.set(key, decision, decision.decision === 'Allow' ? opts.allowTtlMs ?? 10_000 : opts.denyTtlMs ?? 10_000);
      return decision;
    },
  };
}
