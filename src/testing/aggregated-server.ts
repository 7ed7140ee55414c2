/**
 * A user's resources served in-process behind a real kube-apiserver's aggregator, for e2e tests:
 * delegated authentication/authorization, a serving certificate from a fresh CA, and the same
 * objects `extapi deploy --external` applies (Namespace, RBAC, ExternalName Service, APIServices).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueServingCertificate } from '../certs/index.ts';
import { waitForApiService, waitForKubectlReady } from '../cli/deploy/wait.ts';
import { deleteIfExists, serverSideApply } from '../cli/kube/apply.ts';
import { buildManifests } from '../cli/manifests/build.ts';
import type { ManifestSpec } from '../cli/manifests/types.ts';
import { objectNames, planGroups, type Target } from '../cli/target.ts';
import { loadKubeClient } from '../kube/client.ts';
import type { Resource } from '../resource/define-resource.ts';
import type { ApiServer } from '../server/server.ts';
import { runDelegated } from '../server/delegated.ts';
import type { StorageOptions } from '../server/storage-options.ts';
import type { ControlPlane } from './control-plane-state.ts';
import { freeLoopbackPorts } from './ports.ts';

/** Options of {@link serveBehindAggregator}. */
export interface AggregatedServerOptions {
  /** Namespace of the Service (created; default `extapi-test-<random>`). */
  namespace?: string;
  /** Service name (default `api`). */
  service?: string;
  /** How long to wait for every APIService to report Available and kube-apiserver to publish its OpenAPI (default 60 s). */
  timeoutMs?: number;
  /** Storage of the server (default memory). */
  storage?: StorageOptions;
}

/** A server registered behind the aggregator; `stop()` unregisters it and closes it. */
export interface AggregatedServer {
  server: ApiServer;
  /** `https://127.0.0.1:<port>`: the server itself (clients normally go through the control plane's URL). */
  url: string;
  namespace: string;
  /** APIService names, `<version>.<group>`. */
  apiServices: string[];
  stop(): Promise<void>;
}

/**
 * Starts `resources` in this process in delegated mode (memory storage unless `opts.storage`) on a free loopback port,
 * registers it on `cp` as `extapi deploy --external` does, and resolves once every APIService
 * is Available and kube-apiserver publishes its discovery and OpenAPI v3 (what kubectl reads).
 * Throws with the APIService's condition message, or what is not yet published, on timeout.
 * @example
 * const cp = await getSharedControlPlane();
 * const api = await serveBehindAggregator(cp, resources);
 * await cp.kubectl(['get', 'widgets', '-A']);
 * await api.stop(); await cp.stop();
 */
export async function serveBehindAggregator(cp: ControlPlane, resources: Resource[], opts: AggregatedServerOptions = {}): Promise<AggregatedServer> {
  const namespace = opts.namespace ?? `extapi-test-${randomBytes(3).toString('hex')}`;
  const target: Target = { namespace, service: opts.service ?? 'api', serviceAccount: 'api', groups: planGroups(resources), resources };
  const names = objectNames(target);
  const ca = await createCertificateAuthority({ commonName: `${names.serviceDnsName}-ca` });
  const serving = await issueServingCertificate(ca, { dnsNames: [names.serviceDnsName, 'localhost'], ipAddresses: ['127.0.0.1'] });
  const certDir = await mkdtemp(join(tmpdir(), 'extapi-serving-'));
  await writeFile(join(certDir, 'tls.crt'), serving.certPem);
  await writeFile(join(certDir, 'tls.key'), serving.keyPem);
  const [port] = await freeLoopbackPorts(1);
  const spec: ManifestSpec = {
    target, names, image: 'unused', storage: { kind: 'memory' }, replicas: 1, external: { host: 'localhost', port },
    tls: { kind: 'files', caBundlePem: ca.certPem, certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem },
  };
  const admin = loadKubeClient({ kubeconfig: cp.adminKubeconfigPath });
  const server = await runDelegated({
    resources, storage: opts.storage ?? { kind: 'memory' }, port, host: '127.0.0.1', tlsCertDir: certDir,
    kubeconfig: await cp.mintKubeconfig(names.serviceAccountUser),
  });
  const objects = buildManifests(spec).map((o) => o.object);
  const stop = async (): Promise<void> => {
    for (const name of names.apiServices) await deleteIfExists(admin, `/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
    await server.close();
    for (const o of objects.filter((x) => x.apiVersion.startsWith('rbac.authorization.k8s.io/') && x.metadata.namespace !== namespace)) {
      const scope = o.metadata.namespace ? `namespaces/${o.metadata.namespace}/` : '';
      await deleteIfExists(admin, `/apis/rbac.authorization.k8s.io/v1/${scope}${o.kind.toLowerCase()}s/${o.metadata.name}`);
    }
    // No kube-controller-manager on a test plane: the namespace is deleted without waiting for it to go.
    await deleteIfExists(admin, `/api/v1/namespaces/${namespace}`);
    await rm(certDir, { recursive: true, force: true });
  };
  try {
    for (const object of objects) await serverSideApply(admin, object);
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (const name of names.apiServices) {
      const result = await waitForApiService(admin, name, deadline, () => undefined);
      if (!result.ok) throw new Error(`APIService ${name} did not become Available: ${result.message}`);
    }
    // Available is not enough for kubectl: the aggregator fetches discovery and OpenAPI afterwards.
    const published = await waitForKubectlReady(admin, target.groups, deadline, () => undefined);
    if (!published.ok) throw new Error(`kube-apiserver has not published what kubectl needs: ${published.message}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { server, url: `https://127.0.0.1:${port}`, namespace, apiServices: names.apiServices, stop };
}
