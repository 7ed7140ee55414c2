/**
 * The CLI against a real kube-apiserver: the wardle server runs on loopback in delegated mode,
 * `extapi deploy --external` registers it through an ExternalName Service, `kubectl get
 * flunders` answers through the aggregator, a second deploy changes nothing, `doctor` is green
 * and then names each injected fault and its fix, `certs rotate` under load loses no request,
 * and `uninstall` leaves no APIService behind.
 *
 * The wardle APIService names (v1beta1/v1alpha1.wardle.example.com) are cluster-wide: the
 * tests of this file run serially and uninstall at the end; another file registering wardle at
 * the same time on the shared plane would collide with them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueClientCertificate, issueServingCertificate, createCertificateAuthority, type CertificateAndKey } from '../../src/certs/index.ts';
import { loadKubeClient } from '../../src/kube/client.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import type { ControlPlane } from '../../src/testing/control-plane.ts';
import type { ManagedProcess } from '../../src/testing/processes.ts';
import {
  acquireClusterLock, WARDLE_LOCK, freePort, issueCertificateValidBetween, runExtapi, runLoad, startWardle, verifiedGet, waitForPresented, type ExtapiRun,
} from '../../src/cli/testing/e2e-support.ts';

const id = randomBytes(3).toString('hex');
const ns = `wardle-cli-${id}`;
const serverName = `api.${ns}.svc`;
const broken = `v1.broken-${id}.e2e.extapi.dev`;
let cp: ControlPlane;
let work: string;
let certDir: string;
let port: number;
let server: ManagedProcess | undefined;
let releaseLock: (() => Promise<void>) | undefined;

const common = () => ['-n', ns, '--kubeconfig', cp.adminKubeconfigPath, '--cert-dir', certDir];

async function extapi(args: string[], expectCode = 0): Promise<ExtapiRun> {
  const r = await runExtapi(args, work);
  process.stderr.write(`[cli-e2e] extapi ${args[0]}${args[1] && !args[1].startsWith('-') ? ` ${args[1]}` : ''} → ${r.code} in ${r.ms} ms\n`);
  assert.equal(r.code, expectCode, `extapi ${args.join(' ')}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r;
}

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await cp.kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const deploy = () => extapi(['deploy', ...common(), '--external', `127.0.0.1:${port}`, '--timeout', '60s']);

async function start(): Promise<void> {
  server = await startWardle({
    kubeconfig: cp.adminKubeconfigPath, certDir, port, serverName,
    caPem: await readFile(join(certDir, 'ca.crt'), 'utf8'), logPath: join(work, 'wardle.log'),
  });
}

interface Report {
  ok: boolean;
  checks: Array<{ id: string; status: string; detail: string; fix?: string }>;
}

async function doctor(): Promise<{ code: number; report: Report }> {
  const r = await runExtapi(['doctor', ...common(), '--output', 'json'], work);
  assert.ok(r.code === 0 || r.code === 1, `doctor exited ${r.code}: ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

/** Failures, except other tests' unavailable APIServices on the shared plane. */
function ourFailures(report: Report): Report['checks'] {
  return report.checks.filter((c) => c.status === 'fail' && (!c.id.startsWith('cluster-apiservices/') || c.id.includes(id)));
}

/** Runs doctor until none of our checks fails (the aggregator may lag a fix by a few seconds). */
async function eventuallyGreen(timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let failures: Report['checks'] = [];
  do {
    failures = ourFailures((await doctor()).report);
    if (failures.length === 0) return;
    await new Promise((r) => setTimeout(r, 2000));
  } while (Date.now() < deadline);
  assert.deepEqual(failures, [], 'doctor still fails');
}

/** Runs doctor and asserts that check `checkId` fails with `detail` and a fix matching `fix`. */
async function doctorNames(checkId: string, detail: RegExp, fix: RegExp): Promise<void> {
  const { code, report } = await doctor();
  assert.equal(code, 1, JSON.stringify(report.checks, null, 1));
  const check = report.checks.find((c) => c.id === checkId && c.status === 'fail');
  assert.ok(check, `no failing ${checkId}: ${JSON.stringify(report.checks.filter((c) => c.status !== 'pass'), null, 1)}`);
  assert.match(check.detail, detail);
  assert.match(check.fix ?? '', fix);
}

async function ca(): Promise<CertificateAndKey> {
  return { certPem: await readFile(join(certDir, 'ca.crt'), 'utf8'), keyPem: await readFile(join(certDir, 'ca.key'), 'utf8') };
}

async function swapServingCert(pair: CertificateAndKey): Promise<void> {
  await writeFile(join(certDir, 'tls.key'), pair.keyPem);
  await writeFile(join(certDir, 'tls.crt'), pair.certPem);
  await waitForPresented(port, serverName, pair.certPem);
}

before(async () => {
  cp = await getSharedControlPlane();
  const t0 = Date.now();
  releaseLock = await acquireClusterLock(loadKubeClient({ kubeconfig: cp.adminKubeconfigPath }), WARDLE_LOCK, `cli-deploy-${id}`);
  process.stderr.write(`[cli-e2e] holding lease ${WARDLE_LOCK} (waited ${Date.now() - t0} ms)\n`);
  work = await mkdtemp(join(tmpdir(), 'extapi-cli-e2e-'));
  certDir = join(work, 'certs');
  port = await freePort();
});

after(async () => {
  await server?.stop();
  if (cp) {
    await runExtapi(['uninstall', '-n', ns, '--kubeconfig', cp.adminKubeconfigPath], work).catch(() => undefined);
    await cp.kubectl(['delete', 'apiservice', broken, '--ignore-not-found']);
  }
  await releaseLock?.();
  if (work) await rm(work, { recursive: true, force: true });
  await cp?.stop();
});

test('certs creates a CA and a serving certificate for api.<ns>.svc', async () => {
  const r = await extapi(['certs', '-n', ns, '--cert-dir', certDir]);
  assert.match(r.stdout, new RegExp(`created .*tls\\.crt.*${serverName.replace(/\./g, '\\.')}`));
  for (const f of ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']) assert.ok(existsSync(join(certDir, f)), f);
});

test('deploy --external brings `kubectl get flunders` to "No resources found" through the aggregator', async () => {
  await start();
  const r = await deploy();
  assert.match(r.stdout, /APIService v1beta1\.wardle\.example\.com Available — Available/);
  assert.match(r.stdout, /kubectl get flunders\.wardle\.example\.com -A — No resources found/);
  const get = await cp.kubectl(['get', 'flunders.wardle.example.com']);
  assert.equal(get.code, 0, get.stderr);
  assert.equal(get.stderr.trim(), 'No resources found in default namespace.');
});

test('a second deploy changes nothing and says so', async () => {
  const rv = async () => JSON.parse(await kubectl(['get', 'apiservice', 'v1beta1.wardle.example.com', 'v1alpha1.wardle.example.com', '-o', 'json'])).items
    .map((a: any) => `${a.metadata.name}@${a.metadata.generation}`);
  const before = await rv();
  const r = await deploy();
  assert.match(r.stdout, /Nothing changed: all 9 objects were already as declared\./);
  assert.doesNotMatch(r.stdout, /— (created|configured)$/m);
  assert.deepEqual(await rv(), before);
});

test('doctor is green on a working setup', async () => {
  const { code, report } = await doctor();
  assert.deepEqual(ourFailures(report), []);
  assert.ok(report.checks.some((c) => c.id === 'server' && c.status === 'pass'));
  assert.ok(report.checks.some((c) => c.id === 'serving-cert' && c.status === 'pass'));
  if (report.checks.every((c) => c.status !== 'fail')) assert.equal(code, 0);
});

test('doctor names each injected fault and its fix', async (t) => {
  await t.test('wrong caBundle', async () => {
    const other = await createCertificateAuthority({ commonName: 'not-our-ca' });
    for (const name of ['v1beta1.wardle.example.com', 'v1alpha1.wardle.example.com']) {
      await kubectl(['patch', 'apiservice', name, '--type', 'merge', '-p', JSON.stringify({ spec: { caBundle: Buffer.from(other.certPem).toString('base64') } })]);
    }
    await doctorNames('serving-cert', /not signed by the APIService caBundle/, /extapi deploy .*--external 127\.0\.0\.1/);
    assert.match((await deploy()).stdout, /APIService v1beta1\.wardle\.example\.com — configured/);
  });
  await t.test('serving certificate without the service DNS name', async () => {
    await swapServingCert(await issueServingCertificate(await ca(), { dnsNames: ['localhost'] }));
    await doctorNames('serving-cert', new RegExp(`does not name ${serverName.replace(/\./g, '\\.')}`), /extapi certs rotate/);
    await extapi(['certs', 'rotate', ...common()]);
    await deploy();
  });
  await t.test('expired serving certificate', async () => {
    const day = 86_400_000;
    await swapServingCert(await issueCertificateValidBetween(await ca(), [serverName], new Date(Date.now() - 3 * day), new Date(Date.now() - day)));
    await doctorNames('serving-cert', /expired on/, /extapi certs rotate/);
    await extapi(['certs', 'rotate', ...common()]);
    await deploy();
  });
  await t.test('auth-reader RoleBinding deleted', async () => {
    await kubectl(['-n', 'kube-system', 'delete', 'rolebinding', `${ns}:apiserver:auth-reader`]);
    await doctorNames('auth-reader', /may not get\/list\/watch configmaps extension-apiserver-authentication in kube-system/, /kubectl -n kube-system create rolebinding .*extension-apiserver-authentication-reader/);
    await deploy();
  });
  await t.test('auth-delegator ClusterRoleBinding deleted', async () => {
    await kubectl(['delete', 'clusterrolebinding', `${ns}:apiserver:auth-delegator`]);
    await doctorNames('auth-delegator', /may not create tokenreviews/, /kubectl create clusterrolebinding .*--clusterrole system:auth-delegator/);
    await deploy();
  });
  await t.test('Service deleted', async () => {
    await kubectl(['-n', ns, 'delete', 'service', 'api']);
    await doctorNames('service', /not found/, /extapi deploy/);
    await deploy();
  });
  await t.test('server stopped', async () => {
    await server?.stop();
    await doctorNames('server', /nothing is listening at 127\.0\.0\.1/, /start the server/);
    await start();
    await deploy();
  });
  await t.test('an unrelated broken APIService in the cluster', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: broken },
      spec: {
        group: `broken-${id}.e2e.extapi.dev`, version: 'v1', groupPriorityMinimum: 100, versionPriority: 10,
        service: { namespace: ns, name: 'nothing-here', port: 443 }, caBundle: Buffer.from((await ca()).certPem).toString('base64'),
      },
    }));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !/"status":\s*"False"/.test(await kubectl(['get', 'apiservice', broken, '-o', 'json']))) await new Promise((r) => setTimeout(r, 250));
    await doctorNames(`cluster-apiservices/${broken}`, /not Available/, new RegExp(`kubectl delete apiservice ${broken.replace(/\./g, '\\.')}`));
    await kubectl(['delete', 'apiservice', broken]);
  });
  await eventuallyGreen();
});

test('certs rotate (same CA, then a new CA) under load loses no request', async (t) => {
  const cluster = loadKubeClient({ kubeconfig: cp.adminKubeconfigPath });
  const clusterCa = { certPem: cp.caPem, keyPem: await readFile(cp.state.caKeyPath, 'utf8') };
  const client = await issueClientCertificate(clusterCa, { user: `cli-load-${id}`, groups: ['system:masters'] });
  const bundle = async () => (await readFile(join(certDir, 'ca.crt'), 'utf8'))
    + (existsSync(join(certDir, 'ca-previous.crt')) ? await readFile(join(certDir, 'ca-previous.crt'), 'utf8').catch(() => '') : '');
  const stop = new AbortController();
  const viaAggregator = runLoad(async () => { await cluster.request('GET', '/apis/wardle.example.com/v1beta1/namespaces/default/flunders'); }, 4, stop.signal);
  const direct = runLoad(async () => verifiedGet(port, '/apis/wardle.example.com/v1beta1', serverName, await bundle(), client), 2, stop.signal);
  const before = await readFile(join(certDir, 'ca.crt'), 'utf8');
  try {
    await new Promise((r) => setTimeout(r, 1000));
    await extapi(['certs', 'rotate', ...common()]);
    const r = await extapi(['certs', 'rotate', ...common(), '--new-ca']);
    assert.match(r.stdout, /caBundle drops the previous CA/);
    await new Promise((r) => setTimeout(r, 2000));
  } finally {
    stop.abort();
  }
  const [agg, dir] = await Promise.all([viaAggregator, direct]);
  t.diagnostic(`through the aggregator: ${agg.ok} ok, ${agg.failed} failed; direct (fresh TLS each): ${dir.ok} ok, ${dir.failed} failed`);
  assert.notEqual(await readFile(join(certDir, 'ca.crt'), 'utf8'), before, 'the CA changed');
  assert.equal(agg.failed, 0, agg.errors.join('\n'));
  assert.equal(dir.failed, 0, dir.errors.join('\n'));
  assert.ok(agg.ok > 20 && dir.ok > 20, `too little load: ${agg.ok}, ${dir.ok}`);
  await eventuallyGreen();
});

test('uninstall removes the APIServices first, leaves none behind, and is safe to repeat', async () => {
  const r = await extapi(['uninstall', '-n', ns, '--kubeconfig', cp.adminKubeconfigPath]);
  const lines = r.stdout.split('\n').filter((l) => /deleted/.test(l));
  assert.match(lines[0], /APIService/);
  assert.match(lines[1], /APIService/);
  const left = JSON.parse(await kubectl(['get', 'apiservices', '-o', 'json'])).items.filter((a: any) => a.spec?.service?.namespace === ns);
  assert.deepEqual(left.map((a: any) => a.metadata.name), []);
  const again = await extapi(['uninstall', '-n', ns, '--kubeconfig', cp.adminKubeconfigPath]);
  assert.match(again.stdout, /Nothing to remove/);
});
