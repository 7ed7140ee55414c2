/**
 * Reading a kubeconfig (or a pod's service account) the way kubectl does, without loading
 * `@kubernetes/client-node` on the server's start path: an explicit file, else every file in
 * $KUBECONFIG merged (the first file naming a cluster, user or context wins; the first
 * current-context set wins), else ~/.kube/config, else the in-cluster service account. File
 * paths inside a kubeconfig are relative to the file that names them. Credentials: client
 * certificate and key (data or file), a bearer token or token file (re-read at most once a
 * minute, as client-go does, so rotated service-account tokens are picked up), basic auth;
 * `exec` and `auth-provider` users are handed to client-node, loaded only for them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isIPv6 } from 'node:net';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The service account files kubelet mounts in a pod. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** How long a token read from a file is used before the file is read again (client-go: 1 minute). */
const TOKEN_FILE_REFRESH_MS = 60_000;

/** The cluster of the current context. */
export interface KubeconfigCluster {
  name: string;
  /** The server URL without trailing slashes. */
  server: string;
  /** PEM of the certificate authorities to verify the server with (undefined: the system's). */
  caPem?: string;
  insecureSkipTlsVerify: boolean;
  /** The name to verify the server's certificate for, when not the URL's host. */
  tlsServerName?: string;
}

/** What a request presents: TLS client certificate and key, and headers (Authorization). */
export interface KubeCredentials {
  cert?: string;
  key?: string;
  headers: Record<string, string>;
}

/** A loaded configuration: its current context resolved. */
export interface Kubeconfig {
  /** The current context's name ('' in a pod). */
  contextName: string;
  /** Every context name, in file order. */
  contextNames: string[];
  /** Every cluster name, in file order. */
  clusterNames: string[];
  /** The current context's cluster, or undefined when it names none that exists. */
  cluster?: KubeconfigCluster;
  /** The current user's credentials, as of now (token files re-read when due). */
  credentials(): Promise<KubeCredentials>;
}

/** Where to read from; see the file comment for the order. */
export interface KubeconfigSource {
  /** A kubeconfig file; nothing else is read. */
  path?: string;
  /** A context other than the current one. */
  context?: string;
  env?: NodeJS.ProcessEnv;
}

/** A kubeconfig that cannot be used, with what to do in its message; `unknownContext` when the asked context is not in it. */
export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
  constructor(message: string, readonly unknownContext = false) {
    super(message);
  }
}

type Named = { name?: unknown; [k: string]: unknown };
interface RawFile { dir: string; doc: Record<string, any> }

/**
 * Loads the configuration `source` names. Throws KubeconfigError saying what to do when a named
 * file does not exist or is not a kubeconfig, or the context is unknown; answers `undefined`
 * when nothing is configured at all (no file, no $KUBECONFIG, no ~/.kube/config, not in a pod).
 */
export function loadKubeconfig(source: KubeconfigSource = {}): Kubeconfig | undefined {
  const env = source.env ?? process.env;
  const files = configFiles(source, env);
  if (files === undefined) return inCluster(env, source.context);
  const raws = files.map(readConfigFile);
  const pick = (section: string, name: unknown): { raw: RawFile; entry: Record<string, any> } | undefined => {
    for (const raw of raws) {
      const found = (Array.isArray(raw.doc[section]) ? raw.doc[section] as Named[] : []).find((e) => e?.name === name);
      if (found) return { raw, entry: found };
    }
    return undefined;
  };
  const names = (section: string) => [...new Set(raws.flatMap((r) => (Array.isArray(r.doc[section]) ? r.doc[section] as Named[] : []).map((e) => String(e?.name ?? ''))))];
  const contextNames = names('contexts');
  const contextName = source.context ?? String(raws.find((r) => r.doc['current-context'])?.doc['current-context'] ?? '');
  const context = pick('contexts', contextName)?.entry.context ?? {};
  if (source.context && !contextNames.includes(source.context)) {
    throw new KubeconfigError(`the kubeconfig has no context "${source.context}"; pick one of: ${contextNames.join(', ') || '(none)'}`, true);
  }
  const cluster = pick('clusters', context.cluster);
  const user = pick('users', context.user);
  return {
    contextName, contextNames, clusterNames: names('clusters'),
    cluster: cluster ? toCluster(String(context.cluster), cluster.entry.cluster ?? {}, cluster.raw.dir) : undefined,
    credentials: userCredentials(user?.entry.user ?? {}, user?.raw.dir ?? '', source.path, contextName),
  };
}

/** The files to read, or undefined when none is configured (then: in-cluster, or nothing). */
function configFiles(source: KubeconfigSource, env: NodeJS.ProcessEnv): string[] | undefined {
  if (source.path) {
    if (!existsSync(source.path)) throw new KubeconfigError(`the kubeconfig ${source.path} does not exist; pass --kubeconfig with the path of an existing file`);
    return [source.path];
  }
  const named = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const listed = named.filter((p) => existsSync(p));
  if (listed.length > 0) return listed;
  // As kubectl: a set $KUBECONFIG replaces ~/.kube/config, even when none of its files exists.
  if (named.length > 0) throw new KubeconfigError(`no file named in KUBECONFIG (${env.KUBECONFIG}) exists; fix KUBECONFIG or pass --kubeconfig`);
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : undefined;
}

function readConfigFile(path: string): RawFile {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'it is a directory, not a file' : code === 'EACCES' ? 'permission denied' : (err as Error).message.split('\n')[0];
    throw new KubeconfigError(`cannot read the kubeconfig ${path}: ${why}; fix the file or pass another with --kubeconfig`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new KubeconfigError(`cannot read the kubeconfig ${path}: it is empty or not a kubeconfig (a YAML map with clusters, contexts and users); fix the file or pass another with --kubeconfig`);
  }
  return { dir: dirname(path), doc: doc as Record<string, any> };
}

const resolvePath = (dir: string, p: string) => (isAbsolute(p) ? p : join(dir, p));
const base64 = (s: unknown) => Buffer.from(String(s), 'base64').toString('utf8');

function toCluster(name: string, c: Record<string, any>, dir: string): KubeconfigCluster {
  const caPem = c['certificate-authority-data'] ? base64(c['certificate-authority-data'])
    : c['certificate-authority'] ? readFileSync(resolvePath(dir, String(c['certificate-authority'])), 'utf8') : undefined;
  return {
    name, server: String(c.server ?? '').replace(/\/+$/, ''), caPem,
    insecureSkipTlsVerify: c['insecure-skip-tls-verify'] === true,
    tlsServerName: c['tls-server-name'] ? String(c['tls-server-name']) : undefined,
  };
}

/** A bearer token read from `file`, re-read once TOKEN_FILE_REFRESH_MS passed. */
function tokenFromFile(file: string): () => string {
  let token = '';
  let readAt = -Infinity;
  return () => {
    if (Date.now() - readAt >= TOKEN_FILE_REFRESH_MS) {
      token = readFileSync(file, 'utf8').trim();
      readAt = Date.now();
    }
    return token;
  };
}

function userCredentials(u: Record<string, any>, dir: string, path: string | undefined, contextName: string): () => Promise<KubeCredentials> {
  if (u.exec || u['auth-provider']) return () => viaClientNode(path, contextName);
  const pem = (data: unknown, file: unknown) => (data ? base64(data) : file ? readFileSync(resolvePath(dir, String(file)), 'utf8') : undefined);
  const cert = pem(u['client-certificate-data'], u['client-certificate']);
  const key = pem(u['client-key-data'], u['client-key']);
  const token = u.token ? () => String(u.token) : u.tokenFile ? tokenFromFile(resolvePath(dir, String(u.tokenFile))) : undefined;
  const basic = u.username !== undefined ? `Basic ${Buffer.from(`${u.username}:${u.password ?? ''}`).toString('base64')}` : undefined;
  return async () => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token()}`;
    else if (basic) headers.authorization = basic;
    return { cert, key, headers };
  };
}

/** Credentials of exec and auth-provider users, from client-node (imported only for them). */
async function viaClientNode(path: string | undefined, contextName: string): Promise<KubeCredentials> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path); else kc.loadFromDefault();
  kc.setCurrentContext(contextName);
  const opts: { headers: Record<string, string>; cert?: unknown; key?: unknown } = { headers: {} };
  await kc.applyToHTTPSOptions(opts as never);
  return { cert: opts.cert === undefined ? undefined : String(opts.cert), key: opts.key === undefined ? undefined : String(opts.key), headers: opts.headers };
}

/** The pod's service account, when running in a pod (KUBERNETES_SERVICE_HOST and a token file). */
function inCluster(env: NodeJS.ProcessEnv, context: string | undefined): Kubeconfig | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const tokenFile = join(SERVICE_ACCOUNT_DIR, 'token');
  if (!host || !existsSync(tokenFile)) return undefined;
  if (context) throw new KubeconfigError(`no kubeconfig has a context "${context}" (in a pod the service account is used); pass --kubeconfig with a file that has it`, true);
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`;
  const token = tokenFromFile(tokenFile);
  return {
    contextName: '', contextNames: [], clusterNames: ['in-cluster'],
    cluster: { name: 'in-cluster', server, caPem: readFileSync(join(SERVICE_ACCOUNT_DIR, 'ca.crt'), 'utf8'), insecureSkipTlsVerify: false },
    credentials: async () => ({ headers: { authorization: `Bearer ${token()}` } }),
  };
}
