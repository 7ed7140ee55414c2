import type { RequestInfo } from '../endpoints/request-info.ts';
import type { UserInfo } from '../resource/define-resource.ts';

/**
 * The "why" part of a 403 as kube-apiserver words it, e.g. `User "bob" cannot list resource
 * "flunders" in API group "wardle.example.com" in the namespace "default"`, with the
 * authorizer's reason appended after `: ` when it gave one.
 */
export function forbiddenMessage(user: UserInfo, info: RequestInfo, reason?: string): string {
  let message: string;
  if (!info.isResourceRequest) {
    message = `User "${user.username}" cannot ${info.verb} path "${info.path}"`;
  } else {
    const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
    message = `User "${user.username}" cannot ${info.verb} resource "${resource}" in API group "${info.apiGroup}"`;
    message += info.namespace ? ` in the namespace "${info.namespace}"` : ' at the cluster scope';
  }
  return reason ? `${message}: ${reason}` : message;
}
