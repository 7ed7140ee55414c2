/**
 * Issuing certificates with `@peculiar/x509`: self-signed CAs, serving certificates (DNS + IP
 * SANs, serverAuth) and client certificates (CN = user, O = groups, clientAuth) — the shapes
 * kube-apiserver, the aggregator and extension servers expect.
 */
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import {
  exportPrivateKeyPem, generateKeyPair, importPrivateKeyPem, signingAlgorithm,
} from './keys.ts';
import type { KeyAlgorithm, KeyPair } from './keys.ts';

x509.cryptoProvider.set(webcrypto);

/** A certificate and its private key, both PEM (the key is PKCS#8). */
export interface CertificateAndKey {
  /** `-----BEGIN CERTIFICATE-----` PEM. */
  certPem: string;
  /** PKCS#8 `-----BEGIN PRIVATE KEY-----` PEM. */
  keyPem: string;
}

/** Options common to every certificate this module issues. */
export interface IssueOptions {
  /** Key algorithm of the new key pair. Default `ecdsa-p256`. */
  keyAlgorithm?: KeyAlgorithm;
  /** Validity in days from now. Default 365. `notBefore` is backdated 5 minutes for clock skew. */
  validityDays?: number;
}

/** Options for {@link createCertificateAuthority}. */
export interface CaOptions extends IssueOptions {
  /** Subject common name. Default `extapi-ca`. */
  commonName?: string;
  /** Default 3650 days for a CA. */
  validityDays?: number;
}

/** Options for {@link issueServingCertificate}. */
export interface ServingCertOptions extends IssueOptions {
  /** Subject CN. Default: the first DNS name, else the first IP. */
  commonName?: string;
  /** DNS SANs, e.g. `['ext-api.ext-system.svc', 'localhost']`. */
  dnsNames?: string[];
  /** IP SANs, e.g. `['127.0.0.1']`. */
  ipAddresses?: string[];
}

/** Options for {@link issueClientCertificate}. */
export interface ClientCertOptions extends IssueOptions {
  /** The user name (subject CN), as Kubernetes x509 authentication reads it. */
  user: string;
  /** The groups (one subject O each), e.g. `['system:masters']`. */
  groups?: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const SKEW_MS = 5 * 60 * 1000;

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - SKEW_MS), notAfter: new Date(now + days * DAY_MS) };
}

/** A random positive 128-bit serial number, hex. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;
  return bytes.toString('hex');
}

/** Creates a self-signed CA (basicConstraints CA:TRUE, keyCertSign + cRLSign). */
export async function createCertificateAuthority(opts: CaOptions = {}): Promise<CertificateAndKey> {
  const alg = opts.keyAlgorithm ?? 'ecdsa-p256';
  const keys = await generateKeyPair(alg);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [opts.commonName ?? 'extapi-ca'] }],
    ...validity(opts.validityDays ?? 3650),
    keys,
    signingAlgorithm: signingAlgorithm(alg),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

interface LeafSpec {
  name: x509.JsonName;
  extendedKeyUsage: x509.ExtendedKeyUsage;
  sans?: x509.JsonGeneralName[];
}

/** Signs a leaf certificate for a fresh key pair with the CA. */
async function issueLeaf(ca: CertificateAndKey, spec: LeafSpec, opts: IssueOptions): Promise<CertificateAndKey> {
  const alg = opts.keyAlgorithm ?? 'ecdsa-p256';
  const caCert = new x509.X509Certificate(ca.certPem);
  const { key: caKey, algorithm: caAlg } = await importPrivateKeyPem(ca.keyPem);
  const keys: KeyPair = await generateKeyPair(alg);
  const usages = x509.KeyUsageFlags.digitalSignature | (alg === 'rsa-2048' ? x509.KeyUsageFlags.keyEncipherment : 0);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    new x509.ExtendedKeyUsageExtension([spec.extendedKeyUsage], false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (spec.sans && spec.sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(spec.sans, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: spec.name,
    issuer: caCert.subjectName,
    ...validity(opts.validityDays ?? 365),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: signingAlgorithm(caAlg),
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

/**
 * Issues a TLS serving certificate signed by `ca`, with the given DNS and IP SANs and the
 * serverAuth extended key usage. Clients (Go, Node) check the SANs only — the CN is cosmetic.
 */
export async function issueServingCertificate(ca: CertificateAndKey, opts: ServingCertOptions): Promise<CertificateAndKey> {
  const dns = opts.dnsNames ?? [];
  const ips = opts.ipAddresses ?? [];
  if (dns.length + ips.length === 0) throw new Error('a serving certificate needs at least one DNS name or IP address');
  const sans: x509.JsonGeneralName[] = [
    ...dns.map((value) => ({ type: 'dns' as const, value })),
    ...ips.map((value) => ({ type: 'ip' as const, value })),
  ];
  const cn = opts.commonName ?? dns[0] ?? ips[0];
  return issueLeaf(ca, { name: [{ CN: [cn] }], extendedKeyUsage: x509.ExtendedKeyUsage.serverAuth, sans }, opts);
}

/**
 * Issues a client certificate signed by `ca` with subject CN = user and one O per group, and
 * the clientAuth extended key usage — Kubernetes maps these to the user name and groups.
 */
export async function issueClientCertificate(ca: CertificateAndKey, opts: ClientCertOptions): Promise<CertificateAndKey> {
  const name: x509.JsonName = [...(opts.groups ?? []).map((g) => ({ O: [g] })), { CN: [opts.user] }];
  return issueLeaf(ca, { name, extendedKeyUsage: x509.ExtendedKeyUsage.clientAuth }, opts);
}
