/**
 * The benchmark environment: this process (the load generator) and the control plane pinned to
 * CPU 0, every server under test pinned to CPU 1; one etcd shared by sample-apiserver and our
 * wardle on etcd; the servers' identity with the RBAC of steps 10-13; and the ceiling server.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../src/testing/binaries.ts';
import { startControlPlane, type ControlPlane } from '../src/testing/control-plane.ts';
import { freeLoopbackPorts } from '../src/testing/ports.ts';
import { WARDLE_BUNDLER, wardleNodeFlags } from '../src/testing/node/wardle-image.ts';
import { spawnManaged } from '../src/testing/processes.ts';
import { adminPair, serverRbacYaml } from '../test/parity/support/cluster.ts';
import { waitFor } from '../test/parity/support/http.ts';
import { resolveSampleApiserverBin, startEtcd, startGoSample, startTsWardle, writeServingPair, type EtcdProcess, type PinOptions, type ServerProcess, type TsStorage } from '../test/parity/support/launch.ts';
import type { Endpoint } from './loadgen.ts';

/** CPU of the load generator, the control plane and etcd. */
export const LOAD_CPU = '0';
/** CPU of the server under test. */
export const SERVER_CPU = '1';

/** Namespaces the benchmark uses (they must exist in the cluster: sample-apiserver checks). */
export const NAMESPACES = ['bench', 'bench-ops', 'bench-l10', 'bench-l1k', 'bench-l10k', 'bench-create', 'bench-watch', 'bench-scale'];

/** Which of our storages to measure: etcd when src/storage/etcd exists, memory and embedded always. */
export type TsVariant = 'ts-etcd' | 'ts-memory' | 'ts-embedded';

/** A server under test. */
export interface Target {
  id: 'go' | TsVariant | 'ceiling';
  label: string;
  server: ServerProcess;
  direct: Endpoint;
}

/** Everything the run uses. */
export interface BenchEnv {
  cp: ControlPlane;
  dir: string;
  etcd: EtcdProcess;
  goBin: string;
  identityKubeconfig: string;
  admin: { cert: string; key: string };
  aggregator: Endpoint;
  targets: Target[];
  pin: PinOptions;
  /** The node arguments that run the wardle bundle (the shipped form): every TypeScript target runs it. */
  bundle: string[];
  close(): Promise<void>;
}

/**
 * Builds examples/wardle into one ES module with the Dockerfile's bundler and returns the node
 * arguments that run it as the image does: the ENTRYPOINT's node flags, then the bundle.
 */
export async function buildBundle(dir: string): Promise<string[]> {
  const out = join(dir, 'bundle');
  await mkdir(join(out, 'dist'), { recursive: true });
  await symlink(join(REPO_ROOT, 'node_modules'), join(out, 'node_modules')).catch(() => undefined);
  execFileSync(process.execPath, [WARDLE_BUNDLER, join(out, 'dist', 'wardle.mjs')], { cwd: REPO_ROOT });
  return [...wardleNodeFlags(), join(out, 'dist', 'wardle.mjs')];
}

/** Pins this process (all threads) to `cpus`; children inherit it unless pinned otherwise. */
export function pinSelf(cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

/** True when the etcd backend is in the tree (src/storage/etcd). */
export function etcdBackendAvailable(): boolean {
  return existsSync(join(REPO_ROOT, 'src', 'storage', 'etcd', 'etcd-storage.ts'));
}

/** Storage flags of a TypeScript variant. */
export function variantStorage(v: TsVariant, env: { etcd?: EtcdProcess; dir: string }, suffix = ''): TsStorage {
  if (v === 'ts-etcd') {
    if (!env.etcd) throw new Error('the ts-etcd variant needs the bench etcd');
    return { kind: 'etcd', servers: env.etcd.url, prefix: `/registry/extapi-bench${suffix}` };
  }
  if (v === 'ts-embedded') return { kind: 'embedded', dataDir: join(env.dir, `ts-data${suffix}`) };
  return { kind: 'memory' };
}

/** Labels for the report. */
export const VARIANT_LABELS: Record<Target['id'], string> = {
  go: 'Go sample-apiserver (etcd)', 'ts-etcd': 'TypeScript wardle (etcd)', 'ts-memory': 'TypeScript wardle (memory)',
  'ts-embedded': 'TypeScript wardle (embedded SQLite)', ceiling: 'bare node:http2 (constant body)',
};

/** Starts the control plane, etcd, the RBAC, every server and the ceiling. */
export async function setUpBench(variants: TsVariant[], log: (m: string) => void): Promise<BenchEnv> {
  pinSelf(LOAD_CPU);
  const dir = await mkdtemp(join(tmpdir(), 'extapi-bench-'));
  const cp = await startControlPlane({ log });
  const cleanups: Array<() => Promise<unknown>> = [() => cp.stop(), () => rm(dir, { recursive: true, force: true })];
  const close = async () => { for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined); };
  try {
    for (const ns of NAMESPACES) await cp.kubectl(['create', 'namespace', ns]);
    const user = 'bench-server';
    const applied = await cp.kubectl(['apply', '-f', '-'], { input: serverRbacYaml(user, user) });
    if (applied.code !== 0) throw new Error(applied.stderr);
    const identityKubeconfig = await cp.mintKubeconfig(user);
    const admin = await adminPair(cp);
    const etcd = await startEtcd(cp.binDir, join(dir, 'etcd'));
    cleanups.splice(1, 0, () => etcd.stop());
    const goBin = await resolveSampleApiserverBin();
    const bundle = await buildBundle(dir);
    const env = { cp, dir, etcd, goBin, identityKubeconfig, admin, pin: { cpus: SERVER_CPU }, close, targets: [] as Target[],
      aggregator: { base: cp.url, ca: cp.caPem, ...admin }, bundle };
    for (const id of ['go', ...variants] as Array<'go' | TsVariant>) {
      const server = await startTarget(env, id, '', id === 'go' ? {} : { nodeArgs: ['--trace-gc'], entry: bundle });
      cleanups.push(() => server.stop());
      env.targets.push({ id, label: VARIANT_LABELS[id], server, direct: { base: server.url, ca: server.ca.certPem, ...admin } });
      log(`${id} ready in ${Math.round(server.readyMs)} ms (pid ${server.proc.pid})`);
    }
    const ceiling = await startCeiling(dir);
    cleanups.push(() => ceiling.stop());
    env.targets.push({ id: 'ceiling', label: VARIANT_LABELS.ceiling, server: ceiling, direct: { base: ceiling.url, ca: ceiling.ca.certPem, ...admin } });
    return env;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Starts one server under test (pinned to the server CPU). */
export function startTarget(env: Pick<BenchEnv, 'dir' | 'etcd' | 'goBin' | 'identityKubeconfig' | 'admin'>, id: 'go' | TsVariant, suffix: string, extra: { nodeArgs?: string[]; entry?: string[] } = {}): Promise<ServerProcess> {
  const opts = { dir: join(env.dir, `${id}${suffix}`), kubeconfig: env.identityKubeconfig, serviceDnsName: `${id}.bench.svc`, probe: env.admin, pin: { cpus: SERVER_CPU } };
  if (id === 'go') return startGoSample(env.goBin, env.etcd.url, { ...opts, etcdPrefix: `/registry/wardle-bench${suffix}` });
  return startTsWardle(variantStorage(id, env, suffix), { ...opts, ...extra });
}

/** The bare node:http2 server (the ceiling), pinned to the server CPU. */
async function startCeiling(dir: string): Promise<ServerProcess> {
  const tls = join(dir, 'ceiling');
  await mkdir(join(tls, 'logs'), { recursive: true });
  const ca = await writeServingPair(tls, 'ceiling.bench.svc');
  const [port] = await freeLoopbackPorts(1);
  const t0 = performance.now();
  const proc = spawnManaged('ceiling', 'taskset', ['-c', SERVER_CPU, process.execPath, '--import', 'tsx', join(REPO_ROOT, 'bench', 'ceiling-server.ts'), String(port), tls], { logPath: join(tls, 'logs', 'ceiling.log') });
  const url = `https://127.0.0.1:${port}`;
  await waitFor(async () => proc.logTail(5).includes('ready'), 20_000, 'ceiling server', 20);
  return { name: 'ceiling', url, port, ca, proc, readyMs: performance.now() - t0, stop: () => proc.stop(3000) };
}
