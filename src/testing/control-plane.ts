/**
 * A real kube-apiserver + etcd on loopback for end-to-end tests (no kubelet, no
 * kube-controller-manager): random free ports, a per-run temp dir, the recipe's PKI, readiness
 * via `/readyz`, and processes that never outlive the run.
 *
 * ```ts
 * const cp = await startControlPlane();
 * const r = await cp.kubectl(['get', 'ns']);
 * await cp.stop();
 * ```
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKubeconfig } from '../certs/index.ts';
import { resolveControlPlaneBinaries } from './binaries.ts';
import { FRONT_PROXY_CLIENT_CN, generateControlPlanePki } from './control-plane-pki.ts';
import type { ControlPlanePki } from './control-plane-pki.ts';
import { controlPlaneHandle, writeControlPlaneState } from './control-plane-state.ts';
import type { ControlPlane, ControlPlaneState } from './control-plane-state.ts';
import { apiServerArgs, etcdArgs, TEST_AUDIT_POLICY } from './control-plane-args.ts';
import { LOOPBACK_NETWORK } from './control-plane-args.ts';
import type { ApiServerNetwork, ControlPlanePorts } from './control-plane-args.ts';
import { freeLoopbackPorts } from './ports.ts';
import { removeDir, spawnManaged } from './processes.ts';
import type { ManagedProcess } from './processes.ts';
import { waitForApiServerReady, waitForEtcdHealthy, StartupError } from './readiness.ts';

export type { ControlPlane, ControlPlaneState } from './control-plane-state.ts';

/** Options for {@link startControlPlane}. */
export interface ControlPlaneOptions {
  /** Use these binaries (else `EXTAPI_CONTROL_PLANE_BIN`, else build via scripts/build-control-plane.sh). */
  binDir?: string;
  /** Kubernetes version to build (default: the script's, 1.36.3). */
  k8sVersion?: string;
  /** etcd version to build (default: the script's, 3.6.16). */
  etcdVersion?: string;
  /** Run directory (default: a fresh `$TMPDIR/extapi-cp-*`). */
  dir?: string;
  /** Keep the run directory after stop() (for debugging). Default: `EXTAPI_KEEP_CONTROL_PLANE_DIR=1`. */
  keepDir?: boolean;
  /** Let the processes outlive this Node process (`cluster:up`): no watchdog, no exit handlers. */
  detached?: boolean;
  /**
   * Serve on this address with this service range instead of loopback (a node cluster: the bridge
   * address, so that pods reach kube-apiserver). Default {@link LOOPBACK_NETWORK}.
   */
  network?: ApiServerNetwork;
  /** Extra kube-apiserver flags, appended last (later flags win). */
  extraApiServerArgs?: string[];
  /** Give up waiting for readiness after this long. Default 90 s. */
  startTimeoutMs?: number;
  /** Progress messages (default: to stderr). */
  log?: (message: string) => void;
}

const PORT_ATTEMPTS = 3;

/** Starts etcd and kube-apiserver and resolves once `/readyz` answers ok. */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`[control-plane] ${m}\n`));
  const binDir = opts.binDir ?? await resolveControlPlaneBinaries({ k8sVersion: opts.k8sVersion, etcdVersion: opts.etcdVersion });
  const t0 = Date.now();
  const dir = opts.dir ?? await mkdtemp(join(tmpdir(), 'extapi-cp-'));
  await mkdir(join(dir, 'logs'), { recursive: true });
  await writeFile(join(dir, 'audit-policy.yaml'), TEST_AUDIT_POLICY);
  const keepDir = opts.keepDir ?? process.env.EXTAPI_KEEP_CONTROL_PLANE_DIR === '1';
  const net = opts.network ?? LOOPBACK_NETWORK;
  const pki = await generateControlPlanePki(dir, net === LOOPBACK_NETWORK ? [] : [net.host, firstServiceIp(net.serviceCidr)]);
  for (let attempt = 1; ; attempt++) {
    const ports = await pickPorts();
    try {
      const procs = await startProcesses({ binDir, dir, pki, ports, opts, keepDir, attempt });
      const state = await finishStart({ binDir, dir, pki, ports, procs, host: net.host, startMs: Date.now() - t0 });
      log(`ready at ${state.url} in ${state.startMs} ms (dir ${dir})`);
      const stop = async (): Promise<void> => {
        await procs.apiserver.stop();
        await procs.etcd.stop();
        if (!keepDir) removeDir(dir);
      };
      return await controlPlaneHandle(state, stop);
    } catch (err) {
      if (err instanceof StartupError && err.portClash && attempt < PORT_ATTEMPTS) {
        log(`port clash (${err.message.split('\n')[0]}); retrying with new ports`);
        continue;
      }
      if (!keepDir) removeDir(dir);
      throw err;
    }
  }
}

/** The first address of a service range: the `kubernetes` Service's ClusterIP (10.0.0.0/24 -> 10.0.0.1). */
export function firstServiceIp(cidr: string): string {
  const octets = cidr.split('/')[0].split('.').map(Number);
  octets[3] += 1;
  return octets.join('.');
}

async function pickPorts(): Promise<ControlPlanePorts> {
  const [etcdClient, etcdPeer, etcdMetrics, apiserver] = await freeLoopbackPorts(4);
  return { etcdClient, etcdPeer, etcdMetrics, apiserver };
}

interface StartContext {
  binDir: string;
  dir: string;
  pki: ControlPlanePki;
  ports: ControlPlanePorts;
  opts: ControlPlaneOptions;
  keepDir: boolean;
  attempt: number;
}

interface Processes {
  etcd: ManagedProcess;
  apiserver: ManagedProcess;
}

/** Starts etcd, waits for health, starts kube-apiserver, waits for /readyz; stops both on failure. */
async function startProcesses(ctx: StartContext): Promise<Processes> {
  const { binDir, dir, pki, ports, opts } = ctx;
  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  const common = { detached: opts.detached, cleanupDir: ctx.keepDir ? undefined : dir };
  const etcdData = join(dir, `etcd-${ctx.attempt}`);
  const etcd = spawnManaged('etcd', join(binDir, 'etcd'), etcdArgs(etcdData, ports),
    { ...common, logPath: join(dir, 'logs', 'etcd.log') });
  let apiserver: ManagedProcess | undefined;
  try {
    await waitForEtcdHealthy(etcd, ports.etcdClient, deadline);
    const net = opts.network ?? LOOPBACK_NETWORK;
    const args = [...apiServerArgs(dir, pki.paths, ports, [FRONT_PROXY_CLIENT_CN], net), ...(opts.extraApiServerArgs ?? [])];
    apiserver = spawnManaged('kube-apiserver', join(binDir, 'kube-apiserver'), args,
      { ...common, logPath: join(dir, 'logs', 'kube-apiserver.log') });
    await waitForApiServerReady(apiserver, ports.apiserver, pki, deadline, net.host);
    return { etcd, apiserver };
  } catch (err) {
    await apiserver?.stop(2000);
    await etcd.stop(2000);
    throw err;
  }
}

interface FinishContext {
  binDir: string;
  dir: string;
  pki: ControlPlanePki;
  ports: ControlPlanePorts;
  procs: Processes;
  host: string;
  startMs: number;
}

/** Writes the admin kubeconfig and state.json. */
async function finishStart(ctx: FinishContext): Promise<ControlPlaneState> {
  const { dir, pki, ports, procs } = ctx;
  const url = `https://${ctx.host}:${ports.apiserver}`;
  const adminKubeconfigPath = join(dir, 'admin.kubeconfig');
  await writeKubeconfig(adminKubeconfigPath, {
    server: url, caPem: pki.ca.certPem, userName: 'extapi-admin',
    credentials: { clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem },
  });
  const state: ControlPlaneState = {
    version: 1, url, dir, binDir: ctx.binDir, adminKubeconfigPath,
    caCertPath: pki.paths.caCert, caKeyPath: pki.paths.caKey, frontProxyCaCertPath: pki.paths.frontProxyCaCert,
    requestHeaderAllowedNames: [FRONT_PROXY_CLIENT_CN],
    pids: { etcd: procs.etcd.pid, kubeApiserver: procs.apiserver.pid },
    ports, logs: { etcd: procs.etcd.logPath, kubeApiserver: procs.apiserver.logPath },
    startedAt: new Date().toISOString(), startMs: ctx.startMs,
  };
  await writeControlPlaneState(state);
  return state;
}
