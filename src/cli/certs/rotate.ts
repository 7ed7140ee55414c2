/**
 * Certificate rotation without a failed request. A new serving certificate under the same CA
 * is simply swapped in (the server reloads `tls.crt`/`tls.key` every second). A new CA goes
 * through an overlap: the caBundle first holds the new and the old CA, then the serving
 * certificate moves to the new CA, and only once the server presents it (or, in a cluster,
 * with `--finish` after the pods reloaded) does the bundle drop the old CA.
 */
import { readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createCertificateAuthority, readCertificate, type CertificateAndKey } from '../../certs/index.ts';
import type { KubeClient } from '../../kube/client.ts';
import { ActionableError } from '../errors.ts';
import { b64 } from '../manifests/types.ts';
import { fetchPeerCertificate } from '../probe/tls-probe.ts';
import { issueServing, joinBundle, readCaBundle, replaceFile, type CertPaths, type CertSpec } from './cert-files.ts';

/** The cluster side of a rotation: the APIServices and Secret to update, where the server is. */
export interface RotationCluster {
  client: KubeClient;
  /** Names of the APIServices whose caBundle to update. */
  apiServices: string[];
  /** `namespace/name` of the TLS Secret to update, when it exists. */
  secret?: { namespace: string; name: string };
  /** Where the server can be reached from here (an ExternalName Service's target). */
  endpoint?: { host: string; port: number; serverName: string };
}

/** Reads the CA pair of a directory; throws an ActionableError when it is missing. */
export async function readCa(p: CertPaths): Promise<CertificateAndKey> {
  if (!existsSync(p.caCrt) || !existsSync(p.caKey)) {
    throw new ActionableError(`${p.dir} has no CA (ca.crt and ca.key); run \`extapi certs --cert-dir ${p.dir}\` first`);
  }
  return { certPem: await readFile(p.caCrt, 'utf8'), keyPem: await readFile(p.caKey, 'utf8') };
}

/** The SANs of the new serving certificate: those required plus those the current one has. */
export async function rotationNames(p: CertPaths, spec: CertSpec): Promise<CertSpec> {
  if (!existsSync(p.tlsCrt)) return spec;
  try {
    const old = readCertificate(await readFile(p.tlsCrt, 'utf8'));
    return {
      ...spec,
      dnsNames: [...new Set([...spec.dnsNames, ...old.dnsNames])],
      ipAddresses: [...new Set([...spec.ipAddresses, ...old.ipAddresses])],
    };
  } catch { return spec; }
}

/** Starts a CA rotation on disk: the old CA becomes `ca-previous.crt`, a new CA replaces `ca.crt`/`ca.key`. */
export async function rotateCaFiles(p: CertPaths, spec: CertSpec): Promise<CertificateAndKey> {
  if (existsSync(p.caPrevious)) {
    throw new ActionableError(`a CA rotation is already under way in ${p.dir} (ca-previous.crt exists); finish it first with \`extapi certs rotate --finish\``);
  }
  const old = await readCa(p);
  const next = await createCertificateAuthority({ keyAlgorithm: spec.keyAlgorithm, validityDays: spec.caDays, commonName: `extapi-ca@${Math.floor(Date.now() / 1000)}` });
  await replaceFile(p.caPrevious, old.certPem, 0o644);
  await replaceFile(p.caKey, next.keyPem, 0o600);
  await replaceFile(p.caCrt, next.certPem, 0o644);
  return next;
}

/** Issues a new serving pair under `ca` and swaps it in (key, then certificate). */
export async function rotateServingFiles(p: CertPaths, ca: CertificateAndKey, spec: CertSpec): Promise<CertificateAndKey> {
  const pair = await issueServing(ca, spec);
  await replaceFile(p.tlsKey, pair.keyPem, 0o600);
  await replaceFile(p.tlsCrt, pair.certPem, 0o644);
  return pair;
}

/** Ends a CA rotation on disk: removes `ca-previous.crt`. */
export async function finishCaFiles(p: CertPaths): Promise<void> {
  await rm(p.caPrevious, { force: true });
}

/** Sets the caBundle of every APIService of the rotation (a merge patch: nothing else changes). */
export async function patchCaBundle(rc: RotationCluster, bundlePem: string): Promise<void> {
  for (const name of rc.apiServices) {
    await rc.client.request('PATCH', `/apis/apiregistration.k8s.io/v1/apiservices/${name}`, {
      body: { spec: { caBundle: b64(bundlePem) } }, contentType: 'application/merge-patch+json', query: { fieldManager: 'extapi' },
    });
  }
}

/** Updates the TLS Secret (when there is one) with the serving pair and the CA. */
export async function patchSecret(rc: RotationCluster, pair: CertificateAndKey, caPem: string): Promise<void> {
  if (!rc.secret) return;
  await rc.client.request('PATCH', `/api/v1/namespaces/${rc.secret.namespace}/secrets/${rc.secret.name}`, {
    body: { data: { 'tls.crt': b64(pair.certPem), 'tls.key': b64(pair.keyPem), 'ca.crt': b64(caPem) } },
    contentType: 'application/merge-patch+json', query: { fieldManager: 'extapi' },
  });
}

/** Waits until the server at `endpoint` presents `certPem`; false after `timeoutMs`. */
export async function waitForServedCertificate(endpoint: NonNullable<RotationCluster['endpoint']>, bundlePem: string, certPem: string, timeoutMs: number, onUpdate: (m: string) => void): Promise<boolean> {
  const want = readCertificate(certPem).fingerprint256;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await fetchPeerCertificate({ ...endpoint, caBundlePem: bundlePem });
    if (r.ok && readCertificate(r.certPem).fingerprint256 === want) return true;
    onUpdate(r.ok ? 'still serving the previous certificate' : `${r.code}: ${r.error}`);
    if (Date.now() >= deadline) return false;
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** The bundle a directory currently stands for (ca.crt + ca-previous.crt during an overlap). */
export async function currentBundle(p: CertPaths): Promise<string> {
  return joinBundle([await readCaBundle(p)]);
}
