/**
 * The certificate layout of a test control plane (recipe §2), generated with `src/certs`:
 * a cluster CA (client CA + server CA), the kube-apiserver serving cert, an admin client cert
 * in `system:masters`, a SEPARATE front-proxy CA with the aggregator's proxy client cert, and
 * the service-account signing key pair.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createCertificateAuthority, exportPrivateKeyPem, exportPublicKeyPem, generateKeyPair,
  issueClientCertificate, issueServingCertificate,
} from '../certs/index.ts';
import type { CertificateAndKey } from '../certs/index.ts';

/** CN of the aggregator's proxy client certificate; the only `--requestheader-allowed-names`. */
export const FRONT_PROXY_CLIENT_CN = 'front-proxy-client';

/** Files of the control plane PKI, all PEM, under `<dir>/pki`. */
export interface ControlPlanePkiPaths {
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  adminCert: string;
  adminKey: string;
  frontProxyCaCert: string;
  frontProxyCaKey: string;
  frontProxyClientCert: string;
  frontProxyClientKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/** The generated PKI: file paths plus the PEMs callers need in memory. */
export interface ControlPlanePki {
  paths: ControlPlanePkiPaths;
  ca: CertificateAndKey;
  admin: CertificateAndKey;
  frontProxyCa: CertificateAndKey;
}

/** DNS SANs of the kube-apiserver serving certificate. */
export const APISERVER_DNS_NAMES = [
  'localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local',
];

/** IP SANs of the kube-apiserver serving certificate (10.0.0.1 = first IP of the service range). */
export const APISERVER_IPS = ['127.0.0.1', '10.0.0.1'];

async function writePair(dir: string, name: string, pair: CertificateAndKey): Promise<[string, string]> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await writeFile(cert, pair.certPem);
  await writeFile(key, pair.keyPem, { mode: 0o600 });
  return [cert, key];
}

/**
 * Generates the whole layout into `<dir>/pki` and returns the paths and PEMs. `extraIps` are added
 * to the serving certificate's IP SANs (a node cluster's bridge address and `kubernetes` Service IP).
 */
export async function generateControlPlanePki(dir: string, extraIps: string[] = []): Promise<ControlPlanePki> {
  const pki = join(dir, 'pki');
  await mkdir(pki, { recursive: true });
  const ca = await createCertificateAuthority({ commonName: 'extapi-cluster-ca' });
  const apiserver = await issueServingCertificate(ca, {
    commonName: 'kube-apiserver', dnsNames: APISERVER_DNS_NAMES, ipAddresses: [...APISERVER_IPS, ...extraIps],
  });
  const admin = await issueClientCertificate(ca, { user: 'extapi-admin', groups: ['system:masters'] });
  const frontProxyCa = await createCertificateAuthority({ commonName: 'extapi-front-proxy-ca' });
  const frontProxyClient = await issueClientCertificate(frontProxyCa, { user: FRONT_PROXY_CLIENT_CN });
  const sa = await generateKeyPair('ecdsa-p256');
  const [caCert, caKey] = await writePair(pki, 'ca', ca);
  const [apiserverCert, apiserverKey] = await writePair(pki, 'apiserver', apiserver);
  const [adminCert, adminKey] = await writePair(pki, 'admin', admin);
  const [frontProxyCaCert, frontProxyCaKey] = await writePair(pki, 'front-proxy-ca', frontProxyCa);
  const [frontProxyClientCert, frontProxyClientKey] = await writePair(pki, 'front-proxy-client', frontProxyClient);
  const serviceAccountKey = join(pki, 'sa.key');
  const serviceAccountPub = join(pki, 'sa.pub');
  await writeFile(serviceAccountKey, await exportPrivateKeyPem(sa.privateKey), { mode: 0o600 });
  await writeFile(serviceAccountPub, await exportPublicKeyPem(sa.publicKey));
  return {
    paths: {
      caCert, caKey, apiserverCert, apiserverKey, adminCert, adminKey, frontProxyCaCert, frontProxyCaKey,
      frontProxyClientCert, frontProxyClientKey, serviceAccountKey, serviceAccountPub,
    },
    ca, admin, frontProxyCa,
  };
}
