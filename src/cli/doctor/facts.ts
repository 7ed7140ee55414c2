/**
 * Gathers the doctor's facts: the objects of the setup (each tolerated absent or unreadable),
 * the APIServices' caBundle, where the server can be reached from here (an ExternalName
 * Service's host and the APIService port, or `--address`), and the certificate it presents.
 */
import { KubeApiError } from '../../kube/client.ts';
import type { Cluster } from '../cluster.ts';
import { splitHostPort } from '../flags.ts';
import { EXTERNAL_SERVER_ANNOTATION } from '../manifests/apiservice.ts';
import { objectNames, type Target } from '../target.ts';
import { fetchPeerCertificate } from '../probe/tls-probe.ts';
import type { DoctorFacts, Endpoint, Fetched } from './types.ts';

/** Options that shape the facts. */
export interface FactsOptions {
  /** `host:port` to probe the server at (e.g. after `kubectl port-forward`). */
  address?: string;
  certDir?: string;
}

async function fetch(cluster: Cluster, path: string): Promise<Fetched> {
  try {
    return { obj: await cluster.client.getOrNull(path) };
  } catch (err) {
    const reason = err instanceof KubeApiError ? `${err.code} ${err.reason}: ${err.message}` : (err as Error).message;
    return { obj: null, error: reason };
  }
}

function decodeBundle(apiServices: DoctorFacts['apiServices']): string | undefined {
  const b64 = apiServices.map((a) => a.obj?.spec?.caBundle as string | undefined).find(Boolean);
  return b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
}

/** The `host:port` deploy --external recorded on the APIServices, if any. */
function recordedExternal(apiServices: DoctorFacts['apiServices']): string | undefined {
  return apiServices.map((a) => a.obj?.metadata?.annotations?.[EXTERNAL_SERVER_ANNOTATION] as string | undefined).find(Boolean);
}

function endpointOf(service: Fetched, apiServices: DoctorFacts['apiServices'], address?: string): Endpoint | undefined {
  if (address) return { ...splitHostPort(address), source: '--address' };
  const recorded = recordedExternal(apiServices);
  if (service.obj?.spec?.type !== 'ExternalName') return recorded ? { ...splitHostPort(recorded), source: 'APIService annotation' } : undefined;
  const port = (apiServices.map((a) => a.obj?.spec?.service?.port as number | undefined).find(Boolean)) ?? 443;
  return { host: service.obj.spec.externalName, port, source: 'ExternalName Service' };
}

function fixHints(target: Target, endpoint: Endpoint | undefined, external: boolean, certDir?: string): DoctorFacts['hints'] {
  const base = `extapi deploy -n ${target.namespace} --service ${target.service} --service-account ${target.serviceAccount}`;
  const ext = external && endpoint ? ` --external ${endpoint.host}:${endpoint.port}` : '';
  const dir = certDir ? ` --cert-dir ${certDir}` : '';
  return {
    deploy: `${base}${ext}${dir}`,
    rotate: `extapi certs rotate -n ${target.namespace} --service ${target.service}${dir}`,
    certDir,
  };
}

/** Reads everything the checks need. Never throws for a missing or unreadable object. */
export async function gatherFacts(cluster: Cluster, target: Target, opts: FactsOptions = {}): Promise<DoctorFacts> {
  const names = objectNames(target);
  const ns = target.namespace;
  const [apiReg, namespace, service, serviceAccount, secret, deployment, ...apiServiceObjs] = await Promise.all([
    fetch(cluster, '/apis/apiregistration.k8s.io/v1'),
    fetch(cluster, `/api/v1/namespaces/${ns}`),
    fetch(cluster, `/api/v1/namespaces/${ns}/services/${target.service}`),
    fetch(cluster, `/api/v1/namespaces/${ns}/serviceaccounts/${target.serviceAccount}`),
    fetch(cluster, `/api/v1/namespaces/${ns}/secrets/${names.secret}`),
    fetch(cluster, `/apis/apps/v1/namespaces/${ns}/deployments/${names.deployment}`),
    ...names.apiServices.map((n) => fetch(cluster, `/apis/apiregistration.k8s.io/v1/apiservices/${n}`)),
  ]);
  const apiServices = names.apiServices.map((name, i) => ({ name, ...apiServiceObjs[i] }));
  const external = service.obj?.spec?.type === 'ExternalName' || recordedExternal(apiServices) !== undefined;
  const endpoint = endpointOf(service, apiServices, opts.address);
  const caBundlePem = decodeBundle(apiServices);
  const peer = endpoint
    ? await fetchPeerCertificate({ host: endpoint.host, port: endpoint.port, serverName: names.serviceDnsName, caBundlePem: caBundlePem ?? '' })
    : undefined;
  return {
    cluster, target, names, hints: fixHints(target, endpoint, external, opts.certDir),
    apiRegistrationServed: apiReg.obj !== null, namespace, service, serviceAccount, secret, deployment, apiServices,
    caBundlePem, external, endpoint, peer, credentials: await cluster.credentials(),
  };
}
