/**
 * The certificate files of one setup, in one directory: `ca.crt`/`ca.key` (the CA whose PEM is
 * the APIService caBundle), `tls.crt`/`tls.key` (the serving pair, as a `kubernetes.io/tls`
 * Secret names them, so the directory can be the server's `--tls-cert-dir`), and during a CA
 * rotation `ca-previous.crt` (still in the caBundle until the rotation finishes).
 * Existing files are reused when fit for purpose and never silently overwritten.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import {
  createCertificateAuthority, issueServingCertificate, readCertificate, splitCertificateBundle, verifyCertificateChain,
  type CertificateAndKey, type CertificateFacts, type KeyAlgorithm,
} from '../../certs/index.ts';
import { ActionableError } from '../errors.ts';
import { makeDirectory } from '../../fs/make-directory.ts';

/** Paths of the files in a certificate directory. */
export interface CertPaths {
  dir: string;
  caCrt: string;
  caKey: string;
  tlsCrt: string;
  tlsKey: string;
  caPrevious: string;
}

/** What new certificates look like. */
export interface CertSpec {
  /** DNS SANs of the serving certificate; the first is `<svc>.<ns>.svc`. */
  dnsNames: string[];
  ipAddresses: string[];
  keyAlgorithm: KeyAlgorithm;
  /** Serving certificate validity, days. */
  days: number;
  /** CA validity, days. */
  caDays: number;
}

/** What {@link ensureCertificates} did with each pair. */
export interface EnsuredCertificates {
  paths: CertPaths;
  ca: { status: 'created' | 'reused'; facts: CertificateFacts; pem: string };
  serving: { status: 'created' | 'reused'; facts: CertificateFacts; certPem: string; keyPem: string };
  /** The caBundle: ca.crt, then ca-previous.crt during a CA rotation. */
  caBundlePem: string;
}

/** Certificates expiring within this many days are replaced by rotate and flagged by doctor. */
export const RENEW_WITHIN_DAYS = 30;
const DAY_MS = 86_400_000;

/** The file paths of `dir`. */
export function certPaths(dir: string): CertPaths {
  return {
    dir, caCrt: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key'), tlsCrt: join(dir, 'tls.crt'), tlsKey: join(dir, 'tls.key'),
    caPrevious: join(dir, 'ca-previous.crt'),
  };
}

/** The SANs a serving certificate needs: `<svc>.<ns>.svc`, `.svc.cluster.local`, `<svc>.<ns>`, `<svc>`, plus extras. */
export function servingNames(namespace: string, service: string, extra: string[] = []): { dnsNames: string[]; ipAddresses: string[] } {
  const dns = [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, `${service}.${namespace}`, service];
  for (const e of extra) if (!isIP(e) && !dns.includes(e)) dns.push(e);
  return { dnsNames: dns, ipAddresses: [...new Set(extra.filter((e) => isIP(e) !== 0))] };
}

/** Maps the `--key-algorithm` flag to the PKI's algorithm. */
export function keyAlgorithmOf(flag: 'ecdsa' | 'rsa'): KeyAlgorithm {
  return flag === 'rsa' ? 'rsa-2048' : 'ecdsa-p256';
}

/** True when a DNS SAN list covers `name` (exactly, or a `*.` wildcard for its first label). */
export function sanCovers(dnsNames: string[], name: string): boolean {
  const parent = name.slice(name.indexOf('.') + 1);
  return dnsNames.some((san) => san.toLowerCase() === name.toLowerCase() || (san.startsWith('*.') && san.slice(2).toLowerCase() === parent.toLowerCase()));
}

/**
 * What is wrong with a serving pair for `names` under `caBundlePem` at `at`: not signed by the
 * bundle, expired or expiring within {@link RENEW_WITHIN_DAYS} days, missing SANs, key not
 * matching. Empty when fit for purpose.
 */
export function servingCertProblems(certPem: string, keyPem: string | undefined, caBundlePem: string, names: { dnsNames: string[]; ipAddresses: string[] }, at = new Date()): string[] {
  const problems: string[] = [];
  const facts = readCertificate(certPem);
  const chain = verifyCertificateChain(certPem, caBundlePem, at);
  if (!chain.ok) problems.push(chain.reason ?? 'not signed by the CA');
  else if (facts.notAfter.getTime() - at.getTime() < RENEW_WITHIN_DAYS * DAY_MS) problems.push(`it expires on ${facts.notAfter.toISOString()}, within ${RENEW_WITHIN_DAYS} days`);
  const missing = [...names.dnsNames.filter((n) => !sanCovers(facts.dnsNames, n)), ...names.ipAddresses.filter((ip) => !facts.ipAddresses.includes(ip))];
  if (missing.length > 0) problems.push(`it does not name ${missing.join(', ')} (it names ${[...facts.dnsNames, ...facts.ipAddresses].join(', ') || 'nothing'})`);
  if (keyPem !== undefined && !keyMatches(certPem, keyPem)) problems.push('tls.key is not the key of tls.crt');
  return problems;
}

/** True when `keyPem` is the private key of `certPem`. */
export function keyMatches(certPem: string, keyPem: string): boolean {
  try { return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem)); } catch { return false; }
}

async function readIfExists(path: string): Promise<string | undefined> {
  return existsSync(path) ? readFile(path, 'utf8') : undefined;
}

/** Reads the CA pair, or creates it when neither file exists. Throws when only one exists. */
async function ensureCa(p: CertPaths, spec: CertSpec): Promise<{ status: 'created' | 'reused'; pair: CertificateAndKey }> {
  const [crt, key] = [await readIfExists(p.caCrt), await readIfExists(p.caKey)];
  if (crt !== undefined && key !== undefined) {
    if (!keyMatches(crt, key)) throw new ActionableError(`${p.caKey} is not the key of ${p.caCrt}; restore the matching pair, or move both away to create a new CA`);
    if (!readCertificate(crt).isCA) throw new ActionableError(`${p.caCrt} is not a CA certificate; move it away to create a new CA`);
    return { status: 'reused', pair: { certPem: crt, keyPem: key } };
  }
  if (crt !== undefined || key !== undefined) {
    throw new ActionableError(`${p.dir} holds only one of ca.crt and ca.key; restore the other, or move it away to create a new CA`);
  }
  const pair = await createCertificateAuthority({ keyAlgorithm: spec.keyAlgorithm, validityDays: spec.caDays, commonName: `extapi-ca@${Math.floor(Date.now() / 1000)}` });
  await writeFile(p.caKey, pair.keyPem, { mode: 0o600, flag: 'wx' });
  await writeFile(p.caCrt, pair.certPem, { mode: 0o644, flag: 'wx' });
  return { status: 'created', pair };
}

/** The caBundle of a directory: ca.crt followed by ca-previous.crt when a CA rotation is under way. */
export async function readCaBundle(p: CertPaths): Promise<string> {
  const current = await readIfExists(p.caCrt);
  if (current === undefined) throw new ActionableError(`${p.caCrt} does not exist; run \`extapi certs --cert-dir ${p.dir}\` first`);
  const previous = await readIfExists(p.caPrevious);
  return previous ? joinBundle([current, previous]) : current;
}

/** Concatenates PEM bundles, one certificate per block, duplicates dropped. */
export function joinBundle(pems: string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const pem of pems) for (const block of splitCertificateBundle(pem)) if (!seen.has(block)) { seen.add(block); out.push(block); }
  return out.join('');
}

/**
 * Makes sure `dir` holds a CA and a serving pair fit for `spec`: reuses what exists (a serving
 * certificate that is unfit raises an error pointing at `extapi certs rotate` rather than being
 * overwritten), creates what is missing.
 */
export async function ensureCertificates(dir: string, spec: CertSpec): Promise<EnsuredCertificates> {
  const p = certPaths(dir);
  await makeDirectory(dir, 0o700);
  const ca = await ensureCa(p, spec);
  const caBundlePem = await readCaBundle(p);
  const [crt, key] = [await readIfExists(p.tlsCrt), await readIfExists(p.tlsKey)];
  let serving: EnsuredCertificates['serving'];
  if (crt !== undefined && key !== undefined) {
    const problems = servingCertProblems(crt, key, caBundlePem, spec);
    if (problems.length > 0) {
      throw new ActionableError(`the serving certificate ${p.tlsCrt} cannot be reused: ${problems.join('; ')}; run \`extapi certs rotate --cert-dir ${dir}\` to replace it`);
    }
    serving = { status: 'reused', facts: readCertificate(crt), certPem: crt, keyPem: key };
  } else if (crt !== undefined || key !== undefined) {
    throw new ActionableError(`${dir} holds only one of tls.crt and tls.key; restore the other, or run \`extapi certs rotate --cert-dir ${dir}\``);
  } else {
    const pair = await issueServing(ca.pair, spec);
    await writeFile(p.tlsKey, pair.keyPem, { mode: 0o600, flag: 'wx' });
    await writeFile(p.tlsCrt, pair.certPem, { mode: 0o644, flag: 'wx' });
    serving = { status: 'created', facts: readCertificate(pair.certPem), certPem: pair.certPem, keyPem: pair.keyPem };
  }
  return { paths: p, ca: { status: ca.status, facts: readCertificate(ca.pair.certPem), pem: ca.pair.certPem }, serving, caBundlePem };
}

/** Issues a serving pair for `spec` under `ca`. */
export function issueServing(ca: CertificateAndKey, spec: CertSpec): Promise<CertificateAndKey> {
  return issueServingCertificate(ca, { dnsNames: spec.dnsNames, ipAddresses: spec.ipAddresses, keyAlgorithm: spec.keyAlgorithm, validityDays: spec.days });
}

/**
 * Replaces a file atomically (write a temporary file, then rename), so a reader such as the
 * server's once-a-second reload sees either the old or the new content, never half of it.
 */
export async function replaceFile(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, path);
}
