/**
 * `npm run cluster:up` / `cluster:down`: a long-lived local control plane for development, and
 * `exec` to share one plane across all e2e test files of a run (see shared-control-plane.ts).
 *
 * ```sh
 * tsx src/testing/cluster-cli.ts up     [--dir .extapi/cluster] [--with-node]   # detached; prints kubeconfig + state paths
 *                                  # --with-node (root): + kube-controller-manager, kube-scheduler, containerd, kubelet, kube-proxy
 * tsx src/testing/cluster-cli.ts status [--dir .extapi/cluster]
 * tsx src/testing/cluster-cli.ts down   [--dir .extapi/cluster]   # stops by PID, removes the dir
 * tsx src/testing/cluster-cli.ts exec   [--dir <tmp>] -- <command...>  # plane for the command's lifetime,
 *                                                                     # EXTAPI_E2E_CLUSTER=<state.json>
 * ```
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { readControlPlaneState } from './control-plane-state.ts';
import type { ControlPlaneState } from './control-plane-state.ts';
import { startControlPlane } from './control-plane.ts';
import { commandLineIncludes, isAlive, removeDir, stopGroupByPid } from './processes.ts';
import { SHARED_CLUSTER_ENV } from './shared-control-plane.ts';
import { startNodeCluster } from './node/node-cluster.ts';
import type { NodeClusterState } from './node/node-cluster.ts';
import { teardownNodeCluster } from './node/teardown.ts';

/** Default directory of the `up`/`down` plane: `.extapi/cluster` under the working directory (npm scripts run in the project root). */
export const DEFAULT_CLUSTER_DIR = resolve('.extapi', 'cluster');

interface CliArgs {
  command: string;
  dir?: string;
  withNode: boolean;
  rest: string[];
}

function parseArgs(argv: string[]): CliArgs {
  const [command = 'help', ...tail] = argv;
  const sep = tail.indexOf('--');
  const own = sep >= 0 ? tail.slice(0, sep) : tail;
  const rest = sep >= 0 ? tail.slice(sep + 1) : [];
  const i = own.indexOf('--dir');
  return { command, dir: i >= 0 ? resolve(own[i + 1]) : undefined, withNode: own.includes('--with-node'), rest };
}

async function liveState(dir: string): Promise<ControlPlaneState | undefined> {
  const file = join(dir, 'state.json');
  if (!existsSync(file)) return undefined;
  const state = await readControlPlaneState(file);
  const pids = [...Object.values(state.pids), ...Object.values(hasNode(state) ? state.node.pids : {})];
  return pids.every((pid) => isAlive(pid) && commandLineIncludes(pid, state.dir)) ? state : undefined;
}

function hasNode(state: ControlPlaneState): state is NodeClusterState {
  return 'node' in state && !!(state as NodeClusterState).node;
}

function printState(state: ControlPlaneState): void {
  process.stdout.write([
    `server:     ${state.url}`,
    `kubeconfig: ${state.adminKubeconfigPath}`,
    `kubectl:    ${join(state.binDir, 'kubectl')} --kubeconfig ${state.adminKubeconfigPath}`,
    `state:      ${join(state.dir, 'state.json')}   (export ${SHARED_CLUSTER_ENV}=${join(state.dir, 'state.json')})`,
    `pids:       etcd ${state.pids.etcd}, kube-apiserver ${state.pids.kubeApiserver}`,
    `logs:       ${state.logs.kubeApiserver}`,
    ...(hasNode(state) ? [
      `node:       ${state.node.name} on bridge ${state.node.network.bridge} (${state.node.network.gateway}; pods ${state.node.network.podCidr}, services ${state.node.network.serviceCidr})`,
      `node pids:  ${Object.entries(state.node.pids).map(([n, p]) => `${n} ${p}`).join(', ')}`,
    ] : []),
    '',
  ].join('\n'));
}

/** `up`: start a detached plane (with a node when asked) in `dir` unless one is already running there. */
async function up(dir: string, withNode: boolean): Promise<number> {
  const running = await liveState(dir);
  if (running) {
    process.stderr.write('[control-plane] already running\n');
    printState(running);
    return 0;
  }
  await down(dir);
  const cp = withNode ? await startNodeCluster({ dir, detached: true }) : await startControlPlane({ dir, detached: true, keepDir: true });
  printState(cp.state);
  return 0;
}

/** `down`: stop the processes recorded in `dir/state.json` by PID and remove `dir`. */
async function down(dir: string): Promise<number> {
  const file = join(dir, 'state.json');
  if (existsSync(file)) {
    const state = await readControlPlaneState(file);
    if (hasNode(state)) {
      await teardownNodeCluster(state, { log: (m) => process.stderr.write(`[node] ${m}\n`) });
      process.stderr.write(`[node] stopped ${state.node.name} and its control plane\n`);
      return 0;
    }
    // the state's dir appears in both command lines (data dir, cert paths): never signal a reused PID
    for (const [name, pid] of [['kube-apiserver', state.pids.kubeApiserver], ['etcd', state.pids.etcd]] as const) {
      if (!commandLineIncludes(pid, state.dir)) continue;
      await stopGroupByPid(pid);
      process.stderr.write(`[control-plane] stopped ${name} (pid ${pid})\n`);
    }
  }
  removeDir(dir);
  return 0;
}

/** `exec`: a plane owned by this process for the lifetime of `command`. */
async function exec(dir: string | undefined, command: string[]): Promise<number> {
  if (command.length === 0) throw new Error('usage: cluster-cli exec [--dir DIR] -- <command...>');
  const cp = await startControlPlane({ dir });
  try {
    const env = { ...process.env, [SHARED_CLUSTER_ENV]: join(cp.dir, 'state.json') };
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
    const forward = (sig: NodeJS.Signals): void => { child.kill(sig); };
    process.on('SIGINT', forward).on('SIGTERM', forward);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (c, s) => r([c, s])));
    return code ?? 128 + (signal ? constants.signals[signal] : 0);
  } finally {
    await cp.stop();
  }
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  switch (args.command) {
    case 'up': return up(args.dir ?? DEFAULT_CLUSTER_DIR, args.withNode);
    case 'down': return down(args.dir ?? DEFAULT_CLUSTER_DIR);
    case 'status': {
      const state = await liveState(args.dir ?? DEFAULT_CLUSTER_DIR);
      if (!state) { process.stderr.write('[control-plane] not running\n'); return 1; }
      printState(state);
      return 0;
    }
    case 'exec': return exec(args.dir, args.rest);
    default:
      process.stderr.write('usage: cluster-cli up [--with-node] [--dir DIR] | down|status [--dir DIR] | exec [--dir DIR] -- <command...>\n');
      return args.command === 'help' ? 0 : 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err: Error) => {
    process.stderr.write(`[control-plane] error: ${err.message}\n`);
    process.exit(1);
  });
}
