/**
 * Tearing a node cluster down from its state alone (so `cluster:down` in another process can do
 * it): kube-proxy and its nftables tables, kubelet, every process in the node's cgroups (the
 * containers), containerd and its shims, the control plane; then the mounts under the cluster
 * directory, the cgroups, the bridge, the sysctls kubelet changed and the host paths it created.
 * {@link nodeLeftovers} lists whatever is still there — the test asserts it is nothing.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlPlaneState } from '../control-plane-state.ts';
import { commandLineIncludes, isAlive, removeDir, stopGroupByPid } from '../processes.ts';
import {
  cgroupsNamed, linkExists, mountsUnder, nftTables, processesMentioning, readSysctls, removeCgroupTree, restoreSysctls,
  tryHost, unmountUnder,
} from './host.ts';
import { removeNodeNetwork } from './network.ts';
import { releaseRecordedHostLock } from './host-lock.ts';
import { HOST_LOCK_PID, type NodeState } from './node-state.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The nftables tables kube-proxy (nftables mode) creates. */
export const KUBE_PROXY_TABLES = ['ip kube-proxy', 'ip6 kube-proxy'];

async function stopRecorded(node: NodeState, name: string, graceMs = 5000): Promise<void> {
  const pid = node.pids[name];
  if (pid && isAlive(pid) && commandLineIncludes(pid, node.root)) await stopGroupByPid(pid, graceMs);
}

/** PIDs in a cgroup tree (every hierarchy's copy of it). */
function cgroupProcs(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const pids: number[] = [];
  try {
    pids.push(...readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number));
  } catch { /* gone */ }
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) pids.push(...cgroupProcs(join(dir, e.name)));
  return pids;
}

/** SIGKILLs every process in the node's cgroups until none is left (containers, pause). */
async function killCgroupProcesses(cgroupName: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const pids = [...new Set(cgroupsNamed(cgroupName).flatMap(cgroupProcs))];
    if (pids.length === 0) return;
    for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    await sleep(100);
  }
}

/** Options for {@link teardownNodeCluster}. */
export interface TeardownOptions {
  log?: (message: string) => void;
  /** Keep the cluster directory (debugging). */
  keepDir?: boolean;
}

/** Stops everything of the node cluster `state` and undoes its host changes. Idempotent. */
export async function teardownNodeCluster(state: ControlPlaneState & { node: NodeState }, opts: TeardownOptions = {}): Promise<void> {
  const { node } = state;
  const cgroupName = `extapi-${node.network.index}`;
  await stopRecorded(node, 'kube-proxy');
  for (const t of KUBE_PROXY_TABLES) tryHost('nft', ['delete', 'table', ...t.split(' ')]);
  await stopRecorded(node, 'kubelet');
  await killCgroupProcesses(cgroupName);
  await stopRecorded(node, 'containerd');
  for (const pid of processesMentioning(node.root)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  await stopRecorded(node, 'kube-controller-manager');
  await stopRecorded(node, 'kube-scheduler');
  for (const pid of [state.pids.kubeApiserver, state.pids.etcd]) {
    if (isAlive(pid) && commandLineIncludes(pid, state.dir)) await stopGroupByPid(pid, 5000);
  }
  for (const pid of processesMentioning(state.dir)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  unmountUnder(state.dir);
  for (const cg of cgroupsNamed(cgroupName)) removeCgroupTree(cg);
  removeNodeNetwork(node.network);
  const restored = restoreSysctls(node.sysctls);
  if (restored.length > 0) opts.log?.(`restored sysctls ${restored.join(', ')}`);
  for (const p of node.createdHostPaths) rmSync(p, { recursive: true, force: true });
  if (!opts.keepDir) removeDir(state.dir);
  // last: the host is clean, the next node cluster may start
  const lockPid = node.pids[HOST_LOCK_PID];
  if (lockPid) await releaseRecordedHostLock(lockPid, state.dir);
}

/** What a node cluster left on the host (empty after a clean teardown). */
export function nodeLeftovers(state: ControlPlaneState & { node: NodeState }): string[] {
  const { node } = state;
  const found: string[] = [];
  for (const p of mountsUnder(state.dir)) found.push(`mount ${p}`);
  for (const pid of processesMentioning(state.dir)) found.push(`process ${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 120)}`);
  for (const [name, pid] of Object.entries({ ...node.pids, ...state.pids })) if (isAlive(pid)) found.push(`${name} pid ${pid} alive`);
  for (const name of [`extapi-${node.network.index}`, 'kubepods', 'k8s.io']) for (const cg of cgroupsNamed(name)) found.push(`cgroup ${cg}`);
  if (linkExists(node.network.bridge)) found.push(`bridge ${node.network.bridge}`);
  for (const t of nftTables()) if (KUBE_PROXY_TABLES.includes(t)) found.push(`nft table ${t}`);
  const now = readSysctls();
  for (const [k, v] of Object.entries(node.sysctls)) if (now[k] !== v) found.push(`sysctl ${k} = ${now[k]} (was ${v})`);
  for (const p of node.createdHostPaths) if (existsSync(p)) found.push(`host path ${p}`);
  if (existsSync(state.dir)) found.push(`directory ${state.dir}`);
  const routes = tryHost('ip', ['route', 'show', node.network.serviceCidr]) ?? '';
  if (routes.trim()) found.push(`route ${routes.trim()}`);
  return found;
}
