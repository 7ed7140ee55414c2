/** Helpers of the node e2e tests: kubectl that throws, JSON output, polling, read/write load through the aggregator, the certificate a server presents, leftovers. */
import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { acquireNodeHostLock } from '../../src/testing/node/host-lock.ts';
import type { NodeClusterState } from '../../src/testing/node/node-cluster.ts';
import { nodeLeftovers } from '../../src/testing/node/teardown.ts';

/** kubectl against the cluster as admin; rejects with stderr on a non-zero exit. */
export function makeKubectl(cp: ControlPlane): (args: string[], input?: string) => Promise<string> {
  return async (args, input) => {
    const r = await cp.kubectl(args, { input, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
}

/** `kubectl ... -o json`, parsed. */
export async function kubectlJson(kubectl: (args: string[]) => Promise<string>, args: string[]): Promise<any> {
  return JSON.parse(await kubectl([...args, '-o', 'json']));
}

/** Polls `check` every 500 ms until it is true; throws naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try { if (await check()) return; } catch (err) { last = (err as Error).message; }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
}

/**
 * Counts of a load run: `failed` counts every failed request (reads and writes), `failedWrites`
 * holds the error of each failed create, `created` lists the Flunders whose create was
 * acknowledged (201).
 */
export interface LoadCounts { ok: number; failed: number; errors: string[]; created: string[]; failedWrites: string[] }

/**
 * Requests through kube-apiserver (the aggregator, over the Service) with kubectl's admin client
 * certificate until stopped: two loops listing flunders in `namespace`, and with `writes` a third
 * loop creating `load-<n>` Flunders one after another. Any non-zero kubectl exit is a failure.
 */
export function startLoad(cp: ControlPlane, namespace: string, opts: { writes?: boolean } = {}): { stop(): Promise<LoadCounts> } {
  const counts: LoadCounts = { ok: 0, failed: 0, errors: [], created: [], failedWrites: [] };
  const path = `/apis/wardle.example.com/v1beta1/namespaces/${namespace}/flunders`;
  let stopped = false;
  const run = async (args: string[], input?: string): Promise<void> => {
    // -v=8: a failure reports the response body (kubectl shows a plain-text 503 only generically)
    const r = await cp.kubectl([...args, '-v=8'], { timeoutMs: 30_000, input });
    if (r.code !== 0) {
      const body = /Response Body: (.*)/.exec(r.stderr)?.[1] ?? '';
      const last = r.stderr.trim().split('\n').at(-1) ?? '';
      throw new Error(`kubectl ${args.slice(0, 2).join(' ')}: ${last}${body ? ` (response body: ${body.slice(0, 300)})` : ''}`);
    }
  };
  const read = () => run(['get', '--raw', path]);
  const write = async (): Promise<void> => {
    const name = `load-${counts.created.length + counts.failed}-${Date.now()}`;
    try {
      await run(['create', '--raw', path, '-f', '-'], JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name }, spec: {} }));
    } catch (err) {
      counts.failedWrites.push((err as Error).message);
      throw err;
    }
    counts.created.push(name);
  };
  const loop = async (request: () => Promise<void>): Promise<void> => {
    while (!stopped) {
      try { await request(); counts.ok++; } catch (err) {
        counts.failed++;
        if (counts.errors.length < 10) counts.errors.push((err as Error).message);
      }
    }
  };
  const loops = [loop(read), loop(read), ...(opts.writes ? [loop(write)] : [])];
  return { stop: async () => { stopped = true; await Promise.all(loops); return counts; } };
}

/**
 * The certificate a TLS server at `host:port` presents for `servername`, verified against `caPem`
 * (a certificate that does not chain to it rejects), as base64 DER.
 */
export function servedCertificate(host: string, port: number, servername: string, caPem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, servername, ca: caPem, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      const der = socket.getPeerCertificate().raw.toString('base64');
      socket.destroy();
      resolve(der);
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no TLS handshake with ${host}:${port} in 10 s`)));
    socket.once('error', reject);
  });
}

/** The first certificate of a PEM bundle as base64 DER (to compare with {@link servedCertificate}). */
export function pemToDer(pem: string): string {
  return new X509Certificate(pem).raw.toString('base64');
}

/**
 * What a torn-down node cluster left on the host, read while holding the host lock: another node
 * cluster waiting for the lock would otherwise create the host-wide nft tables and sysctls again.
 */
export async function leftoversUnderHostLock(state: NodeClusterState): Promise<string[]> {
  const lock = await acquireNodeHostLock({ log: (m) => process.stderr.write(`[node-e2e] ${m}\n`) });
  try {
    return nodeLeftovers(state);
  } finally {
    await lock.release();
  }
}
