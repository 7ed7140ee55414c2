/**
 * The parity environment on a (shared) control plane: namespaces, the servers' RBAC and
 * identity, an etcd for sample-apiserver, both servers, and a {@link Route} to each, directly and
 * through the aggregator. `teardown()` removes everything it created.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlPlane } from '../../../src/testing/control-plane-state.ts';
import { adminPair, aggregatorTarget, deleteServerRbac, registerWardle, serverRbacYaml, unregisterWardle } from './cluster.ts';
import { httpsTarget } from './http.ts';
import { resolveSampleApiserverBin, startEtcd, startGoSample, startTsWardle, type EtcdProcess, type ServerProcess, type TsStorage } from './launch.ts';
import { directKubeconfig, type Route } from './runner.ts';
import type { Via } from './scenario.ts';

/** Everything a parity run uses. */
export interface ParityEnvironment {
  cp: ControlPlane;
  go: ServerProcess;
  ts: ServerProcess;
  /** The storage our wardle runs with. */
  tsStorage: TsStorage['kind'];
  /** The route to `server` over `via`. */
  route(server: 'go' | 'ts', via: Via): Route;
  /** Registers `server` behind the aggregator (unregistering the other first). */
  register(server: 'go' | 'ts'): Promise<void>;
  teardown(): Promise<void>;
}

/** The storage of our wardle in the parity run: `EXTAPI_PARITY_STORAGE` = memory (default) | embedded | etcd. */
function tsStorage(etcd: EtcdProcess, dir: string): TsStorage {
  const kind = process.env.EXTAPI_PARITY_STORAGE ?? 'memory';
  if (kind === 'etcd') return { kind: 'etcd', servers: etcd.url, prefix: '/registry/extapi-parity' };
  if (kind === 'embedded') return { kind: 'embedded', dataDir: join(dir, 'ts-data') };
  return { kind: 'memory' };
}

/** Sets up the environment; `id` makes names unique on a shared plane. On failure, undoes what it did. */
export async function setUpParity(cp: ControlPlane, id: string): Promise<ParityEnvironment> {
  const undo: Array<() => Promise<unknown>> = [];
  const unwind = async () => { for (const f of undo.reverse()) await f().catch(() => undefined); };
  try {
    return await build(cp, id, undo, unwind);
  } catch (err) {
    await unwind();
    throw err;
  }
}

async function build(cp: ControlPlane, id: string, undo: Array<() => Promise<unknown>>, unwind: () => Promise<void>): Promise<ParityEnvironment> {
  const dir = await mkdtemp(join(tmpdir(), 'extapi-parity-'));
  undo.push(() => rm(dir, { recursive: true, force: true }));
  const user = `parity-server-${id}`;
  const infraNs = `parity-${id}`;
  const namespaces: Record<Via, string> = { direct: `parity-${id}-d`, aggregated: `parity-${id}-a` };
  undo.push(() => cp.kubectl(['delete', 'namespace', infraNs, ...Object.values(namespaces), '--wait=false', '--ignore-not-found']));
  for (const ns of [infraNs, ...Object.values(namespaces)]) {
    const res = await cp.kubectl(['create', 'namespace', ns]);
    if (res.code !== 0) throw new Error(res.stderr);
  }
  undo.push(() => deleteServerRbac(cp, user));
  const rbac = await cp.kubectl(['apply', '-f', '-'], { input: serverRbacYaml(user, user) });
  if (rbac.code !== 0) throw new Error(rbac.stderr);
  const kubeconfig = await cp.mintKubeconfig(user);
  const admin = await adminPair(cp);
  const etcd = await startEtcd(cp.binDir, join(dir, 'etcd'));
  undo.push(() => etcd.stop());
  const common = { kubeconfig, probe: admin };
  const go = await startGoSample(await resolveSampleApiserverBin(), etcd.url, { ...common, dir: join(dir, 'go'), serviceDnsName: `go.${infraNs}.svc` });
  undo.push(() => go.stop());
  const storage = tsStorage(etcd, dir);
  const ts = await startTsWardle(storage, { ...common, dir: join(dir, 'ts'), serviceDnsName: `ts.${infraNs}.svc` });
  undo.push(() => ts.stop());
  const aggregator = await aggregatorTarget(cp);
  const routes = new Map<string, Route>();
  for (const server of [go, ts]) {
    const name = server.name as 'go' | 'ts';
    const direct = httpsTarget(server.url, { ca: server.ca.certPem, ...admin });
    const kc = await directKubeconfig(join(dir, 'kubectl', name), server.url, server.ca.certPem, admin);
    const cache = (via: Via) => join(dir, 'kubectl', name, `cache-${via}`);
    routes.set(`${name}/direct`, { server: name, via: 'direct', api: direct, kubectl: { binDir: cp.binDir, kubeconfig: kc, cacheDir: cache('direct') }, ns: namespaces.direct, prefix: `${id}-d` });
    routes.set(`${name}/aggregated`, { server: name, via: 'aggregated', api: aggregator, kubectl: { binDir: cp.binDir, kubeconfig: cp.adminKubeconfigPath, cacheDir: cache('aggregated') }, ns: namespaces.aggregated, prefix: `${id}-a` });
  }
  undo.push(async () => { for (const r of routes.values()) r.api.close(); });
  let registered: 'go' | 'ts' | undefined;
  undo.push(async () => { if (registered) await unregisterWardle(cp, infraNs, registered); });
  return {
    cp, go, ts, tsStorage: storage.kind,
    route: (server, via) => routes.get(`${server}/${via}`)!,
    register: async (server) => {
      if (registered) await unregisterWardle(cp, infraNs, registered);
      registered = undefined;
      const s = server === 'go' ? go : ts;
      await registerWardle(cp, infraNs, server, s.port, s.ca.certPem);
      registered = server;
    },
    teardown: unwind,
  };
}
