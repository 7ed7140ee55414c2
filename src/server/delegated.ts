import type { Resource } from '../resource/define-resource.ts';
import { loadKubeClient } from '../kube/client.ts';
import { AuthenticationConfigSource, type ConfigMapRef } from '../auth/delegating/authentication-config.ts';
import { createRequestHeaderAuthenticator } from '../auth/request-header.ts';
import { createX509Authenticator } from '../auth/x509.ts';
import { createTokenReviewAuthenticator } from '../auth/delegating/token-review.ts';
import { createSubjectAccessReviewAuthorizer } from '../auth/delegating/subject-access-review.ts';
import { createApiServer, type ApiServer, type ServingLimits, type TlsMaterial } from './server.ts';
import { NamespaceLifecycle } from '../admission/namespace-lifecycle.ts';
import { AdmissionWebhooks } from '../admission/webhooks/plugin.ts';
import { ValidatingAdmissionPolicies } from '../admission/policies/plugin.ts';
import { hostname } from 'node:os';

/**
 * A throw-away self-signed serving pair, used only when no --tls-cert-dir is given; says so
 * loudly, because no APIService caBundle can trust it.
 */
async function selfSignedPair(): Promise<() => { cert: string; key: string }> {
  // Loaded only here: the X.509 library takes tens of milliseconds to load, and a server given
  // --tls-cert-dir never needs it.
  const { createCertificateAuthority, issueServingCertificate } = await import('../certs/index.ts');
  const ca = await createCertificateAuthority({ commonName: 'extapi-self-signed' });
  const pair = await issueServingCertificate(ca, { dnsNames: ['localhost', hostname()], ipAddresses: ['127.0.0.1'] });
  console.error('*** WARNING: no --tls-cert-dir given: serving with a SELF-SIGNED certificate generated at start-up. '
    + 'No APIService caBundle can verify it; mount the serving certificate Secret and pass --tls-cert-dir. ***');
  return () => ({ cert: pair.certPem, key: pair.keyPem });
}
import { createServingPairReader } from './tls-files.ts';
import type { Auditor } from '../audit/index.ts';
import { openStorage, type StorageOptions } from './storage-options.ts';

/** Options of runDelegated. */
export interface DelegatedOptions {
  resources: Resource[];
  storage: StorageOptions;
  port: number;
  host: string;
  /** Directory with tls.crt/tls.key (a mounted Secret); without it a self-signed pair is generated and a warning printed. */
  tlsCertDir?: string;
  /** Out-of-cluster kubeconfig; in-cluster service account when omitted. */
  kubeconfig?: string;
  authenticationConfigMap?: ConfigMapRef;
  /** Token audiences for TokenReview. */
  audiences?: string[];
  /** In-flight, timeout and connection limits (default: kube-apiserver's). */
  limits?: ServingLimits;
  /** Audit policy and backends (--audit-* flags). */
  audit?: Auditor;
}

/**
 * Runs the server as the aggregation layer expects (steps 8, 12, 13): serving certificate from
 * the mounted Secret (reloaded on change), front-proxy identity trusted only per
 * `extension-apiserver-authentication`, client certificates, bearer tokens by TokenReview, and
 * every request authorized by SubjectAccessReview. Ready once storage and the trust
 * configuration are loaded.
 */
export async function runDelegated(opts: DelegatedOptions): Promise<ApiServer> {
  const client = loadKubeClient({ kubeconfig: opts.kubeconfig });
  const authConfig = new AuthenticationConfigSource(client, opts.authenticationConfigMap);
  const namespaces = new NamespaceLifecycle(client);
  const webhooks = new AdmissionWebhooks(client, namespaces.labels);
  const policies = new ValidatingAdmissionPolicies(client, namespaces);
  const watchers = [authConfig, namespaces, webhooks, policies];
  // The first reads from kube-apiserver, opening the storage and the serving pair do not depend
  // on each other: they run at once, so start-up waits for the slowest, not for their sum.
  const [storageOpened, pairOpened] = await Promise.allSettled([
    openStorage(opts.storage, opts.resources),
    (async () => (opts.tlsCertDir ? createServingPairReader(opts.tlsCertDir) : selfSignedPair()))(),
    ...watchers.map((w) => w.start()),
  ]);
  if (storageOpened.status === 'rejected' || pairOpened.status === 'rejected') {
    for (const w of watchers) w.stop();
    if (storageOpened.status === 'fulfilled') await storageOpened.value.close();
    throw storageOpened.status === 'rejected' ? storageOpened.reason : (pairOpened as PromiseRejectedResult).reason;
  }
  const storage = storageOpened.value;
  const servingPair = pairOpened.value;
  servingPair();
  const tls = (): TlsMaterial => {
    const pair = servingPair();
    const cfg = authConfig.current();
    const cas = [cfg?.requestHeader?.caPem, cfg?.clientCaPem].filter(Boolean).join('\n');
    return { cert: pair.cert, key: pair.key, clientCAs: cas || undefined };
  };
  const server = createApiServer({
    ...opts.limits, resources: opts.resources, storage, tls,
    authenticators: [
      createRequestHeaderAuthenticator(() => authConfig.current()?.requestHeader),
      createX509Authenticator(() => authConfig.current()?.clientCaPem),
      createTokenReviewAuthenticator(client, { audiences: opts.audiences }),
    ],
    authorizer: createSubjectAccessReviewAuthorizer(client),
    admission: [namespaces, policies, webhooks],
    audit: opts.audit,
    readyChecks: [
      { name: 'authentication-config', check: () => authConfig.checkLoaded() },
      { name: 'namespace-informer', check: () => namespaces.checkSynced() },
      { name: 'admission-webhook-configurations', check: () => webhooks.checkSynced() },
      { name: 'admission-policies', check: () => policies.checkSynced() },
      ...(storage.healthCheck ? [{ name: 'storage', check: () => storage.healthCheck!() }] : []),
    ],
  });
  await server.listen(opts.port, opts.host);
  const close = server.close;
  return { ...server, close: async () => { authConfig.stop(); namespaces.stop(); webhooks.stop(); policies.stop(); await close(); await storage.close(); } };
}
