import type { Connecter } from '../../rest/interfaces.ts';
import { scopeNamespace, type RequestScope } from '../scope.ts';

/**
 * A connect subresource (like pods/log): the REST object answers the exchange itself, after
 * authentication and authorization as the subresource. Long-running: no request timeout, and
 * `signal` ends when the client leaves or the server shuts down.
 */
export async function handleConnect(scope: RequestScope<Connecter>): Promise<void> {
  await scope.rest.connect({
    namespace: scopeNamespace(scope), name: scope.info.name, query: scope.query, user: scope.user,
    req: scope.req, res: scope.res, signal: scope.ended.signal,
  });
}
