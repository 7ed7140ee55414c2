/**
 * Starting the two wardle servers side by side, as separate processes on loopback: the Go
 * k8s.io/sample-apiserver (built by scripts/build-sample-apiserver.sh, with an etcd of its own)
 * and our examples/wardle (delegated mode). Shared by the parity suite and the benchmarks.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, issueServingCertificate, type CertificateAndKey } from '../../../src/certs/index.ts';
import { REPO_ROOT } from '../../../src/testing/binaries.ts';
import { freeLoopbackPorts } from '../../../src/testing/ports.ts';
import { spawnManaged, type ManagedProcess } from '../../../src/testing/processes.ts';
import { httpsTarget, waitFor } from './http.ts';

/** A running server process (Go or TypeScript) on 127.0.0.1. */
export interface ServerProcess {
  /** `go` (sample-apiserver) or `ts` (our wardle). */
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** The CA that signed the serving certificate (the APIService caBundle). */
  readonly ca: CertificateAndKey;
  readonly proc: ManagedProcess;
  /** Milliseconds from spawn to the first `/readyz` 200. */
  readonly readyMs: number;
  stop(): Promise<void>;
}

/** How to start a process: optional CPU pinning (`taskset -c <cpus>`). */
export interface PinOptions {
  /** e.g. `"0"`: run under `taskset -c 0` (Linux). */
  cpus?: string;
}

function pinned(cmd: string, args: string[], pin?: PinOptions): [string, string[]] {
  return pin?.cpus ? ['taskset', ['-c', pin.cpus, cmd, ...args]] : [cmd, args];
}

/**
 * The directory holding `sample-apiserver`: `EXTAPI_SAMPLE_APISERVER_BIN` when set, else built
 * (or found cached) by scripts/build-sample-apiserver.sh.
 */
export async function resolveSampleApiserverBin(): Promise<string> {
  const fromEnv = process.env.EXTAPI_SAMPLE_APISERVER_BIN;
  if (fromEnv) return fromEnv;
  const script = join(REPO_ROOT, 'scripts', 'build-sample-apiserver.sh');
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('Go is not installed: k8s.io/sample-apiserver is built from the Go module proxy. Install Go >= 1.26 or set EXTAPI_SAMPLE_APISERVER_BIN.');
  }
  const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const code = await new Promise<number | null>((r) => child.once('close', r));
  const binDir = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !existsSync(join(binDir, 'sample-apiserver'))) throw new Error(`scripts/build-sample-apiserver.sh failed (exit ${code})`);
  return binDir;
}

/** A standalone single-member etcd on loopback (the cached control-plane binary). */
export interface EtcdProcess {
  readonly url: string;
  readonly proc: ManagedProcess;
  stop(): Promise<void>;
}

/** Starts an etcd with its data under `dir`, on free loopback ports, and waits for /health. */
export async function startEtcd(binDir: string, dir: string, pin?: PinOptions): Promise<EtcdProcess> {
  const [client, peer] = await freeLoopbackPorts(2);
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  await mkdir(join(dir, 'logs'), { recursive: true });
  const [cmd, args] = pinned(join(binDir, 'etcd'), [
    '--name', 'parity', '--data-dir', join(dir, 'etcd-data'), '--unsafe-no-fsync',
    '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `parity=${peerUrl}`, '--initial-cluster-state', 'new', '--log-level', 'warn',
    '--quota-backend-bytes', String(4 * 1024 ** 3),
  ], pin);
  const proc = spawnManaged('etcd', cmd, args, { logPath: join(dir, 'logs', 'etcd.log'), cleanupDir: undefined });
  await waitFor(async () => {
    if (proc.hasExited()) throw new Error(`etcd exited:\n${proc.logTail(20)}`);
    const res = await fetch(`${url}/health`).catch(() => undefined);
    return res?.status === 200;
  }, 30_000, 'etcd /health');
  return { url, proc, stop: () => proc.stop(5000) };
}

/** Writes a serving certificate for localhost, 127.0.0.1 and `dnsName` as tls.crt/tls.key in `dir`. */
export async function writeServingPair(dir: string, dnsName: string): Promise<CertificateAndKey> {
  const ca = await createCertificateAuthority({ commonName: `parity-ca-${dnsName}` });
  const serving = await issueServingCertificate(ca, { dnsNames: [dnsName, 'localhost'], ipAddresses: ['127.0.0.1'], validityDays: 7 });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'tls.crt'), serving.certPem);
  await writeFile(join(dir, 'tls.key'), serving.keyPem, { mode: 0o600 });
  return ca;
}

/** Options shared by both launchers. */
export interface LaunchOptions {
  /** Per-server working directory (certificates, logs, data). */
  dir: string;
  /** kubeconfig of the server's identity (steps 10-13 RBAC). */
  kubeconfig: string;
  /** The Service DNS name the aggregator verifies, `<svc>.<ns>.svc`. */
  serviceDnsName: string;
  /** A fixed port (default: a free one). */
  port?: number;
  pin?: PinOptions;
  /** The admin client pair and the cluster CA, to probe /readyz. */
  probe: { cert: string; key: string };
}

async function launch(name: string, cmd: string, args: string[], opts: LaunchOptions, port: number, ca: CertificateAndKey, env?: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const [c, a] = pinned(cmd, args, opts.pin);
  const t0 = performance.now();
  const proc = spawnManaged(name, c, a, { logPath: join(opts.dir, 'logs', `${name}.log`), env: env ?? process.env });
  const url = `https://127.0.0.1:${port}`;
  const target = httpsTarget(url, { ca: ca.certPem, cert: opts.probe.cert, key: opts.probe.key });
  try {
    await waitFor(async () => {
      if (proc.hasExited()) throw new Error(`${name} exited:\n${proc.logTail(40)}`);
      return (await target.request({ path: '/readyz' }).catch(() => undefined))?.status === 200;
    }, 60_000, `${name} /readyz`, 10);
  } catch (err) {
    await proc.stop(2000);
    throw err;
  } finally {
    target.close();
  }
  const readyMs = performance.now() - t0;
  return { name, url, port, ca, proc, readyMs, stop: () => proc.stop(5000) };
}

/** Starts k8s.io/sample-apiserver against `etcdUrl`, delegating authn/authz through `opts.kubeconfig`. */
export async function startGoSample(binDir: string, etcdUrl: string, opts: LaunchOptions & { etcdPrefix?: string }): Promise<ServerProcess> {
  await mkdir(join(opts.dir, 'logs'), { recursive: true });
  const ca = await writeServingPair(join(opts.dir, 'tls'), opts.serviceDnsName);
  const port = opts.port ?? (await freeLoopbackPorts(1))[0];
  const args = [
    '--etcd-servers', etcdUrl, '--etcd-prefix', opts.etcdPrefix ?? '/registry/wardle.example.com',
    '--secure-port', String(port), '--bind-address', '127.0.0.1',
    '--tls-cert-file', join(opts.dir, 'tls', 'tls.crt'), '--tls-private-key-file', join(opts.dir, 'tls', 'tls.key'),
    '--kubeconfig', opts.kubeconfig, '--authentication-kubeconfig', opts.kubeconfig, '--authorization-kubeconfig', opts.kubeconfig,
    '--profiling=false',
  ];
  return launch('go', join(binDir, 'sample-apiserver'), args, opts, port, ca, { ...process.env, KUBECONFIG: '' });
}

/** Which storage our wardle uses. */
export type TsStorage = { kind: 'memory' } | { kind: 'embedded'; dataDir: string } | { kind: 'etcd'; servers: string; prefix?: string };

/**
 * Starts examples/wardle/main.ts in delegated mode (`--kubeconfig`, `--tls-cert-dir`) on loopback.
 * `entry` replaces `--import tsx examples/wardle/main.ts` (e.g. a pre-built bundle); `nodeArgs` go before it.
 */
export async function startTsWardle(storage: TsStorage, opts: LaunchOptions & { nodeArgs?: string[]; entry?: string[] }): Promise<ServerProcess> {
  await mkdir(join(opts.dir, 'logs'), { recursive: true });
  if (storage.kind === 'embedded') await mkdir(storage.dataDir, { recursive: true });
  const ca = await writeServingPair(join(opts.dir, 'tls'), opts.serviceDnsName);
  const port = opts.port ?? (await freeLoopbackPorts(1))[0];
  const storageArgs = storage.kind === 'etcd'
    ? ['--storage', 'etcd', '--etcd-servers', storage.servers, '--etcd-prefix', storage.prefix ?? '/registry/extapi-wardle']
    : storage.kind === 'embedded' ? ['--storage', 'embedded', '--data-dir', storage.dataDir] : ['--storage', 'memory'];
  const entry = opts.entry ?? ['--import', 'tsx', join(REPO_ROOT, 'examples', 'wardle', 'main.ts')];
  const args = [...(opts.nodeArgs ?? []), ...entry,
    '--kubeconfig', opts.kubeconfig, '--tls-cert-dir', join(opts.dir, 'tls'),
    '--secure-port', String(port), '--bind-address', '127.0.0.1', ...storageArgs];
  return launch('ts', process.execPath, args, opts, port, ca, { ...process.env, KUBECONFIG: '' });
}
