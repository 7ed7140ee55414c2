/**
 * `npm run bench -- --managed-fields`: what tracking managedFields costs an update. Two wardle
 * servers of the same tree and storage, both pinned to the server CPU: "with" (as shipped) and
 * "without" (FieldManager.update replaced by the identity, see without-tracking.ts). The update
 * load (PUT, 32 in flight, one object per worker) runs against them interleaved, the order
 * alternating each pair (AB BA AB ...), so a machine shared with other work loads both alike;
 * each pair gives one ratio. Then the in-process microbenchmark of FieldManager.update.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/testing/binaries.ts';
import { startControlPlane } from '../../src/testing/control-plane.ts';
import { adminPair, serverRbacYaml } from '../../test/parity/support/cluster.ts';
import { startEtcd, startTsWardle, type EtcdProcess, type ServerProcess } from '../../test/parity/support/launch.ts';
import { LOAD_CPU, SERVER_CPU, pinSelf, variantStorage, type TsVariant } from '../env.ts';
import { openSessions, send, type Endpoint, type LoadResult } from '../loadgen.ts';
import { CONCURRENCY, measure, seed } from '../ops.ts';
import { machine } from '../results.ts';
import { fieldManagerMicrobench } from './micro.ts';
import type { ManagedFieldsResults, Side } from './results.ts';

/** What to run. */
export interface ManagedFieldsOptions {
  pairs: number;
  durationMs: number;
  warmupMs: number;
  variant: TsVariant;
  microRounds: number;
  microIterations: number;
}

const SIDES: Side[] = ['with', 'without'];

/** The commit of the tree (12 hex digits); throws when tracked files have uncommitted changes. */
export function cleanCommit(): string {
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT }).toString().trim();
  if (dirty) throw new Error('the tree has uncommitted changes: commit them first, the report names the commit it measured (or pass --allow-dirty to print the figures without writing the report)');
  return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: REPO_ROOT }).toString().trim();
}

async function startSides(dir: string, variant: TsVariant, kubeconfig: string, probe: { cert: string; key: string }, etcd: EtcdProcess | undefined): Promise<Record<Side, ServerProcess>> {
  const wardle = join(REPO_ROOT, 'examples', 'wardle', 'main.ts');
  const preload = join(REPO_ROOT, 'bench', 'managed-fields', 'without-tracking.ts');
  const entries: Record<Side, string[]> = { with: ['--import', 'tsx', wardle], without: ['--import', 'tsx', '--import', preload, wardle] };
  const out: Partial<Record<Side, ServerProcess>> = {};
  for (const side of SIDES) {
    const storage = variantStorage(variant, { etcd, dir }, `-${side}`);
    out[side] = await startTsWardle(storage, { dir: join(dir, side), kubeconfig, serviceDnsName: `${side}.bench.svc`, probe, pin: { cpus: SERVER_CPU }, entry: entries[side] });
  }
  return out as Record<Side, ServerProcess>;
}

/** Refuses to measure when the toggle did not take: "with" must carry managedFields, "without" none. */
async function checkTracking(eps: Record<Side, Endpoint>): Promise<void> {
  for (const side of SIDES) {
    const [s] = await openSessions(eps[side], 1);
    try {
      const res = await send(s, { method: 'GET', path: '/apis/wardle.example.com/v1beta1/namespaces/bench-ops/flunders/upd-0' }, true);
      const tracked = (JSON.parse(res.body) as { metadata?: { managedFields?: unknown[] } }).metadata?.managedFields?.length ?? 0;
      if ((side === 'with') !== tracked > 0) throw new Error(`the "${side}" server ${tracked ? 'records' : 'does not record'} managedFields (GET upd-0 → ${res.status}): the comparison would be meaningless`);
    } finally {
      s.close();
    }
  }
}

/** Runs the whole comparison; `log` gets progress lines. */
export async function measureManagedFields(o: ManagedFieldsOptions, commit: string, log: (m: string) => void): Promise<ManagedFieldsResults> {
  const loadBefore = loadavg();
  const t0 = performance.now();
  pinSelf(LOAD_CPU);
  const dir = await mkdtemp(join(tmpdir(), 'extapi-bench-mf-'));
  const cleanups: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  try {
    const cp = await startControlPlane({ log });
    cleanups.push(() => cp.stop());
    for (const ns of ['bench-ops', 'bench-watch']) await cp.kubectl(['create', 'namespace', ns]);
    const applied = await cp.kubectl(['apply', '-f', '-'], { input: serverRbacYaml('bench-server', 'bench-server') });
    if (applied.code !== 0) throw new Error(applied.stderr);
    const kubeconfig = await cp.mintKubeconfig('bench-server');
    const admin = await adminPair(cp);
    const etcd = o.variant === 'ts-etcd' ? await startEtcd(cp.binDir, join(dir, 'etcd')) : undefined;
    if (etcd) cleanups.push(() => etcd.stop());
    const servers = await startSides(dir, o.variant, kubeconfig, admin, etcd);
    for (const side of SIDES) cleanups.push(() => servers[side].stop());
    const eps = Object.fromEntries(SIDES.map((s) => [s, { base: servers[s].url, ca: servers[s].ca.certPem, ...admin }])) as Record<Side, Endpoint>;
    for (const side of SIDES) await seed(eps[side], (m) => log(`${side}${m}`), []);
    await checkTracking(eps);
    const runs: Record<Side, LoadResult[]> = { with: [], without: [] };
    for (let pair = 0; pair < o.pairs; pair++) {
      for (const side of pair % 2 ? [...SIDES].reverse() : SIDES) {
        const res = await measure('update', eps[side], o);
        runs[side].push(res);
        log(`pair ${pair + 1} ${side.padEnd(7)} ${Math.round(res.rps)} req/s p50 ${res.p50.toFixed(1)} ms non-2xx ${res.errors}${res.errors ? `: ${res.failures[0]}` : ''}`);
      }
    }
    log(`microbenchmark: ${o.microRounds} × ${o.microIterations} FieldManager.update`);
    const micro = fieldManagerMicrobench(o.microRounds, o.microIterations);
    return {
      date: new Date().toISOString(), commit, variant: o.variant, machine: machine(loadBefore),
      settings: { pairs: o.pairs, durationMs: o.durationMs, warmupMs: o.warmupMs, concurrency: CONCURRENCY.update, serverCpu: SERVER_CPU, loadCpu: LOAD_CPU },
      runs: Object.fromEntries(SIDES.map((s) => [s, runs[s].map(({ rps, p50, p99, errors, failures }) => ({ rps, p50, p99, errors, failures }))])) as ManagedFieldsResults['runs'],
      micro, wallSeconds: Math.round((performance.now() - t0) / 1000),
    };
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}
