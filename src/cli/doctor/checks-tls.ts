/**
 * Certificate checks: the APIServices' caBundle (step 4), the serving certificate the server
 * presents, or else the one in its Secret (5: signed by the caBundle, names
 * `<svc>.<ns>.svc`, not expired or expiring within 30 days), and the Secret itself (6).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { readCertificate, splitCertificateBundle } from '../../certs/index.ts';
import { keyMatches, RENEW_WITHIN_DAYS, sanCovers } from '../certs/cert-files.ts';
import { result, type Check, type CheckResult, type DoctorFacts } from './types.ts';

const DAY_MS = 86_400_000;

function bundleProblems(pem: string, now: Date): { fail: string[]; warn: string[]; count: number } {
  const fail: string[] = [];
  const warn: string[] = [];
  let blocks: string[] = [];
  try { blocks = splitCertificateBundle(pem); } catch { return { fail: ['it holds no PEM certificate'], warn, count: 0 }; }
  for (const block of blocks) {
    const c = readCertificate(block);
    const name = c.commonNames[0] ?? c.subject;
    if (!c.isCA) fail.push(`"${name}" is not a CA certificate`);
    if (c.notAfter < now) fail.push(`CA "${name}" expired on ${c.notAfter.toISOString()}`);
    else if (c.notAfter.getTime() - now.getTime() < RENEW_WITHIN_DAYS * DAY_MS) warn.push(`CA "${name}" expires on ${c.notAfter.toISOString()}`);
  }
  return { fail, warn, count: blocks.length };
}

async function localCaMismatch(f: DoctorFacts, bundle: string): Promise<string | undefined> {
  if (!f.hints.certDir) return undefined;
  try {
    const local = await readFile(join(f.hints.certDir, 'ca.crt'), 'utf8');
    const inBundle = splitCertificateBundle(bundle);
    return splitCertificateBundle(local).every((b) => inBundle.includes(b)) ? undefined : `${f.hints.certDir}/ca.crt is not in the caBundle`;
  } catch { return undefined; }
}

const caBundle: Check = {
  step: 4, title: 'CA bundle of the APIServices',
  async run(f) {
    const title = this.title;
    const present = f.apiServices.filter((a) => a.obj);
    if (present.length === 0) return [result('ca-bundle', 4, title, 'skip', 'no APIService to read it from')];
    if (!f.caBundlePem) return [result('ca-bundle', 4, title, 'fail', 'the APIServices carry no caBundle', f.hints.deploy)];
    const bundles = new Set(present.map((a) => a.obj.spec?.caBundle ?? ''));
    const p = bundleProblems(f.caBundlePem, new Date());
    if (p.fail.length > 0) return [result('ca-bundle', 4, title, 'fail', p.fail.join('; '), `${f.hints.rotate} --new-ca`)];
    const mismatch = await localCaMismatch(f, f.caBundlePem);
    const warn = [...p.warn, ...(bundles.size > 1 ? ['the APIServices of this server carry different caBundles'] : []), ...(mismatch ? [mismatch] : [])];
    if (warn.length > 0) return [result('ca-bundle', 4, title, 'warn', warn.join('; '), p.warn.length > 0 ? `${f.hints.rotate} --new-ca` : f.hints.deploy)];
    return [result('ca-bundle', 4, title, 'pass', `${p.count} CA certificate${p.count === 1 ? '' : 's'}, valid`)];
  },
};

/** True when a CA of the bundle signed `certPem` (validity periods aside: expiry is reported separately). */
export function signedByBundle(certPem: string, bundlePem: string): boolean {
  const leaf = new X509Certificate(certPem);
  try {
    return splitCertificateBundle(bundlePem).some((pem) => {
      const ca = new X509Certificate(pem);
      return ca.ca && leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
    });
  } catch { return false; }
}

/** The findings about one serving certificate, worst first. */
export function diagnoseServingCert(certPem: string, bundlePem: string | undefined, serviceDnsName: string, now = new Date()): Array<{ status: 'fail' | 'warn'; detail: string; kind: string }> {
  const out: Array<{ status: 'fail' | 'warn'; detail: string; kind: string }> = [];
  const c = readCertificate(certPem);
  if (c.notAfter < now) out.push({ status: 'fail', kind: 'expired', detail: `it expired on ${c.notAfter.toISOString()}` });
  else if (c.notBefore > now) out.push({ status: 'fail', kind: 'not-yet-valid', detail: `it is not valid before ${c.notBefore.toISOString()} (check the clocks)` });
  if (!sanCovers(c.dnsNames, serviceDnsName)) {
    out.push({ status: 'fail', kind: 'wrong-san', detail: `it does not name ${serviceDnsName} (it names ${[...c.dnsNames, ...c.ipAddresses].join(', ') || 'nothing'}), so the aggregator's TLS check fails` });
  }
  if (bundlePem && !signedByBundle(certPem, bundlePem)) {
    out.push({ status: 'fail', kind: 'untrusted', detail: `it is not signed by the APIService caBundle (issuer "${c.issuer}")` });
  }
  if (c.notAfter > now && c.notAfter.getTime() - now.getTime() < RENEW_WITHIN_DAYS * DAY_MS) {
    out.push({ status: 'warn', kind: 'expiring', detail: `it expires on ${c.notAfter.toISOString()}, within ${RENEW_WITHIN_DAYS} days` });
  }
  return out;
}

function servingSource(f: DoctorFacts): { pem: string; from: string } | undefined {
  if (f.peer?.ok) return { pem: f.peer.certPem, from: `presented by ${f.endpoint?.host}:${f.endpoint?.port}` };
  const crt = f.secret.obj?.data?.['tls.crt'];
  if (crt) return { pem: Buffer.from(crt, 'base64').toString('utf8'), from: `in Secret ${f.target.namespace}/${f.names.secret}` };
  return undefined;
}

const servingCert: Check = {
  step: 5, title: 'serving certificate', namespaced: false,
  async run(f) {
    const src = servingSource(f);
    const title = `serving certificate for ${f.names.serviceDnsName}`;
    if (!src) return [result('serving-cert', 5, title, 'skip', 'neither the server nor its Secret is reachable from here')];
    const findings = diagnoseServingCert(src.pem, f.caBundlePem, f.names.serviceDnsName);
    if (findings.length === 0) {
      const c = readCertificate(src.pem);
      return [result('serving-cert', 5, title, 'pass', `${src.from}: signed by the caBundle, valid until ${c.notAfter.toISOString().slice(0, 10)}`)];
    }
    const fix = findings.some((x) => x.kind === 'untrusted') && !findings.some((x) => x.kind !== 'untrusted' && x.status === 'fail')
      ? `put the CA that signed it into the caBundle (${f.hints.deploy}), or issue a new one under the caBundle's CA: ${f.hints.rotate}`
      : `issue a new serving certificate: ${f.hints.rotate}`;
    const worst = findings.some((x) => x.status === 'fail') ? 'fail' : 'warn';
    return [result('serving-cert', 5, title, worst, `${src.from}: ${findings.map((x) => x.detail).join('; ')}`, fix)];
  },
};

function secretResult(f: DoctorFacts): CheckResult {
  const title = `Secret ${f.target.namespace}/${f.names.secret}`;
  if (f.external) return result('secret', 6, title, 'skip', 'the server runs outside the cluster (ExternalName Service): it reads its certificate from files');
  if (f.secret.error) return result('secret', 6, title, 'skip', `cannot read it: ${f.secret.error}`);
  if (!f.secret.obj) return result('secret', 6, title, 'fail', 'not found: the Deployment cannot mount the serving certificate', f.hints.deploy);
  const data = f.secret.obj.data ?? {};
  if (!data['tls.crt'] || !data['tls.key']) return result('secret', 6, title, 'fail', 'lacks tls.crt or tls.key', f.hints.deploy);
  const [crt, key] = [Buffer.from(data['tls.crt'], 'base64').toString('utf8'), Buffer.from(data['tls.key'], 'base64').toString('utf8')];
  if (!keyMatches(crt, key)) return result('secret', 6, title, 'fail', 'tls.key is not the key of tls.crt', f.hints.rotate);
  return result('secret', 6, title, 'pass', `type ${f.secret.obj.type}, tls.crt and tls.key match`);
}

const secret: Check = {
  step: 6, title: 'TLS Secret', namespaced: true,
  async run(f) { return [secretResult(f)]; },
};

/** The certificate checks, in step order. */
export const tlsChecks = { caBundle, servingCert, secret };
