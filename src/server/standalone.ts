import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CertificateAndKey } from '../certs/index.ts';
import { createX509Authenticator } from '../auth/x509.ts';
import type { Authorizer } from '../auth/types.ts';
import type { Resource } from '../resource/define-resource.ts';
import { openStorage, type StorageOptions } from './storage-options.ts';
import { createApiServer, type ApiServer, type ServingLimits } from './server.ts';
import type { Auditor } from '../audit/index.ts';
import { makeDirectory } from '../fs/make-directory.ts';

/** Options of runStandalone. */
export interface StandaloneOptions {
  resources: Resource[];
  /** Where the development CA, certificates, kubeconfig and data live. Default `.extapi/dev`. */
  dir?: string;
  /** Default 8443. */
  port?: number;
  /** Loopback only: anything else is refused (standalone mode has no delegated authentication). */
  host?: string;
  /** Default: embedded SQLite under `dir`. */
  storage?: StorageOptions;
  /** In-flight, timeout and connection limits (default: kube-apiserver's). */
  limits?: ServingLimits;
  /** Audit policy and backends (--audit-* flags). */
  audit?: Auditor;
}

/** Authenticated users may do anything; everyone else was already refused with 401. */
const authenticatedUsers: Authorizer = {
  authorize: ({ user }) => (user.groups.includes('system:authenticated') ? { decision: 'Allow' } : { decision: 'Deny', reason: 'only authenticated users are allowed in standalone mode' }),
};

/**
 * Runs a server with no cluster: embedded SQLite storage under `dir`, a development CA that signs
 * the serving certificate (localhost, 127.0.0.1) and a client certificate for the development
 * user, and a kubeconfig at `<dir>/kubeconfig` that kubectl can use directly. Existing files are
 * reused. Binds loopback only; returns once listening.
 */
export async function runStandalone(opts: StandaloneOptions): Promise<{ server: ApiServer; kubeconfig: string; url: string }> {
  const host = opts.host ?? '127.0.0.1';
  if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
    throw new Error(`standalone mode binds loopback only (asked for ${host}); to serve other hosts, run behind a cluster with delegated authentication`);
  }
  const dir = resolve(opts.dir ?? '.extapi/dev');
  await makeDirectory(dir);
  // Loaded on use, so that a delegated server (which may never need it) does not load the X.509 library at start.
  const { createCertificateAuthority, issueClientCertificate, issueServingCertificate, writeKubeconfig } = await import('../certs/index.ts');
  const ca = await reuseOrCreate(join(dir, 'ca'), () => createCertificateAuthority({ commonName: 'extapi-dev-ca' }));
  const serving = await reuseOrCreate(join(dir, 'serving'), () => issueServingCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] }));
  const client = await reuseOrCreate(join(dir, 'client'), () => issueClientCertificate(ca, { user: 'extapi-dev', groups: ['system:masters'] }));
  const storage = await openStorage(opts.storage ?? { kind: 'embedded', dataDir: dir }, opts.resources);
  const server = createApiServer({
    ...opts.limits, resources: opts.resources, storage,
    tls: { cert: serving.certPem, key: serving.keyPem, clientCAs: ca.certPem },
    authenticators: [createX509Authenticator(() => ca.certPem)],
    authorizer: authenticatedUsers,
    readyChecks: storage.healthCheck ? [{ name: 'storage', check: () => storage.healthCheck!() }] : [],
    audit: opts.audit,
  });
  const address = await server.listen(opts.port ?? 8443, host);
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, {
    server: url, caPem: ca.certPem, credentials: { clientCertPem: client.certPem, clientKeyPem: client.keyPem },
    clusterName: 'extapi-dev', userName: 'extapi-dev', namespace: 'default',
  });
  const close = server.close;
  return { server: { ...server, close: async () => { await close(); await storage.close(); } }, kubeconfig, url };
}

async function reuseOrCreate(base: string, create: () => Promise<CertificateAndKey>): Promise<CertificateAndKey> {
  const certFile = `${base}.crt`;
  const keyFile = `${base}.key`;
  if (existsSync(certFile) && existsSync(keyFile)) {
    return { certPem: await readFile(certFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
  }
  const made = await create();
  await writeFile(certFile, made.certPem);
  await writeFile(keyFile, made.keyPem, { mode: 0o600 });
  return made;
}
