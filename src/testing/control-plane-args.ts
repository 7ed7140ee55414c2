/** Command lines of etcd and kube-apiserver for a loopback test control plane (recipe §3, as verified). */
import type { ControlPlanePkiPaths } from './control-plane-pki.ts';

/** Where kube-apiserver serves: loopback by default; a node cluster's bridge address so pods reach it. */
export interface ApiServerNetwork {
  /** Bind and advertise address (default 127.0.0.1). */
  host: string;
  /** `--service-cluster-ip-range` (default 10.0.0.0/24). */
  serviceCidr: string;
}

/** The loopback network of the default control plane. */
export const LOOPBACK_NETWORK: ApiServerNetwork = { host: '127.0.0.1', serviceCidr: '10.0.0.0/24' };

/** The loopback ports of one control plane. */
export interface ControlPlanePorts {
  etcdClient: number;
  etcdPeer: number;
  etcdMetrics: number;
  apiserver: number;
}

/** etcd flags: single member, loopback only, no fsync (test data is disposable). */
export function etcdArgs(dataDir: string, ports: ControlPlanePorts): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name', 'extapi', '--data-dir', dataDir, '--unsafe-no-fsync',
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `extapi=${peer}`, '--initial-cluster-state', 'new',
    '--listen-metrics-urls', `http://127.0.0.1:${ports.etcdMetrics}`,
    '--log-level', 'warn',
  ];
}

/**
 * kube-apiserver flags: loopback serving, x509 client auth against the cluster CA, the
 * front-proxy (requestheader) trust with a separate CA, the aggregator's proxy client cert,
 * service-account keys, RBAC, and aggregator routing via Services (ExternalName works).
 */
export function apiServerArgs(
  dir: string, pki: ControlPlanePkiPaths, ports: ControlPlanePorts, allowedNames: string[], net: ApiServerNetwork = LOOPBACK_NETWORK,
): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    `--bind-address=${net.host}`, `--secure-port=${ports.apiserver}`, `--advertise-address=${net.host}`,
    '--endpoint-reconciler-type=none',
    `--tls-cert-file=${pki.apiserverCert}`, `--tls-private-key-file=${pki.apiserverKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${net.serviceCidr}`,
    '--authorization-mode=Node,RBAC',
    `--requestheader-client-ca-file=${pki.frontProxyCaCert}`,
    `--requestheader-allowed-names=${allowedNames.join(',')}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-uid-headers=X-Remote-Uid',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki.frontProxyClientCert}`,
    `--proxy-client-key-file=${pki.frontProxyClientKey}`,
    '--enable-aggregator-routing=false',
    `--cert-dir=${dir}/pki`,
    '--profiling=false',
    `--audit-policy-file=${dir}/audit-policy.yaml`, `--audit-log-path=${auditLogPath(dir)}`,
    '--audit-log-format=json', '--audit-log-maxsize=200', '--audit-log-maxbackup=1',
  ];
}

/** Where the test kube-apiserver writes its audit events (JSON lines), for tests that join them with ours. */
export function auditLogPath(dir: string): string {
  return `${dir}/logs/audit.log`;
}

/**
 * The test kube-apiserver's audit policy: nothing for its own loopback client, the node's
 * components (when the plane has a node), events, health probes and leases; RequestResponse
 * (without managedFields) for everything else, so tests compare whole events.
 */
export const TEST_AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
omitManagedFields: true
rules:
- level: None
  users: ["system:apiserver", "system:kube-controller-manager", "system:kube-scheduler", "system:kube-proxy"]
- level: None
  userGroups: ["system:nodes"]
- level: None
  resources: [{group: "", resources: [events]}, {group: events.k8s.io}]
- level: None
  nonResourceURLs: ["/healthz*", "/livez*", "/readyz*"]
- level: None
  resources: [{group: coordination.k8s.io, resources: [leases]}]
- level: RequestResponse
`;
