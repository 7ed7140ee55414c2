import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Status } from '../apimachinery/types.ts';
import { loadKubeconfig, type Kubeconfig, type KubeconfigCluster } from './kubeconfig.ts';

/** A failed call to kube-apiserver, with the Status it answered (when it answered one). */
export class KubeApiError extends Error {
  readonly code: number;
  readonly status?: Status;
  constructor(code: number, message: string, status?: Status) {
    super(message);
    this.name = 'KubeApiError';
    this.code = code;
    this.status = status;
  }
  /** The Status reason (NotFound, AlreadyExists, Forbidden, ...) or '' when none. */
  get reason(): string { return this.status?.reason ?? ''; }
}

/** Options of one request. */
export interface KubeRequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | string[] | undefined>;
  accept?: string;
  timeoutMs?: number;
}

/** A small JSON client for kube-apiserver, authenticated as a kubeconfig (or in-cluster config) says. */
export interface KubeClient {
  /** The API server URL. */
  readonly server: string;
  /** The user name of the kubeconfig's context (for messages). */
  readonly contextName: string;
  /** One request; non-2xx throws KubeApiError carrying the parsed Status. */
  request<T = any>(method: string, path: string, opts?: KubeRequestOptions): Promise<T>;
  /** GET that answers null on 404 instead of throwing. */
  getOrNull<T = any>(path: string): Promise<T | null>;
  /**
   * Streams a watch (`?watch=true` is added): calls `onEvent` per event until the server ends the
   * stream or `signal` aborts; resolves then. Non-2xx rejects with KubeApiError.
   */
  watch(path: string, query: Record<string, string>, onEvent: (event: { type: string; object: any }) => void, signal: AbortSignal): Promise<void>;
}

/** Where to find credentials: a kubeconfig path (else KUBECONFIG / ~/.kube/config), or in-cluster. */
export interface KubeClientOptions {
  kubeconfig?: string;
  context?: string;
}

/**
 * Loads a client from a kubeconfig (explicit path, $KUBECONFIG, ~/.kube/config) or, in a pod,
 * the service-account credentials (src/kube/kubeconfig.ts). Throws an Error whose message says
 * what to do when there is no usable configuration. TLS is always verified; a kubeconfig asking
 * to skip verification is refused.
 */
export function loadKubeClient(opts: KubeClientOptions = {}): KubeClient {
  const config = loadKubeconfig({ path: opts.kubeconfig, context: opts.context });
  if (!config?.cluster) throw new Error('no Kubernetes cluster is configured; set KUBECONFIG or pass --kubeconfig');
  return kubeClientFromKubeconfig(config);
}

/**
 * A client for a loaded {@link Kubeconfig} (its current context). Throws when the context has no
 * cluster, or its cluster skips TLS verification.
 */
export function kubeClientFromKubeconfig(config: Kubeconfig): KubeClient {
  if (!config.cluster) throw new Error(`the kubeconfig's context "${config.contextName}" names no cluster; fix the kubeconfig`);
  return makeClient(verifiedCluster(config.cluster).server, config.contextName, kubeconfigAuth(config, config.cluster));
}

/**
 * A client for an already loaded client-node `KubeConfig` (its current context). Throws when the
 * context has no cluster, or its cluster skips TLS verification.
 */
export function kubeClientFromConfig(kc: KubeConfig): KubeClient {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`the kubeconfig's context "${kc.getCurrentContext()}" names no cluster; fix the kubeconfig`);
  if (cluster.skipTLSVerify) throw new Error(skipVerifyRefused(cluster.name));
  return makeClient(cluster.server.replace(/\/+$/, ''), kc.getCurrentContext(), async (o) => { await kc.applyToHTTPSOptions(o); });
}

const skipVerifyRefused = (name: string) => `the kubeconfig's cluster "${name}" sets insecure-skip-tls-verify; extapi verifies certificates: give it certificate-authority data`;

function verifiedCluster(cluster: KubeconfigCluster): KubeconfigCluster {
  if (cluster.insecureSkipTlsVerify) throw new Error(skipVerifyRefused(cluster.name));
  return cluster;
}

/** Puts what the request presents and verifies into `options`. */
type ApplyAuth = (options: RequestOptions) => Promise<void>;

function kubeconfigAuth(config: Kubeconfig, cluster: KubeconfigCluster): ApplyAuth {
  return async (options) => {
    const creds = await config.credentials();
    if (cluster.caPem) options.ca = cluster.caPem;
    if (cluster.tlsServerName) options.servername = cluster.tlsServerName;
    if (creds.cert) options.cert = creds.cert;
    if (creds.key) options.key = creds.key;
    options.headers = { ...(options.headers as Record<string, string>), ...creds.headers };
  };
}

function makeClient(server: string, contextName: string, applyAuth: ApplyAuth): KubeClient {
  const client: KubeClient = {
    watch: async () => undefined,
    server,
    contextName,
    async request(method, path, o = {}) {
      const url = new URL(server + path);
      for (const [k, v] of Object.entries(o.query ?? {})) {
        if (v === undefined) continue;
        for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
      }
      const options: RequestOptions = { method, headers: { accept: o.accept ?? 'application/json' } };
      await applyAuth(options);
      const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      if (body !== undefined) {
        // Node sends a DELETE's body without Content-Length (and without chunking): on a kept-alive
        // connection kube-apiserver would then read that body as the next request.
        Object.assign(options.headers as Record<string, string>, { 'content-type': o.contentType ?? 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      }
      const { code, text } = await send(url, options, body, o.timeoutMs ?? 30_000);
      const parsed = text ? safeParse(text) : undefined;
      if (code < 200 || code > 299) {
        const status = parsed && (parsed as Status).kind === 'Status' ? (parsed as Status) : undefined;
        throw new KubeApiError(code, status?.message ?? `${method} ${path}: HTTP ${code}`, status);
      }
      return parsed as never;
    },
    async getOrNull(path) {
      try { return await client.request('GET', path); } catch (err) {
        if (err instanceof KubeApiError && err.code === 404) return null;
        throw err;
      }
    },
  };
  client.watch = async (path, query, onEvent, signal) => {
    const url = new URL(server + path);
    for (const [k, v] of Object.entries({ ...query, watch: 'true' })) url.searchParams.set(k, v);
    const options: RequestOptions = { method: 'GET', headers: { accept: 'application/json' }, signal };
    await applyAuth(options);
    await streamLines(url, options, (line) => onEvent(JSON.parse(line)));
  };
  return client;
}

function streamLines(url: URL, options: RequestOptions, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, options, (res) => {
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) {
        res.resume();
        reject(new KubeApiError(res.statusCode ?? 0, `watch ${url.pathname}: HTTP ${res.statusCode}`));
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) onLine(line);
        }
      });
      res.on('end', () => resolve());
      res.on('error', () => resolve());
      res.on('close', () => resolve());
    });
    req.on('error', (err) => (err.name === 'AbortError' ? resolve() : reject(err)));
    req.end();
  });
}

function send(url: URL, options: RequestOptions, body: string | undefined, timeoutMs: number): Promise<{ code: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`request to ${url.host} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function safeParse(text: string): unknown {
  try { return JSON.parse(text); } catch { return text; }
}
