/**
 * The types the manifest builders share: one Kubernetes object as plain JSON, tagged with the
 * setup step (1-15 of the mission) it performs, and the specification the objects derive from.
 */
import type { ObjectNames, Target } from '../target.ts';

/** One Kubernetes object, as it is applied (wire field names). */
export interface KubeManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** An object and the setup step it belongs to. */
export interface StepObject {
  /** The setup step (3-14) this object performs. */
  step: number;
  object: KubeManifest;
}

/** Where the server keeps its objects; decides replicas and volumes. */
export type StorageSpec =
  | { kind: 'embedded'; size: string }
  | { kind: 'memory' }
  | { kind: 'etcd'; servers: string[]; clientSecret?: string };

/** Where the serving certificate and caBundle come from. */
export type TlsSpec =
  | { kind: 'files'; caBundlePem: string; certPem: string; keyPem: string; caPem: string }
  | { kind: 'cert-manager'; days: number };

/** Everything the manifests derive from. */
export interface ManifestSpec {
  target: Target;
  names: ObjectNames;
  image: string;
  storage: StorageSpec;
  replicas: number;
  /** A server running outside the cluster: ExternalName Service, no Deployment, Secret or PDB. */
  external?: { host: string; port: number };
  tls: TlsSpec;
}

/** Port the server listens on in its pod. */
export const CONTAINER_PORT = 8443;
/** Port of the Service (and of the APIService's service reference). */
export const SERVICE_PORT = 443;
/** Where the serving Secret is mounted; passed as `--tls-cert-dir`. */
export const CERT_MOUNT = '/var/run/extapi/serving-cert';
/** Where embedded storage keeps its data; passed as `--data-dir`. */
export const DATA_MOUNT = '/var/lib/extapi';
/** Where the etcd client Secret (`--etcd-secret`) is mounted. */
export const ETCD_CLIENT_MOUNT = '/var/run/extapi/etcd-client';
/**
 * Seconds a server of a rolling Deployment keeps serving after SIGTERM while /readyz fails
 * (`--shutdown-delay`): endpoints and kube-proxy's rules drop the pod before it stops listening.
 * Such a server also runs with `--disable-http2` (see serverArgs).
 */
export const ROLLING_SHUTDOWN_DELAY_SECONDS = 10;
/** Every object carries this label; uninstall and doctor find objects by it. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'extapi' } as const;

/** The labels of every object of a setup. */
export function commonLabels(spec: Pick<ManifestSpec, 'target'>): Record<string, string> {
  return { ...selectorLabels(spec), ...MANAGED_BY };
}

/** The labels that select the server's pods. */
export function selectorLabels(spec: Pick<ManifestSpec, 'target'>): Record<string, string> {
  return { 'app.kubernetes.io/name': spec.target.service, 'app.kubernetes.io/instance': `${spec.target.namespace}.${spec.target.service}` };
}

/** base64 of a UTF-8 string. */
export function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}
