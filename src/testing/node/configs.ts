/**
 * Configuration files and command lines of the node components: containerd (CRI, runc, CNI),
 * kubelet, kube-controller-manager, kube-scheduler and kube-proxy (nftables mode). Every path is
 * under the cluster directory; every listener is on loopback or the node's bridge address.
 */
import { join } from 'node:path';
import type { NodeNetwork } from './network.ts';

/** Where one node keeps its files, all under the cluster directory. */
export interface NodePaths {
  root: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  containerdConfig: string;
  runcRoot: string;
  cniConfDir: string;
  kubeletRoot: string;
  kubeletConfig: string;
  podLogs: string;
  volumePlugins: string;
  kubeProxyConfig: string;
  pki: string;
}

/** The paths of the node under `<dir>/node`. */
export function nodePaths(dir: string): NodePaths {
  const root = join(dir, 'node');
  return {
    root,
    containerdRoot: join(root, 'containerd', 'root'),
    containerdState: join(root, 'containerd', 'state'),
    containerdSocket: join(root, 'containerd', 'containerd.sock'),
    containerdConfig: join(root, 'containerd', 'config.toml'),
    runcRoot: join(root, 'containerd', 'runc'),
    cniConfDir: join(root, 'cni', 'net.d'),
    kubeletRoot: join(root, 'kubelet'),
    kubeletConfig: join(root, 'kubelet-config.json'),
    podLogs: join(root, 'pod-logs'),
    volumePlugins: join(root, 'volume-plugins'),
    kubeProxyConfig: join(root, 'kube-proxy-config.json'),
    pki: join(root, 'pki'),
  };
}

/** The image every pod sandbox runs (built by the harness, never pulled). */
export const PAUSE_IMAGE = 'extapi.local/pause:1';

/** containerd's config (version 4): CRI with runc, the CNI bridge, no NRI, no host imports, sockets and state under the node dir. */
export function containerdConfig(p: NodePaths, binDir: string): string {
  return `version = 4
root = "${p.containerdRoot}"
state = "${p.containerdState}"
imports = []
disabled_plugins = ["io.containerd.nri.v1.nri", "io.containerd.internal.v1.tracing", "io.containerd.image-verifier.v1.bindir", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.blockfile", "io.containerd.snapshotter.v1.erofs"]

[plugins.'io.containerd.server.v1.grpc']
  address = "${p.containerdSocket}"

[plugins.'io.containerd.server.v1.ttrpc']
  address = "${p.containerdSocket}.ttrpc"

[plugins.'io.containerd.server.v1.debug']
  address = ""

[plugins.'io.containerd.server.v1.metrics']
  address = ""

[plugins.'io.containerd.internal.v1.opt']
  path = "${join(p.root, 'containerd', 'opt')}"

[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "${PAUSE_IMAGE}"

[plugins.'io.containerd.cri.v1.runtime']
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = "${join(binDir, 'runc')}"
        Root = "${p.runcRoot}"
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["${binDir}"]
    conf_dir = "${p.cniConfDir}"
    max_conf_num = 1
`;
}

/** Inputs of the kubelet configuration. */
export interface KubeletInputs {
  paths: NodePaths;
  net: NodeNetwork;
  port: number;
  caFile: string;
  tlsCertFile: string;
  tlsKeyFile: string;
}

/** KubeletConfiguration: cgroupfs under its own cgroup root, webhook auth, low eviction thresholds. */
export function kubeletConfig(k: KubeletInputs): Record<string, unknown> {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration',
    address: k.net.gateway, port: k.port, readOnlyPort: 0, healthzPort: 0,
    tlsCertFile: k.tlsCertFile, tlsPrivateKeyFile: k.tlsKeyFile,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: k.caFile } },
    authorization: { mode: 'Webhook' },
    cgroupDriver: 'cgroupfs', cgroupRoot: `/extapi-${k.net.index}`, failCgroupV1: false, failSwapOn: false,
    containerRuntimeEndpoint: `unix://${k.paths.containerdSocket}`,
    imageGCHighThresholdPercent: 100, imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    podLogsDir: k.paths.podLogs, volumePluginDir: k.paths.volumePlugins,
    // Secret volumes follow updates within seconds (certs rotate), not the default minute
    syncFrequency: '5s', nodeStatusUpdateFrequency: '5s', fileCheckFrequency: '5s',
    serializeImagePulls: false, registerNode: true, shutdownGracePeriod: '0s',
    resolvConf: '', localStorageCapacityIsolation: false, maxPods: 50,
  };
}

/** KubeProxyConfiguration: nftables, metrics and healthz on loopback, conntrack sysctls left alone. */
export function kubeProxyConfig(kubeconfig: string, nodeName: string, net: NodeNetwork, ports: { healthz: number; metrics: number }): Record<string, unknown> {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig }, mode: 'nftables', hostnameOverride: nodeName,
    bindAddress: net.gateway, clusterCIDR: net.podCidr,
    healthzBindAddress: `127.0.0.1:${ports.healthz}`, metricsBindAddress: `127.0.0.1:${ports.metrics}`,
    nodePortAddresses: [`${net.gateway}/32`],
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  };
}

/** kube-controller-manager flags: the namespace, GC, workload, token and root-CA controllers; no HTTPS port. */
export function controllerManagerArgs(kubeconfig: string, cp: { caCert: string; caKey: string; serviceAccountKey: string }, paths: NodePaths, net: NodeNetwork): string[] {
  return [
    `--kubeconfig=${kubeconfig}`, '--secure-port=0', '--leader-elect=false',
    `--service-account-private-key-file=${cp.serviceAccountKey}`, `--root-ca-file=${cp.caCert}`,
    '--use-service-account-credentials=true', `--flex-volume-plugin-dir=${paths.volumePlugins}`,
    `--cluster-signing-cert-file=${cp.caCert}`, `--cluster-signing-key-file=${cp.caKey}`,
    `--service-cluster-ip-range=${net.serviceCidr}`, '--controllers=*',
    '--concurrent-gc-syncs=5', '--namespace-sync-period=10s',
  ];
}

/** kube-scheduler flags. */
export function schedulerArgs(kubeconfig: string): string[] {
  return [`--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
    '--secure-port=0', '--leader-elect=false'];
}
