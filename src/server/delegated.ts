import type { Resource } from '../resource/define-resource.ts';
import { loadKubeClient } from '../kube/client.ts';
import { AuthenticationConfigSource, type ConfigMapRef } from '../auth/delegating/authentication-config.ts';
import { createRequestHeaderAuthenticator } from '../auth/request-header.ts';
import { createX509Authenticator } from '../auth/x509.ts';
import { createTokenReviewAuthenticator } from '../auth/delegating/token-review.ts';
import { createSubjectAccessReviewAuthorizer } from '../auth/delegating/subject-access-review.ts';
import { createApiServer, type ApiServer, type TlsMaterial } from './server.ts';
import { createServingPairReader } from './tls-files.ts';
import { openStorage, type StorageOptions } from './run.ts';

/** Options of runDelegated. */
export interface DelegatedOptions {
  resources: Resource[];
  storage: StorageOptions;
  port: number;
  host: string;
  /** Directory with tls.crt/tls.key; required. */
  tlsCertDir?: string;
  /** Out-of-cluster kubeconfig; in-cluster service account when omitted. */
  kubeconfig?: string;
  authenticationConfigMap?: ConfigMapRef;
  /** Token audiences for TokenReview. */
  audiences?: string[];
}

/**
 * Runs the server as the aggregation layer expects (steps 8, 12, 13): serving certificate from
 * the mounted Secret (reloaded on change), front-proxy identity trusted only per
 * `extension-apiserver-authentication`, client certificates, bearer tokens by TokenReview, and
 * every request authorized by SubjectAccessReview. Ready once storage and the trust
 * configuration are loaded.
 */
export async function runDelegated(opts: DelegatedOptions): Promise<ApiServer> {
  if (!opts.tlsCertDir) throw new Error('--tls-cert-dir is required in a cluster: mount the serving certificate Secret and point the flag at it');
  const client = loadKubeClient({ kubeconfig: opts.kubeconfig });
  const authConfig = new AuthenticationConfigSource(client, opts.authenticationConfigMap);
  await authConfig.start();
  const storage = await openStorage(opts.storage);
  const servingPair = createServingPairReader(opts.tlsCertDir);
  servingPair();
  const tls = (): TlsMaterial => {
    const pair = servingPair();
    const cfg = authConfig.current();
    const cas = [cfg?.requestHeader?.caPem, cfg?.clientCaPem].filter(Boolean).join('\n');
    return { cert: pair.cert, key: pair.key, clientCAs: cas || undefined };
  };
  const server = createApiServer({
    resources: opts.resources, storage, tls,
    authenticators: [
      createRequestHeaderAuthenticator(() => authConfig.current()?.requestHeader),
      createX509Authenticator(() => authConfig.current()?.clientCaPem),
      createTokenReviewAuthenticator(client, { audiences: opts.audiences }),
    ],
    authorizer: createSubjectAccessReviewAuthorizer(client),
    readyChecks: [
      { name: 'authentication-config', check: () => authConfig.checkLoaded() },
      ...(storage.healthCheck ? [{ name: 'storage', check: () => storage.healthCheck!() }] : []),
    ],
  });
  await server.listen(opts.port, opts.host);
  const close = server.close;
  return { ...server, close: async () => { authConfig.stop(); await close(); await storage.close(); } };
}
