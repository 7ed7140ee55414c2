/**
 * A control plane with a real node: etcd and kube-apiserver (serving on the node's bridge address
 * so that pods reach it), kube-controller-manager, kube-scheduler, containerd + runc with a CNI
 * bridge, kubelet and kube-proxy (nftables). Needs root. Everything lives under the cluster
 * directory; {@link teardownNodeCluster} stops it by PID and leaves nothing mounted or running.
 *
 * ```ts
 * const cluster = await startNodeCluster();
 * await cluster.importImage(tarball);
 * await cluster.stop();
 * ```
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueClientCertificate, issueServingCertificate, writeKubeconfig } from '../../certs/index.ts';
import type { CertificateAndKey } from '../../certs/index.ts';
import { REPO_ROOT } from '../binaries.ts';
import { controlPlaneHandle, writeControlPlaneState } from '../control-plane-state.ts';
import type { ControlPlane, ControlPlaneState } from '../control-plane-state.ts';
import { startControlPlane } from '../control-plane.ts';
import { freeLoopbackPorts } from '../ports.ts';
import { spawnManaged } from '../processes.ts';
import type { ManagedProcess } from '../processes.ts';
import { containerdConfig, controllerManagerArgs, kubeletConfig, kubeProxyConfig, nodePaths, PAUSE_IMAGE, schedulerArgs } from './configs.ts';
import type { NodePaths } from './configs.ts';
import { createCgroup, host, readSysctls } from './host.ts';
import { acquireNodeHostLock } from './host-lock.ts';
import { createNodeNetwork, removeNodeNetwork, writeCniConfig } from './network.ts';
import type { NodeNetwork } from './network.ts';
import { resolveNodeBinaries } from './node-binaries.ts';
import { HOST_LOCK_PID, type NodeState } from './node-state.ts';
import { packLayer, writeOciImage } from './oci-image.ts';
import { teardownNodeCluster } from './teardown.ts';

/** Host paths kubelet and containerd use whatever their configuration says. */
export const HARD_CODED_HOST_PATHS = [
  '/var/lib/kubelet', '/var/log/containers', '/var/log/pods', '/run/containerd', '/opt/containerd', '/etc/cni', '/opt/cni', '/var/lib/cni',
];

/** A control plane state that has a node. */
export type NodeClusterState = ControlPlaneState & { node: NodeState };

/** A running node cluster: the control plane handle plus the node. */
export interface NodeCluster extends ControlPlane {
  readonly state: NodeClusterState;
  readonly node: NodeState;
  /** Imports an OCI image tarball into the node's containerd (namespace k8s.io). */
  importImage(tarball: string): Promise<void>;
  /** Runs `ctr` against the node's containerd. */
  ctr(args: string[]): string;
}

/** Options for {@link startNodeCluster}. */
export interface NodeClusterOptions {
  /** Cluster directory (default: a fresh `$TMPDIR/extapi-node-*`). */
  dir?: string;
  /** Let the processes outlive this Node process (`cluster:up --with-node`). */
  detached?: boolean;
  /** Progress messages (default: stderr). */
  log?: (message: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the whole node cluster; on failure tears down what was started and rethrows. */
export async function startNodeCluster(opts: NodeClusterOptions = {}): Promise<NodeCluster> {
  if (process.getuid?.() !== 0) throw new Error('a test node needs root (bridges, mounts, cgroups); run as root, as CI does');
  const log = opts.log ?? ((m: string) => process.stderr.write(`[node] ${m}\n`));
  const binDir = await resolveNodeBinaries();
  const dir = opts.dir ?? await mkdtemp(join(tmpdir(), 'extapi-node-'));
  await mkdir(dir, { recursive: true });
  const t0 = Date.now();
  // before reading the host's sysctls and paths: another node cluster may be changing them
  const lock = await acquireNodeHostLock({ dir, log });
  let net: NodeNetwork;
  try {
    net = createNodeNetwork();
  } catch (err) {
    await lock.release();
    throw err;
  }
  const sysctls = readSysctls();
  const createdHostPaths = HARD_CODED_HOST_PATHS.filter((p) => !existsSync(p));
  const paths = nodePaths(dir);
  const node: NodeState = {
    name: `extapi-node-${net.index}`, network: net, binDir, root: paths.root, containerdSocket: paths.containerdSocket,
    pids: { [HOST_LOCK_PID]: lock.pid }, logs: {}, sysctls, createdHostPaths,
  };
  let cp: ControlPlane | undefined;
  try {
    cp = await startControlPlane({
      dir, detached: opts.detached, keepDir: true, log,
      network: { host: net.gateway, serviceCidr: net.serviceCidr },
      extraApiServerArgs: [
        '--endpoint-reconciler-type=lease',
        `--kubelet-client-certificate=${join(dir, 'pki', 'admin.crt')}`, `--kubelet-client-key=${join(dir, 'pki', 'admin.key')}`,
        `--kubelet-certificate-authority=${join(dir, 'pki', 'ca.crt')}`, '--kubelet-preferred-address-types=InternalIP',
      ],
    });
    const state: NodeClusterState = { ...cp.state, node };
    await writeControlPlaneState(state);
    if (!opts.detached) startTeardownWatchdog(dir);
    await startNodeProcesses(state, paths, opts, log);
    await writeControlPlaneState(state);
    log(`node ${node.name} Ready, cluster up in ${Date.now() - t0} ms (dir ${dir})`);
    return await nodeClusterHandle(state);
  } catch (err) {
    const state = cp ? { ...cp.state, node } : undefined;
    if (state) await teardownNodeCluster(state, { log });
    else {
      removeNodeNetwork(net);
      await lock.release();
    }
    throw err;
  }
}

const NODE_WATCHDOG = `
parent=$1; dir=$2; cli=$3
trap '' INT HUP TERM
while kill -0 "$parent" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
[ -f "$dir/state.json" ] && exec node --import tsx "$cli" down --dir "$dir"
exit 0`;

/**
 * When this process dies without tearing the node down (SIGKILL, a cancelled test run), a
 * detached watchdog runs `cluster-cli down --dir <dir>`: the per-process watchdogs only kill
 * process groups, this one also unmounts, removes cgroups and the bridge, restores sysctls.
 */
function startTeardownWatchdog(dir: string): void {
  const dog = spawn('bash', ['-c', NODE_WATCHDOG, 'extapi-watchdog', String(process.pid), dir, join(REPO_ROOT, 'src', 'testing', 'cluster-cli.ts')], {
    detached: true, stdio: 'ignore', cwd: REPO_ROOT,
  });
  dog.unref();
}

/** Builds the handle of a node cluster described by its state (started here or attached). */
export async function nodeClusterHandle(state: NodeClusterState, owned = true): Promise<NodeCluster> {
  const stop = owned ? async () => { await teardownNodeCluster(state); } : async () => { /* owned elsewhere */ };
  const base = await controlPlaneHandle(state, stop);
  const ctr = (args: string[]): string => host(join(state.node.binDir, 'ctr'), ['--address', state.node.containerdSocket, '-n', 'k8s.io', ...args]);
  return {
    ...base, state, node: state.node, ctr,
    importImage: async (tarball) => { ctr(['images', 'import', tarball]); },
  };
}

interface NodePki {
  ca: CertificateAndKey;
  caFile: string;
}

async function clientKubeconfig(state: ControlPlaneState, pki: NodePki, name: string, user: string, groups: string[] = []): Promise<string> {
  const client = await issueClientCertificate(pki.ca, { user, groups });
  const path = join(state.dir, 'node', 'kubeconfigs', `${name}.kubeconfig`);
  await writeKubeconfig(path, { server: state.url, caPem: pki.ca.certPem, userName: user, credentials: { clientCertPem: client.certPem, clientKeyPem: client.keyPem } });
  return path;
}

function spawnNodeProcess(state: NodeClusterState, name: string, bin: string, args: string[], opts: NodeClusterOptions, env?: NodeJS.ProcessEnv): ManagedProcess {
  const logPath = join(state.dir, 'logs', `${name}.log`);
  const proc = spawnManaged(name, join(state.node.binDir, bin), args, { logPath, detached: opts.detached, env });
  state.node.pids[name] = proc.pid;
  state.node.logs[name] = logPath;
  return proc;
}

async function startNodeProcesses(state: NodeClusterState, paths: NodePaths, opts: NodeClusterOptions, log: (m: string) => void): Promise<void> {
  const { node } = state;
  const net: NodeNetwork = node.network;
  for (const d of [paths.containerdRoot, paths.containerdState, paths.runcRoot, paths.cniConfDir, paths.kubeletRoot, paths.podLogs, paths.volumePlugins, paths.pki]) {
    await mkdir(d, { recursive: true });
  }
  const pki: NodePki = { ca: { certPem: await readFile(state.caCertPath, 'utf8'), keyPem: await readFile(state.caKeyPath, 'utf8') }, caFile: state.caCertPath };
  await writeCniConfig(paths.cniConfDir, net, paths.root);
  await writeFile(paths.containerdConfig, containerdConfig(paths, node.binDir));
  const env = { ...process.env, PATH: `${node.binDir}:${process.env.PATH ?? ''}` };
  const containerd = spawnNodeProcess(state, 'containerd', 'containerd', ['--config', paths.containerdConfig, '--log-level', 'warn'], opts, env);
  await waitFor('containerd', containerd, 30_000, async () => {
    try { host(join(node.binDir, 'ctr'), ['--address', paths.containerdSocket, 'version']); return true; } catch { return false; }
  });
  await importPauseImage(state, paths);

  const [kubeletPort, proxyHealthz, proxyMetrics] = await freeLoopbackPorts(3);
  const serving = await issueServingCertificate(pki.ca, { commonName: node.name, dnsNames: [node.name], ipAddresses: [net.gateway] });
  const servingCert = join(paths.pki, 'kubelet.crt');
  const servingKey = join(paths.pki, 'kubelet.key');
  await writeFile(servingCert, serving.certPem);
  await writeFile(servingKey, serving.keyPem, { mode: 0o600 });
  await writeFile(paths.kubeletConfig, JSON.stringify(kubeletConfig({ paths, net, port: kubeletPort, caFile: pki.caFile, tlsCertFile: servingCert, tlsKeyFile: servingKey }), null, 2));
  createCgroup(`extapi-${net.index}`);
  const kubeletKubeconfig = await clientKubeconfig(state, pki, 'kubelet', `system:node:${node.name}`, ['system:nodes']);
  const kubelet = spawnNodeProcess(state, 'kubelet', 'kubelet', [
    `--config=${paths.kubeletConfig}`, `--kubeconfig=${kubeletKubeconfig}`, `--root-dir=${paths.kubeletRoot}`,
    `--hostname-override=${node.name}`, `--node-ip=${net.gateway}`, `--cert-dir=${paths.pki}`, '--v=1',
  ], opts, env);

  const kcmKubeconfig = await clientKubeconfig(state, pki, 'kube-controller-manager', 'system:kube-controller-manager');
  const kcm = spawnNodeProcess(state, 'kube-controller-manager', 'kube-controller-manager', controllerManagerArgs(kcmKubeconfig, {
    caCert: state.caCertPath, caKey: state.caKeyPath, serviceAccountKey: join(state.dir, 'pki', 'sa.key'),
  }, paths, net), opts);
  const schedKubeconfig = await clientKubeconfig(state, pki, 'kube-scheduler', 'system:kube-scheduler');
  const scheduler = spawnNodeProcess(state, 'kube-scheduler', 'kube-scheduler', schedulerArgs(schedKubeconfig), opts);
  const proxyKubeconfig = await clientKubeconfig(state, pki, 'kube-proxy', 'system:kube-proxy');
  await writeFile(paths.kubeProxyConfig, JSON.stringify(kubeProxyConfig(proxyKubeconfig, node.name, net, { healthz: proxyHealthz, metrics: proxyMetrics }), null, 2));
  const proxy = spawnNodeProcess(state, 'kube-proxy', 'kube-proxy', [`--config=${paths.kubeProxyConfig}`], opts, env);

  const cp = await controlPlaneHandle(state, async () => { /* not owned */ });
  const all = [containerd, kubelet, kcm, scheduler, proxy];
  await waitFor(`node ${node.name} Ready`, all, 90_000, async () => {
    const r = await cp.kubectl(['get', 'node', node.name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    return r.code === 0 && r.stdout.trim() === 'True';
  });
  await waitFor('ServiceAccount default/default', all, 60_000, async () => (await cp.kubectl(['get', 'serviceaccount', 'default', '-n', 'default'])).code === 0);
  await waitFor('kube-proxy rules for the kubernetes Service', all, 60_000, async () => {
    const out = (() => { try { return host('nft', ['list', 'table', 'ip', 'kube-proxy']); } catch { return ''; } })();
    return out.includes(net.serviceCidr.replace(/0\/24$/, '1'));
  });
  log(`components up: ${Object.entries(node.pids).map(([n, p]) => `${n} ${p}`).join(', ')}`);
}

/** Polls `check` every 500 ms; fails with the log tails when a process exits or time runs out. */
async function waitFor(what: string, procs: ManagedProcess | ManagedProcess[], timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const list = Array.isArray(procs) ? procs : [procs];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = list.find((p) => p.hasExited());
    if (dead) throw new Error(`${dead.name} exited (${await dead.exited}) while waiting for ${what}:\n${dead.logTail(30)}`);
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs / 1000} s\n${list.map((p) => `--- ${p.name}\n${p.logTail(15)}`).join('\n')}`);
    await sleep(500);
  }
}

/** The sandbox image: upstream's pause binary, as user 65535 like registry.k8s.io/pause. */
async function importPauseImage(state: NodeClusterState, paths: NodePaths): Promise<void> {
  const work = join(paths.root, 'pause-image');
  const root = join(work, 'root');
  await mkdir(root, { recursive: true });
  host('cp', [join(state.node.binDir, 'pause'), join(root, 'pause')]);
  const layer = join(work, 'layer.tar');
  packLayer(layer, [{ root, paths: ['./pause'] }]);
  const tarball = await writeOciImage(work, PAUSE_IMAGE, [layer], { User: '65535:65535', Entrypoint: ['/pause'] });
  host(join(state.node.binDir, 'ctr'), ['--address', paths.containerdSocket, '-n', 'k8s.io', 'images', 'import', tarball]);
}
