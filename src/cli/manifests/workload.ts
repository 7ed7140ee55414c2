/**
 * Steps 6-8 and the Service: the TLS Secret, the PersistentVolumeClaim of embedded storage,
 * the Deployment (Secret mounted and passed as `--tls-cert-dir`, HTTPS probes on /livez and
 * /readyz, resources, a restricted security context), the Service (ClusterIP, or ExternalName
 * for a server outside the cluster) and the PodDisruptionBudget.
 */
import {
  b64, CERT_MOUNT, commonLabels, CONTAINER_PORT, DATA_MOUNT, ETCD_CLIENT_MOUNT, ROLLING_SHUTDOWN_DELAY_SECONDS, selectorLabels, SERVICE_PORT,
  type KubeManifest, type ManifestSpec,
} from './types.ts';

/** Step 6: the `kubernetes.io/tls` Secret holding the serving pair (and the CA, as `ca.crt`). */
export function servingSecret(spec: ManifestSpec, pair: { certPem: string; keyPem: string; caPem: string }): KubeManifest {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls',
    metadata: { name: spec.names.secret, namespace: spec.target.namespace, labels: commonLabels(spec) },
    data: { 'tls.crt': b64(pair.certPem), 'tls.key': b64(pair.keyPem), 'ca.crt': b64(pair.caPem) },
  };
}

/** The PersistentVolumeClaim of embedded storage. */
export function dataClaim(spec: ManifestSpec, size: string): KubeManifest {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name: spec.names.pvc, namespace: spec.target.namespace, labels: commonLabels(spec) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } },
  };
}

/** Embedded storage is single-writer and replaced with Recreate; every other Deployment rolls. */
function rolls(spec: ManifestSpec): boolean {
  return spec.storage.kind !== 'embedded';
}

/** The server's command-line flags in its pod. */
export function serverArgs(spec: ManifestSpec): string[] {
  const args = [`--secure-port=${CONTAINER_PORT}`, `--tls-cert-dir=${CERT_MOUNT}`, `--storage=${spec.storage.kind}`];
  if (spec.storage.kind === 'embedded') args.push(`--data-dir=${DATA_MOUNT}`);
  if (spec.storage.kind === 'etcd') {
    args.push(`--etcd-servers=${spec.storage.servers.join(',')}`);
    if (spec.storage.clientSecret) {
      args.push(`--etcd-cafile=${ETCD_CLIENT_MOUNT}/ca.crt`, `--etcd-certfile=${ETCD_CLIENT_MOUNT}/tls.crt`, `--etcd-keyfile=${ETCD_CLIENT_MOUNT}/tls.key`);
    }
  }
  // a rolling update replaces pods while requests flow: keep serving until the pod is out of the
  // endpoints, over HTTP/1.1, whose responses close their connections while the pod drains (an
  // HTTP/2 GOAWAY can refuse a proxied request body that kube-aggregator cannot replay)
  if (rolls(spec)) args.push(`--shutdown-delay=${ROLLING_SHUTDOWN_DELAY_SECONDS}`, '--disable-http2');
  return args;
}

function probe(path: string, periodSeconds: number, failureThreshold: number): Record<string, unknown> {
  return { httpGet: { path, port: 'https', scheme: 'HTTPS' }, periodSeconds, timeoutSeconds: 5, failureThreshold };
}

function container(spec: ManifestSpec): Record<string, unknown> {
  const mounts: Array<Record<string, unknown>> = [
    { name: 'serving-cert', mountPath: CERT_MOUNT, readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  if (spec.storage.kind === 'embedded') mounts.push({ name: 'data', mountPath: DATA_MOUNT });
  if (spec.storage.kind === 'etcd' && spec.storage.clientSecret) mounts.push({ name: 'etcd-client', mountPath: ETCD_CLIENT_MOUNT, readOnly: true });
  return {
    name: 'apiserver', image: spec.image, args: serverArgs(spec),
    ports: [{ name: 'https', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
    startupProbe: probe('/livez', 2, 30),
    livenessProbe: probe('/livez', 10, 3),
    readinessProbe: probe('/readyz', 5, 3),
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: mounts,
  };
}

function volumes(spec: ManifestSpec): Array<Record<string, unknown>> {
  const list: Array<Record<string, unknown>> = [
    { name: 'serving-cert', secret: { secretName: spec.names.secret } },
    { name: 'tmp', emptyDir: {} },
  ];
  if (spec.storage.kind === 'embedded') list.push({ name: 'data', persistentVolumeClaim: { claimName: spec.names.pvc } });
  if (spec.storage.kind === 'etcd' && spec.storage.clientSecret) list.push({ name: 'etcd-client', secret: { secretName: spec.storage.clientSecret } });
  return list;
}

/** Step 7: the Deployment. Embedded storage is single-writer: Recreate; otherwise a surge rollout. */
export function deployment(spec: ManifestSpec): KubeManifest {
  const labels = selectorLabels(spec);
  const podSpec: Record<string, unknown> = {
    serviceAccountName: spec.target.serviceAccount,
    securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [container(spec)],
    volumes: volumes(spec),
  };
  if (spec.replicas > 1) {
    podSpec.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } },
        }],
      },
    };
  }
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: spec.names.deployment, namespace: spec.target.namespace, labels: commonLabels(spec) },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: labels },
      strategy: rolls(spec)
        ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
        : { type: 'Recreate' },
      template: { metadata: { labels: commonLabels(spec) }, spec: podSpec },
    },
  };
}

/** The Service: ClusterIP in front of the pods, or ExternalName naming the external host. */
export function service(spec: ManifestSpec): KubeManifest {
  const metadata = { name: spec.target.service, namespace: spec.target.namespace, labels: commonLabels(spec) };
  if (spec.external) {
    return { apiVersion: 'v1', kind: 'Service', metadata, spec: { type: 'ExternalName', externalName: spec.external.host } };
  }
  return {
    apiVersion: 'v1', kind: 'Service', metadata,
    spec: { type: 'ClusterIP', selector: selectorLabels(spec), ports: [{ name: 'https', port: SERVICE_PORT, targetPort: 'https', protocol: 'TCP' }] },
  };
}

/** The PodDisruptionBudget: keeps one pod up with several replicas; with one, allows a drain. */
export function disruptionBudget(spec: ManifestSpec): KubeManifest {
  const budget = spec.replicas > 1 ? { minAvailable: 1 } : { maxUnavailable: 1 };
  return {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
    metadata: { name: spec.names.pdb, namespace: spec.target.namespace, labels: commonLabels(spec) },
    spec: { ...budget, selector: { matchLabels: selectorLabels(spec) } },
  };
}
