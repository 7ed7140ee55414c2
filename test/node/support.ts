/** Helpers of the node e2e tests: kubectl that throws, JSON output, polling, read/write load through the aggregator, the certificate a server presents, leftovers. */
import { X509Certificate } from 'node:crypto';
import { Agent, request, type RequestOptions } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { KubeConfig } from '@kubernetes/client-node';
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
 * Counts of a load run: `ok` and `failed` count every request (reads and writes), `errors` holds
 * the first failures (status and body as kube-apiserver answered them), `failedWrites` the error
 * of each failed create, `created` the Flunders whose create was acknowledged (201).
 */
export interface LoadCounts { ok: number; failed: number; errors: string[]; created: string[]; failedWrites: string[] }

/** Pause of each load loop between two requests (the machine has 2 cores and runs the whole cluster). */
const LOAD_PAUSE_MS = 10;

/**
 * Requests through kube-apiserver (the aggregator, over the Service) as the cluster admin (the
 * admin kubeconfig's client certificate, kube-apiserver verified against its CA) until stopped:
 * two loops listing flunders in `namespace`, and with `writes` a third loop creating `load-<n>`
 * Flunders one after another. Every answer but 200/201, and every transport error, is a failure.
 */
export function startLoad(cp: ControlPlane, namespace: string, opts: { writes?: boolean } = {}): { stop(): Promise<LoadCounts> } {
  const counts: LoadCounts = { ok: 0, failed: 0, errors: [], created: [], failedWrites: [] };
  const path = `/apis/wardle.example.com/v1beta1/namespaces/${namespace}/flunders`;
  let stopped = false;
  const credentials = adminCredentials(cp);
  const agent = new Agent({ keepAlive: true, maxSockets: 3 });
  const read = async (): Promise<void> => {
    const r = await call(cp.url + path, { ...(await credentials), agent, method: 'GET' });
    if (r.status !== 200) throw new Error(`GET flunders → ${r.status}: ${r.text.slice(0, 300)}`);
  };
  const write = async (): Promise<void> => {
    const name = `load-${counts.created.length + counts.failedWrites.length}-${Date.now()}`;
    const body = JSON.stringify({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name }, spec: {} });
    try {
      const r = await call(cp.url + path, { ...(await credentials), agent, method: 'POST', body });
      if (r.status !== 201) throw new Error(`POST flunders ${name} → ${r.status}: ${r.text.slice(0, 300)}`);
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
      await new Promise((r) => setTimeout(r, LOAD_PAUSE_MS));
    }
  };
  const loops = [loop(read), loop(read), ...(opts.writes ? [loop(write)] : [])];
  return { stop: async () => { stopped = true; await Promise.all(loops); agent.destroy(); return counts; } };
}

/** The CA, client certificate and key of the admin kubeconfig. */
async function adminCredentials(cp: ControlPlane): Promise<Pick<RequestOptions, 'ca' | 'cert' | 'key'>> {
  const kc = new KubeConfig();
  kc.loadFromFile(cp.adminKubeconfigPath);
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  return { ca: options.ca, cert: options.cert, key: options.key };
}

/** One HTTPS request with a JSON body; resolves with the status and the body text. */
function call(url: string, options: RequestOptions & { body?: string }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const { body, ...rest } = options;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    const req = request(url, { ...rest, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer from ${url} in 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
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
