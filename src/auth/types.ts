import type { HttpRequest } from '../endpoints/http.ts';
import type { RequestInfo } from '../endpoints/request-info.ts';
import type { UserInfo } from '../resource/define-resource.ts';

/** Finds who made a request; null means "no opinion" (the next authenticator is asked). */
export interface Authenticator {
  authenticate(req: HttpRequest): Promise<UserInfo | null> | UserInfo | null;
}

/** The attributes of an authorization decision, as kube-apiserver derives them. */
export interface AuthorizationAttributes {
  user: UserInfo;
  info: RequestInfo;
}

/** An authorizer's answer. */
export interface Decision {
  decision: 'Allow' | 'Deny' | 'NoOpinion';
  reason?: string;
}

/** Decides whether a user may do what a request asks. */
export interface Authorizer {
  authorize(attrs: AuthorizationAttributes): Promise<Decision> | Decision;
}

/** Adds `system:authenticated` as Kubernetes does for every authenticated, non-anonymous user. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.username === 'system:anonymous' || user.groups.includes('system:authenticated')) return user;
  return { ...user, groups: [...user.groups, 'system:authenticated'] };
}
