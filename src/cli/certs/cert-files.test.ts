import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueServingCertificate, readCertificate, splitCertificateBundle, verifyCertificateChain } from '../../certs/index.ts';
import { ActionableError } from '../errors.ts';
import {
  certPaths, ensureCertificates, joinBundle, keyMatches, readCaBundle, sanCovers, servingCertProblems, servingNames, type CertSpec,
} from './cert-files.ts';
import { finishCaFiles, readCa, rotateCaFiles, rotateServingFiles, rotationNames } from './rotate.ts';

const spec = (over: Partial<CertSpec> = {}): CertSpec => ({ ...servingNames('wardle', 'api'), keyAlgorithm: 'ecdsa-p256', days: 365, caDays: 3650, ...over });
const tmp = () => mkdtemp(join(tmpdir(), 'extapi-cli-certs-'));

test('servingNames: the four service names plus extras, IPs apart', () => {
  assert.deepEqual(servingNames('wardle', 'api', ['localhost', '127.0.0.1', 'api']), {
    dnsNames: ['api.wardle.svc', 'api.wardle.svc.cluster.local', 'api.wardle', 'api', 'localhost'],
    ipAddresses: ['127.0.0.1'],
  });
});

test('sanCovers: exact names and one-label wildcards, case-insensitively', () => {
  assert.ok(sanCovers(['API.wardle.svc'], 'api.wardle.svc'));
  assert.ok(sanCovers(['*.wardle.svc'], 'api.wardle.svc'));
  assert.ok(!sanCovers(['*.svc'], 'api.wardle.svc'));
  assert.ok(!sanCovers(['localhost'], 'api.wardle.svc'));
});

test('ensureCertificates creates a CA and a serving pair, then reuses them unchanged', async (t) => {
  const dir = await tmp();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const first = await ensureCertificates(dir, spec());
  assert.equal(first.ca.status, 'created');
  assert.equal(first.serving.status, 'created');
  const p = certPaths(dir);
  const facts = readCertificate(await readFile(p.tlsCrt, 'utf8'));
  assert.deepEqual(facts.dnsNames, ['api.wardle.svc', 'api.wardle.svc.cluster.local', 'api.wardle', 'api']);
  assert.ok(verifyCertificateChain(await readFile(p.tlsCrt, 'utf8'), await readFile(p.caCrt, 'utf8')).ok);
  assert.ok(keyMatches(await readFile(p.tlsCrt, 'utf8'), await readFile(p.tlsKey, 'utf8')));
  const second = await ensureCertificates(dir, spec({ days: 10 }));
  assert.equal(second.ca.status, 'reused');
  assert.equal(second.serving.status, 'reused');
  assert.equal(second.serving.certPem, first.serving.certPem);
  assert.equal(second.caBundlePem, first.ca.pem);
});

test('RSA keys and a chosen validity', async (t) => {
  const dir = await tmp();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = await ensureCertificates(dir, spec({ keyAlgorithm: 'rsa-2048', days: 90 }));
  const days = (r.serving.facts.notAfter.getTime() - Date.now()) / 86_400_000;
  assert.ok(days > 89 && days <= 90, String(days));
  assert.match(await readFile(certPaths(dir).tlsKey, 'utf8'), /BEGIN PRIVATE KEY/);
});

test('an unfit serving certificate is never overwritten: the error points at certs rotate', async (t) => {
  const dir = await tmp();
  t.after(() => rm(dir, { recursive: true, force: true }));
  await ensureCertificates(dir, spec());
  const p = certPaths(dir);
  const before = await readFile(p.tlsCrt, 'utf8');
  await assert.rejects(ensureCertificates(dir, spec(servingNames('other', 'api'))), (e: unknown) =>
    e instanceof ActionableError && /does not name api\.other\.svc/.test(e.message) && /extapi certs rotate/.test(e.message));
  assert.equal(await readFile(p.tlsCrt, 'utf8'), before);
});

test('half a pair on disk is an error, not a silent replacement', async (t) => {
  const dir = await tmp();
  t.after(() => rm(dir, { recursive: true, force: true }));
  await ensureCertificates(dir, spec());
  await rm(certPaths(dir).caKey);
  await assert.rejects(ensureCertificates(dir, spec()), /only one of ca\.crt and ca\.key/);
});

test('servingCertProblems: foreign CA, expiring soon, wrong names, mismatched key', async () => {
  const ca = await createCertificateAuthority();
  const other = await createCertificateAuthority();
  const names = servingNames('wardle', 'api');
  const good = await issueServingCertificate(ca, { dnsNames: names.dnsNames });
  assert.deepEqual(servingCertProblems(good.certPem, good.keyPem, ca.certPem, names), []);
  assert.match(servingCertProblems(good.certPem, undefined, other.certPem, names).join(), /not signed/);
  const soon = await issueServingCertificate(ca, { dnsNames: names.dnsNames, validityDays: 10 });
  assert.match(servingCertProblems(soon.certPem, undefined, ca.certPem, names).join(), /within 30 days/);
  const wrong = await issueServingCertificate(ca, { dnsNames: ['localhost'] });
  assert.match(servingCertProblems(wrong.certPem, undefined, ca.certPem, names).join(), /does not name api\.wardle\.svc/);
  assert.match(servingCertProblems(good.certPem, wrong.keyPem, ca.certPem, names).join(), /not the key/);
});

test('CA rotation: the bundle holds new and previous CA during the overlap, then only the new one', async (t) => {
  const dir = await tmp();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const first = await ensureCertificates(dir, spec());
  const p = certPaths(dir);
  const next = await rotateCaFiles(p, spec());
  const bundle = await readCaBundle(p);
  assert.deepEqual(splitCertificateBundle(bundle), [...splitCertificateBundle(next.certPem), ...splitCertificateBundle(first.ca.pem)]);
  assert.ok(verifyCertificateChain(first.serving.certPem, bundle).ok, 'old serving cert still trusted');
  await assert.rejects(rotateCaFiles(p, spec()), /already under way/);
  const pair = await rotateServingFiles(p, await readCa(p), spec());
  assert.ok(verifyCertificateChain(pair.certPem, bundle).ok);
  assert.ok(!verifyCertificateChain(pair.certPem, first.ca.pem).ok);
  await finishCaFiles(p);
  assert.equal(existsSync(p.caPrevious), false);
  assert.equal(await readCaBundle(p), next.certPem);
});

test('rotationNames keeps the SANs of the current certificate', async (t) => {
  const dir = await tmp();
  t.after(() => rm(dir, { recursive: true, force: true }));
  await ensureCertificates(dir, spec({ ...servingNames('wardle', 'api', ['localhost', '127.0.0.1']) }));
  const names = await rotationNames(certPaths(dir), spec());
  assert.ok(names.dnsNames.includes('localhost'));
  assert.deepEqual(names.ipAddresses, ['127.0.0.1']);
});

test('joinBundle drops duplicates and keeps order', async () => {
  const a = (await createCertificateAuthority()).certPem;
  const b = (await createCertificateAuthority()).certPem;
  assert.deepEqual(splitCertificateBundle(joinBundle([a, b, a])), [...splitCertificateBundle(a), ...splitCertificateBundle(b)]);
});
