/**
 * The on-disk description of a running control plane (`<dir>/state.json`), and the
 * {@link ControlPlane} handle built from it — the same handle whether this process started the
 * plane or attaches to one started elsewhere (`cluster:up`, or the shared e2e plane).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { issueClientCertificate, writeKubeconfig } from '../certs/index.ts';
import { runKubectl, startKubectl } from './kubectl.ts';
import type { KubectlCallOptions, KubectlResult, KubectlStream } from './kubectl.ts';

/** What `state.json` holds. */
export interface ControlPlaneState {
  /** Format version. */
  version: 1;
  /** kube-apiserver URL, `https://127.0.0.1:<port>`. */
  url: string;
  /** Per-run directory (pki, logs, etcd data, kubeconfigs). */
  dir: string;
  /** Directory with etcd, kube-apiserver and kubectl. */
  binDir: string;
  adminKubeconfigPath: string;
  caCertPath: string;
  caKeyPath: string;
  frontProxyCaCertPath: string;
  requestHeaderAllowedNames: string[];
  /** Process (and process group) ids. */
  pids: { etcd: number; kubeApiserver: number };
  ports: { etcdClient: number; etcdPeer: number; etcdMetrics: number; apiserver: number };
  /** Log files of each process. */
  logs: { etcd: string; kubeApiserver: string };
  /** ISO time the plane became ready, and how long starting it took. */
  startedAt: string;
  startMs: number;
}

/** A running kube-apiserver + etcd on loopback, with the helpers tests need. */
export interface ControlPlane {
  /** kube-apiserver URL, `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** Cluster CA PEM: verifies the apiserver, signs client certs (`--client-ca-file`). */
  readonly caPem: string;
  /** Kubeconfig of `extapi-admin` (group `system:masters`). */
  readonly adminKubeconfigPath: string;
  /** Front-proxy CA PEM (`--requestheader-client-ca-file`), separate from {@link caPem}. */
  readonly frontProxyCaPem: string;
  /** `--requestheader-allowed-names`: the CN of the aggregator's proxy client cert. */
  readonly requestHeaderAllowedNames: string[];
  /** Directory with etcd, kube-apiserver and kubectl. */
  readonly binDir: string;
  /** Per-run directory. */
  readonly dir: string;
  /** The full state (pids, ports, log paths). */
  readonly state: ControlPlaneState;
  /** Runs the bundled kubectl with `--kubeconfig` (admin unless overridden) and a per-process `--cache-dir`. */
  kubectl(args: string[], opts?: KubectlCallOptions): Promise<KubectlResult>;
  /** Starts a kubectl that keeps running (`get -w`, a followed log), as `kubectl` would run it. */
  kubectlStream(args: string[], opts?: Pick<KubectlCallOptions, 'kubeconfig'>): KubectlStream;
  /** Writes a kubeconfig for a client cert (CN=user, O=groups) signed by the cluster CA; returns its path. */
  mintKubeconfig(user: string, groups?: string[]): Promise<string>;
  /** Stops the plane if this handle owns it (else a no-op) and removes its directory. */
  stop(): Promise<void>;
}

/** Writes `state.json` into the state's dir and returns its path. */
export async function writeControlPlaneState(state: ControlPlaneState): Promise<string> {
  const path = join(state.dir, 'state.json');
  await writeFile(path, JSON.stringify(state, null, 2) + '\n');
  return path;
}

/** Reads a `state.json`. */
export async function readControlPlaneState(path: string): Promise<ControlPlaneState> {
  const state = JSON.parse(await readFile(path, 'utf8')) as ControlPlaneState;
  if (state.version !== 1 || !state.url) throw new Error(`${path} is not an extapi control plane state file`);
  return state;
}

/** Builds the handle for a plane described by `state`; `stop` decides whether it owns it. */
export async function controlPlaneHandle(state: ControlPlaneState, stop: () => Promise<void>): Promise<ControlPlane> {
  const caPem = await readFile(state.caCertPath, 'utf8');
  const frontProxyCaPem = await readFile(state.frontProxyCaCertPath, 'utf8');
  const cacheDir = join(state.dir, 'kubectl-cache', `${process.pid}-${randomBytes(3).toString('hex')}`);
  await mkdir(cacheDir, { recursive: true });
  const target = { binDir: state.binDir, kubeconfig: state.adminKubeconfigPath, cacheDir };
  return {
    url: state.url, caPem, frontProxyCaPem, adminKubeconfigPath: state.adminKubeconfigPath,
    requestHeaderAllowedNames: state.requestHeaderAllowedNames, binDir: state.binDir, dir: state.dir, state,
    kubectl: (args, opts) => runKubectl(target, args, opts),
    kubectlStream: (args, opts) => startKubectl(target, args, opts),
    mintKubeconfig: async (user, groups = []) => {
      const ca = { certPem: caPem, keyPem: await readFile(state.caKeyPath, 'utf8') };
      const client = await issueClientCertificate(ca, { user, groups });
      const safe = user.replace(/[^A-Za-z0-9_.-]/g, '_');
      const path = join(state.dir, 'kubeconfigs', `${safe}-${randomBytes(3).toString('hex')}.kubeconfig`);
      await writeKubeconfig(path, {
        server: state.url, caPem, credentials: { clientCertPem: client.certPem, clientKeyPem: client.keyPem }, userName: user,
      });
      return path;
    },
    stop,
  };
}
