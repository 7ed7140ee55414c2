/**
 * Real etcd processes for tests: a single member or a small cluster, on free 127.0.0.1 ports
 * (clients may be served on another local address instead, e.g. a test node's bridge),
 * each member with its own temp data dir (no fsync: the data is disposable). Members can be
 * stopped, SIGKILLed and restarted on the same ports and data dir. Built on the shared process
 * helpers of src/testing (process groups, log files, a watchdog that kills the members if the
 * test process dies).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueClientCertificate, issueServingCertificate } from '../../src/certs/index.ts';
import { resolveControlPlaneBinaries } from '../../src/testing/binaries.ts';
import { freeLoopbackPorts } from '../../src/testing/ports.ts';
import { killGroup, removeDir, spawnManaged } from '../../src/testing/processes.ts';
import type { ManagedProcess } from '../../src/testing/processes.ts';
import { StartupError, waitForEtcdHealthy } from '../../src/testing/readiness.ts';

/** How long a member may take to report healthy after (re)start. */
const READY_MS = 20_000;

let binaryPath: Promise<string> | undefined;

/**
 * The etcd binary, from `scripts/build-control-plane.sh` (returns at once when cached) or
 * `EXTAPI_CONTROL_PLANE_BIN`. Resolved once per process.
 */
export function etcdBinary(): Promise<string> {
  binaryPath ??= resolveControlPlaneBinaries().then((dir) => join(dir, 'etcd'));
  return binaryPath;
}

/** PEM files of a TLS cluster: etcd's CA and serving pair, and a client pair. */
interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** The fixed identity of one member: name, ports and data dir (kept across restarts). */
interface MemberSpec {
  name: string;
  clientPort: number;
  peerPort: number;
  /** Plain-HTTP /health and /metrics, also when clients must use TLS. */
  metricsPort: number;
  dataDir: string;
  logPath: string;
  /** The cluster's temp dir, removed by the process watchdog if the test process dies. */
  clusterDir: string;
  tls?: TlsFiles;
  /** Address clients connect to (default 127.0.0.1); peers and metrics stay on loopback. */
  clientHost: string;
}

/** Client credentials (PEM) for a TLS cluster, as createEtcdStorage's `tls` option takes them. */
export interface EtcdClientTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** One etcd member. */
export class EtcdMember {
  private proc: ManagedProcess | undefined;

  constructor(private readonly spec: MemberSpec, private readonly initialCluster: string, private readonly clusterToken: string) {}

  /** The member's name in the cluster. */
  get name(): string {
    return this.spec.name;
  }

  /** `http(s)://<client host>:<client port>`. */
  get endpoint(): string {
    return `${this.spec.tls ? 'https' : 'http'}://${this.spec.clientHost}:${this.spec.clientPort}`;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.proc !== undefined && !this.proc.hasExited();
  }

  /** Starts the process (same ports and data dir as before); `waitReady` waits for /health. */
  async start(waitReady = true): Promise<void> {
    if (this.running) return;
    const { name, peerPort, metricsPort, dataDir, logPath, tls } = this.spec;
    const client = this.endpoint;
    const peer = `http://127.0.0.1:${peerPort}`;
    const tlsArgs = tls ? ['--cert-file', tls.certFile, '--key-file', tls.keyFile, '--trusted-ca-file', tls.caFile, '--client-cert-auth'] : [];
    this.proc = spawnManaged(`etcd-${name}`, await etcdBinary(), [
      '--name', name, '--data-dir', dataDir, '--unsafe-no-fsync',
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
      '--listen-metrics-urls', `http://127.0.0.1:${metricsPort}`,
      '--initial-cluster', this.initialCluster, '--initial-cluster-state', 'new',
      '--initial-cluster-token', this.clusterToken,
      '--log-level', 'error', ...tlsArgs,
    ], { logPath, cleanupDir: this.spec.clusterDir });
    if (waitReady) await this.waitReady();
  }

  /** Waits until the member answers /health with true (it has a leader). */
  async waitReady(): Promise<void> {
    if (!this.proc) throw new Error(`etcd ${this.name} was never started`);
    await waitForEtcdHealthy(this.proc, this.spec.metricsPort, Date.now() + READY_MS);
  }

  /** SIGTERM (then SIGKILL after 5 s); resolves once the process is gone. */
  async stop(): Promise<void> {
    await this.proc?.stop(5000);
  }

  /** SIGKILL at once (a crash); resolves once the process is gone. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.hasExited()) return;
    killGroup(proc.pid, 'SIGKILL');
    await proc.exited;
  }

  /** Kills (or stops, when `graceful`) and starts again on the same ports and data. */
  async restart(graceful = false): Promise<void> {
    await (graceful ? this.stop() : this.kill());
    await this.start();
  }

  /** True when this member is the raft leader (asked over its JSON gateway on 127.0.0.1). */
  async isLeader(): Promise<boolean> {
    const res = await fetch(`${this.endpoint}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(2000) });
    const status = await res.json() as { leader?: string; header?: { member_id?: string } };
    return status.leader !== undefined && status.leader === status.header?.member_id;
  }

  /** The last lines of the member's log. */
  logTail(lines = 40): string {
    return this.proc?.logTail(lines) ?? '';
  }
}

/** A running etcd (one or more members); always `destroy()` it, also when a test fails. */
export interface EtcdCluster {
  readonly members: EtcdMember[];
  /** The running member that is the raft leader, if any. */
  leader(): Promise<EtcdMember | undefined>;
  /** The client endpoints of all members. */
  readonly endpoints: string[];
  /** With `tls`: what a client needs to connect (etcd requires a client certificate). */
  readonly clientTls?: EtcdClientTls;
  /** Stops every member and removes the data dirs; idempotent. */
  destroy(): Promise<void>;
}

/** Writes a CA, a serving pair for 127.0.0.1 (and `host`) and a client pair under `dir`. */
async function makeTls(dir: string, host: string): Promise<{ files: TlsFiles; client: EtcdClientTls }> {
  const ca = await createCertificateAuthority({ commonName: 'extapi-test-etcd-ca' });
  const server = await issueServingCertificate(ca, { ipAddresses: [...new Set(['127.0.0.1', host])], dnsNames: ['localhost'] });
  const client = await issueClientCertificate(ca, { user: 'extapi' });
  const files = { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
  writeFileSync(files.caFile, ca.certPem);
  writeFileSync(files.certFile, server.certPem);
  writeFileSync(files.keyFile, server.keyPem, { mode: 0o600 });
  return { files, client: { caPem: ca.certPem, certPem: client.certPem, keyPem: client.keyPem } };
}

/** Builds the member specs of a fresh cluster of `size` members under `dir`. */
async function memberSpecs(dir: string, size: number, tls: TlsFiles | undefined, clientHost: string): Promise<MemberSpec[]> {
  const ports = await freeLoopbackPorts(size * 3);
  return Array.from({ length: size }, (_, i) => ({
    name: `m${i}`, clientPort: ports[3 * i], peerPort: ports[3 * i + 1], metricsPort: ports[3 * i + 2],
    dataDir: join(dir, `m${i}.etcd`), logPath: join(dir, `m${i}.log`), clusterDir: dir, tls, clientHost,
  }));
}

/** Starts `size` members together and waits until all are healthy. */
async function tryStart(dir: string, size: number, withTls: boolean, clientHost: string): Promise<EtcdCluster> {
  const tls = withTls ? await makeTls(dir, clientHost) : undefined;
  const specs = await memberSpecs(dir, size, tls?.files, clientHost);
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peerPort}`).join(',');
  const token = `extapi-test-${specs[0].peerPort}`;
  const members = specs.map((s) => new EtcdMember(s, initialCluster, token));
  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    await Promise.all(members.map((m) => m.kill()));
    removeDir(dir);
  };
  try {
    await Promise.all(members.map((m) => m.start(false)));
    await Promise.all(members.map((m) => m.waitReady()));
  } catch (err) {
    await Promise.all(members.map((m) => m.kill()));
    throw err;
  }
  const leader = async (): Promise<EtcdMember | undefined> => {
    for (const m of members) if (m.running && await m.isLeader().catch(() => false)) return m;
    return undefined;
  };
  return { members, endpoints: members.map((m) => m.endpoint), clientTls: tls?.client, leader, destroy };
}

/**
 * Starts an etcd cluster of `size` members (default 1) on free loopback ports with a fresh
 * temp data dir, retrying with new ports when a port was taken meanwhile. With `tls`, clients
 * must connect over TLS with a client certificate (see EtcdCluster.clientTls); peers talk HTTP.
 * With `clientHost`, clients connect to that local address (its serving certificate names it).
 */
export async function startEtcd(size = 1, opts: { tls?: boolean; clientHost?: string } = {}): Promise<EtcdCluster> {
  for (let attempt = 0; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'extapi-etcd-test-'));
    try {
      return await tryStart(dir, size, opts.tls ?? false, opts.clientHost ?? '127.0.0.1');
    } catch (err) {
      removeDir(dir);
      if (!(err instanceof StartupError && err.portClash) || attempt >= 3) throw err;
    }
  }
}
