/**
 * One node cluster per host at a time. Two node clusters cannot share a host: kube-proxy's
 * nftables tables are named `ip kube-proxy` / `ip6 kube-proxy` by a constant in kube-proxy
 * (`kubeProxyTable`, not configurable), kubelet sets host-wide sysctls that teardown restores, and
 * kubelet/containerd create fixed host paths (`/var/lib/kubelet/device-plugins`,
 * `/run/containerd`, ...) that teardown removes. So a node cluster holds an exclusive `flock` on
 * {@link NODE_HOST_LOCK} from before it reads the host's state until its teardown has undone it.
 *
 * The lock is held by a small detached process (`flock … bash`), so that it outlives the process
 * that started a detached cluster (`cluster:up --with-node`); teardown stops it by PID. It lets go
 * by itself when the cluster directory disappears, or when its owner dies before the cluster has
 * written `state.json` (afterwards the owner-death watchdog tears the cluster down, lock included).
 */
import { spawn } from 'node:child_process';
import { commandLineIncludes, isAlive, killGroup } from '../processes.ts';

/** The host-wide lock file of node clusters (`EXTAPI_NODE_HOST_LOCK` overrides it). */
export const NODE_HOST_LOCK = process.env.EXTAPI_NODE_HOST_LOCK ?? '/run/lock/extapi-node-host.lock';

const HOLDER = `
owner=$1; dir=$2
echo locked
while [ -z "$dir" ] || [ -d "$dir" ]; do
  kill -0 "$owner" 2>/dev/null || { [ -n "$dir" ] && [ -f "$dir/state.json" ]; } || exit 0
  sleep 1
done`;

/** A held host lock. */
export interface HostLock {
  /** Process group id of the holder (record it so that another process can release the lock). */
  readonly pid: number;
  /** Releases the lock; resolves once it is free. Idempotent. */
  release(): Promise<void>;
}

/** Options for {@link acquireNodeHostLock}. */
export interface HostLockOptions {
  /** The cluster directory: the lock is held while it exists (and, once it has `state.json`, also after this process exits). */
  dir?: string;
  /** Give up after this long (default 30 min: a node e2e file takes about 5). */
  timeoutMs?: number;
  log?: (message: string) => void;
  /** The lock file (default {@link NODE_HOST_LOCK}). */
  lockFile?: string;
}

/**
 * Takes the host-wide node cluster lock, waiting (and saying so once) while another node cluster
 * holds it. Rejects with one sentence after `timeoutMs`.
 */
export async function acquireNodeHostLock(opts: HostLockOptions = {}): Promise<HostLock> {
  const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
  const lockFile = opts.lockFile ?? NODE_HOST_LOCK;
  const holder = spawn('flock', ['--exclusive', '--timeout', String(Math.ceil(timeoutMs / 1000)), lockFile,
    'bash', '-c', HOLDER, 'extapi-node-host-lock', String(process.pid), opts.dir ?? ''], {
    detached: true, stdio: ['ignore', 'pipe', 'ignore'],
  });
  const pid = holder.pid;
  if (pid === undefined) throw new Error('could not start flock for the node host lock (is util-linux installed?)');
  const waiting = setTimeout(() => opts.log?.(`waiting for another node cluster to finish (host-wide lock ${lockFile})`), 1000);
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('locked')) resolve(); });
      holder.on('exit', (code) => reject(new Error(code === 1
        ? `another node cluster held ${lockFile} for more than ${Math.round(timeoutMs / 1000)} s; stop it (npm run cluster:down) or wait for its tests to finish`
        : `the node host lock holder exited (${code}) before taking ${lockFile}`)));
    });
  } finally {
    clearTimeout(waiting);
  }
  holder.stdout.destroy();
  holder.removeAllListeners('exit');
  // our child: released means reaped too (a zombie would still look alive to kill(pid, 0))
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  ownHolders.set(pid, { exited, ref: () => holder.ref() });
  holder.unref();
  return { pid, release: () => releaseNodeHostLock(pid) };
}

/** Holders started by this process, with their exit (reaped) promise. */
const ownHolders = new Map<number, { exited: Promise<void>; ref(): void }>();

/**
 * Releases the lock a cluster recorded: a holder this process started (it may have exited by
 * itself once the cluster directory went, and must still be reaped), or one whose command line
 * names the cluster directory `dir` (never a reused PID).
 */
export async function releaseRecordedHostLock(pid: number, dir: string): Promise<void> {
  if (ownHolders.has(pid) || (isAlive(pid) && commandLineIncludes(pid, dir))) await releaseNodeHostLock(pid);
}

/** Stops the holder process group `pid` (from a {@link HostLock}); resolves once it is gone. */
export async function releaseNodeHostLock(pid: number): Promise<void> {
  const own = ownHolders.get(pid);
  ownHolders.delete(pid);
  const signalled = killGroup(pid, 'SIGKILL');
  if (own) {
    own.ref(); // keep the event loop alive until the exit is reaped
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([own.exited, new Promise((r) => { timer = setTimeout(r, 10_000); })]);
    clearTimeout(timer);
    return;
  }
  if (!signalled) return;
  const deadline = Date.now() + 10_000;
  while (isAlive(-pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}
