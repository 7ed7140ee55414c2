/**
 * Writing kubeconfig files (one cluster, one user, one context) with the `yaml` package, with
 * certificate and key material inlined as `*-data` fields so the file is self-contained.
 */
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { makeDirectory } from '../fs/make-directory.ts';

/** How the kubeconfig's user authenticates: a client certificate, or a bearer token. */
export type KubeconfigCredentials =
  | { clientCertPem: string; clientKeyPem: string; token?: undefined }
  | { token: string; clientCertPem?: undefined; clientKeyPem?: undefined };

/** Options for {@link buildKubeconfig}. */
export interface KubeconfigOptions {
  /** API server URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** CA bundle PEM that verifies the server (becomes `certificate-authority-data`). */
  caPem: string;
  /** The user's credentials. */
  credentials: KubeconfigCredentials;
  /** Cluster entry name. Default `extapi`. */
  clusterName?: string;
  /** User entry name. Default `extapi-user`. */
  userName?: string;
  /** Context name (also current-context). Default `<clusterName>`. */
  contextName?: string;
  /** Default namespace of the context. */
  namespace?: string;
  /** TLS server name override (`tls-server-name`). */
  tlsServerName?: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Builds the kubeconfig YAML text for one cluster + user + context. */
export function buildKubeconfig(opts: KubeconfigOptions): string {
  const clusterName = opts.clusterName ?? 'extapi';
  const userName = opts.userName ?? 'extapi-user';
  const contextName = opts.contextName ?? clusterName;
  const cluster: Record<string, string> = { server: opts.server, 'certificate-authority-data': b64(opts.caPem) };
  if (opts.tlsServerName) cluster['tls-server-name'] = opts.tlsServerName;
  const user: Record<string, string> = opts.credentials.token !== undefined
    ? { token: opts.credentials.token }
    : { 'client-certificate-data': b64(opts.credentials.clientCertPem), 'client-key-data': b64(opts.credentials.clientKeyPem) };
  const context: Record<string, string> = { cluster: clusterName, user: userName };
  if (opts.namespace) context.namespace = opts.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster }],
    users: [{ name: userName, user }],
    contexts: [{ name: contextName, context }],
    'current-context': contextName,
    preferences: {},
  }, { lineWidth: 0 });
}

/** Writes {@link buildKubeconfig}'s output to `path` (mode 0600, parent dirs created). */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await makeDirectory(dirname(path));
  await writeFile(path, buildKubeconfig(opts), { mode: 0o600 });
}
