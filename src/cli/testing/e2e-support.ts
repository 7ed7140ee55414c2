/**
 * Helpers for the CLI's end-to-end tests: run `extapi` as a real process (no KUBECONFIG, a
 * private HOME, no colours), run the wardle server on loopback in delegated mode, load it with
 * requests, and make the faulty certificates the doctor must catch.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import * as x509 from '@peculiar/x509';
import {
  exportPrivateKeyPem, generateKeyPair, importPrivateKeyPem, signingAlgorithm, type CertificateAndKey,
} from '../../certs/index.ts';
import { KubeApiError, type KubeClient } from '../../kube/client.ts';
import { REPO_ROOT } from '../../testing/binaries.ts';
import { freeLoopbackPorts } from '../../testing/ports.ts';
import { spawnManaged, type ManagedProcess } from '../../testing/processes.ts';
import { fetchPeerCertificate } from '../probe/tls-probe.ts';

/** The outcome of one `extapi` run. */
export interface ExtapiRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs the CLI from the sources (`node --import tsx src/cli/main.ts ...args`, what bin/extapi.js
 * runs once built) in `cwd` (also its HOME), without KUBECONFIG, NO_COLOR set; `onStdout` sees
 * its output as it comes.
 */
export function runExtapi(args: string[], cwd: string, timeoutMs = 240_000, onStdout?: (chunk: string) => void): Promise<ExtapiRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: cwd, NO_COLOR: '1' };
  delete env.KUBECONFIG;
  delete env.FORCE_COLOR;
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; onStdout?.(d); });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, ms: Math.round(performance.now() - started) });
    });
  });
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  return (await freeLoopbackPorts(1))[0];
}

/** Options of {@link startWardle}. */
export interface WardleOptions {
  kubeconfig: string;
  certDir: string;
  port: number;
  /** TLS ServerName the certificate carries, `<svc>.<ns>.svc`. */
  serverName: string;
  caPem: string;
  logPath: string;
}

/**
 * Starts `examples/wardle/main.ts` in delegated mode on 127.0.0.1 with memory storage, and
 * waits until `/readyz` answers 200 over TLS (2 min by default: tsx compiles the sources at start, slow on a loaded machine).
 */
export async function startWardle(o: WardleOptions, timeoutMs = 120_000): Promise<ManagedProcess> {
  const proc = spawnManaged('wardle', process.execPath, [
    '--import', 'tsx', join(REPO_ROOT, 'examples', 'wardle', 'main.ts'),
    '--kubeconfig', o.kubeconfig, '--tls-cert-dir', o.certDir, '--secure-port', String(o.port),
    '--bind-address', '127.0.0.1', '--storage', 'memory',
  ], { logPath: o.logPath, env: { ...process.env, KUBECONFIG: '' } });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.hasExited()) throw new Error(`the wardle server exited:\n${proc.logTail(30)}`);
    const status = await getStatus(o.port, '/readyz', o.serverName, o.caPem);
    if (status === 200) return proc;
    await new Promise((r) => setTimeout(r, 200));
  }
  await proc.stop();
  throw new Error(`the wardle server was not ready within ${timeoutMs} ms:\n${proc.logTail(30)}`);
}

function getStatus(port: number, path: string, servername: string, ca: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, servername, ca, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Waits until the server on `port` presents the certificate `certPem` (after a file swap). */
export async function waitForPresented(port: number, serverName: string, certPem: string, timeoutMs = 10_000): Promise<void> {
  const want = new x509.X509Certificate(certPem).serialNumber;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await fetchPeerCertificate({ host: '127.0.0.1', port, serverName, caBundlePem: '' });
    if (r.ok && new x509.X509Certificate(r.certPem).serialNumber === want) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`the server on ${port} did not load the new certificate within ${timeoutMs} ms`);
}

/** Issues a serving certificate under `ca` valid only between the given dates (e.g. already expired). */
export async function issueCertificateValidBetween(ca: CertificateAndKey, dnsNames: string[], notBefore: Date, notAfter: Date): Promise<CertificateAndKey> {
  const { key, algorithm } = await importPrivateKeyPem(ca.keyPem);
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Date.now().toString(16).padStart(16, '1'), subject: `CN=${dnsNames[0]}`,
    issuer: new x509.X509Certificate(ca.certPem).subject, notBefore, notAfter,
    publicKey: keys.publicKey, signingKey: key, signingAlgorithm: signingAlgorithm(algorithm),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

/** Counts of a load run. */
export interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
}

/**
 * Calls `once` from `concurrency` loops until `stop` is aborted; every rejection counts as a
 * failure (with its message kept, up to 20).
 */
export async function runLoad(once: () => Promise<void>, concurrency: number, stop: AbortSignal): Promise<LoadResult> {
  const res: LoadResult = { ok: 0, failed: 0, errors: [] };
  const loop = async () => {
    while (!stop.aborted) {
      try { await once(); res.ok++; } catch (err) {
        res.failed++;
        if (res.errors.length < 20) res.errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return res;
}

/** One GET over a fresh TLS connection verified with `ca` and `servername`; rejects on non-2xx. */
export function verifiedGet(port: number, path: string, servername: string, ca: string, cert: CertificateAndKey): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, servername, ca, cert: cert.certPem, key: cert.keyPem, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const LOCK_NAMESPACE = 'default';

/**
 * The Lease every e2e file that registers the wardle APIServices (cluster-wide names) should
 * hold while they exist: `acquireClusterLock(client, WARDLE_LOCK, '<file>')`.
 */
export const WARDLE_LOCK = 'extapi-e2e-wardle-apiservices';

function microTime(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * A cluster-wide test lock: a coordination.k8s.io Lease named `name` in `default`, created by
 * whoever holds it (create is atomic: a second creator gets 409). An expired lease (holder
 * died) is taken over. Resolves to the release function. Files that register the same
 * cluster-wide names (e.g. the wardle APIServices) on a shared control plane take the same lock.
 */
export async function acquireClusterLock(client: KubeClient, name: string, holder: string, opts: { leaseSeconds?: number; timeoutMs?: number } = {}): Promise<() => Promise<void>> {
  const leaseSeconds = opts.leaseSeconds ?? 600;
  const deadline = Date.now() + (opts.timeoutMs ?? 900_000);
  const path = `/apis/coordination.k8s.io/v1/namespaces/${LOCK_NAMESPACE}/leases`;
  for (;;) {
    try {
      await client.request('POST', path, {
        body: {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name },
          spec: { holderIdentity: holder, leaseDurationSeconds: leaseSeconds, acquireTime: microTime(), renewTime: microTime() },
        },
      });
      return async () => { await client.request('DELETE', `${path}/${name}`).catch(() => undefined); };
    } catch (err) {
      if (!(err instanceof KubeApiError) || err.code !== 409) throw err;
    }
    const lease = await client.getOrNull(`${path}/${name}`);
    const renewed = Date.parse(lease?.spec?.renewTime ?? '');
    if (lease && renewed + (lease.spec?.leaseDurationSeconds ?? leaseSeconds) * 1000 < Date.now()) {
      await client.request('DELETE', `${path}/${name}`, { body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: lease.metadata.resourceVersion } } }).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`lock ${name} is held by ${lease?.spec?.holderIdentity ?? 'someone'}; gave up waiting`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
