/**
 * `extapi manifests`, preflight and doctor against a real kube-apiserver, without registering
 * anything: the manifests of every storage variant (a kustomize directory and a YAML stream)
 * are accepted by server-side dry-run apply (the test cluster has no nodes, so nothing would
 * run anyway); a user without permissions gets one sentence naming them and nothing applied;
 * doctor on a setup that does not exist fails with fixes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import type { ControlPlane } from '../../src/testing/control-plane.ts';
import { runExtapi, type ExtapiRun } from '../../src/cli/testing/e2e-support.ts';

const id = randomBytes(3).toString('hex');
const ns = `wardle-cli-m-${id}`;
let cp: ControlPlane;
let work: string;

async function extapi(args: string[], expectCode = 0): Promise<ExtapiRun> {
  const r = await runExtapi(args, work);
  assert.equal(r.code, expectCode, `extapi ${args.join(' ')}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r;
}

before(async () => {
  cp = await getSharedControlPlane();
  work = await mkdtemp(join(tmpdir(), 'extapi-cli-m-e2e-'));
  // server-side dry-run persists nothing, so namespaced objects need their namespace for real
  const r = await cp.kubectl(['create', 'namespace', ns]);
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  if (cp) await cp.kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  if (work) await rm(work, { recursive: true, force: true });
  await cp?.stop();
});

const variants: Array<{ name: string; flags: string[]; kinds: string[] }> = [
  { name: 'embedded storage', flags: [], kinds: ['PersistentVolumeClaim', 'Deployment', 'PodDisruptionBudget'] },
  { name: 'etcd storage, 2 replicas', flags: ['--storage', 'etcd', '--etcd-servers', 'https://etcd-0.etcd:2379'], kinds: ['Deployment', 'PodDisruptionBudget'] },
  { name: 'memory storage', flags: ['--storage', 'memory'], kinds: ['Deployment'] },
];

for (const v of variants) {
  test(`manifests (${v.name}) as a kustomize directory pass server-side dry-run apply`, async () => {
    const dir = join(work, `out-${v.name.split(' ')[0]}`);
    await extapi(['manifests', '-n', ns, '--image', 'registry.example.com/wardle:1.0', '--out-dir', dir, ...v.flags]);
    const built = await cp.kubectl(['kustomize', dir]);
    assert.equal(built.code, 0, built.stderr);
    const kinds = parseAllDocuments(built.stdout).map((d) => d.toJSON().kind as string);
    assert.equal(kinds[0], 'Namespace');
    assert.deepEqual(kinds.slice(-2), ['APIService', 'APIService'], 'APIServices last');
    for (const k of v.kinds) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
    const r = await cp.kubectl(['apply', '-k', dir, '--server-side', '--dry-run=server', '--force-conflicts', '--field-manager', 'extapi-e2e']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.stdout.trim().split('\n').length, kinds.length, r.stdout);
    assert.match(r.stdout, /deployment\.apps\/api serverside-applied \(server dry run\)/);
    assert.match(r.stdout, /apiservice\.apiregistration\.k8s\.io\/v1beta1\.wardle\.example\.com serverside-applied \(server dry run\)/);
  });
}

test('manifests as a YAML stream pass server-side dry-run apply', async () => {
  const m = await extapi(['manifests', '-n', ns]);
  const r = await cp.kubectl(['apply', '-f', '-', '--server-side', '--dry-run=server', '--force-conflicts', '--field-manager', 'extapi-e2e'], { input: m.stdout });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /secret\/api-serving-cert serverside-applied/);
  assert.match(r.stdout, /rolebinding\.rbac\.authorization\.k8s\.io\/.*:auth-reader serverside-applied/);
});

test('deploy as a user without permissions: one sentence naming them, nothing applied', async () => {
  const user = `cli-nobody-${id}`;
  const kubeconfig = await cp.mintKubeconfig(user);
  const target = `${ns}-nope`;
  const r = await extapi(['deploy', '-n', target, '--kubeconfig', kubeconfig, '--external', '127.0.0.1:9'], 1);
  const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.equal(errorLines.length, 1, r.stderr);
  assert.match(errorLines[0], new RegExp(`${user} may not create/patch namespaces \\(cluster-wide\\), `));
  assert.match(errorLines[0], /create\/patch rolebindings\.rbac\.authorization\.k8s\.io in namespace kube-system/);
  assert.match(errorLines[0], /create\/patch apiservices\.apiregistration\.k8s\.io \(cluster-wide\)/);
  assert.match(errorLines[0], /nothing was applied/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.match(r.stdout, /✗ {2}2/);
  const ns2 = await cp.kubectl(['get', 'namespace', target]);
  assert.notEqual(ns2.code, 0, 'the namespace was not created');
});

test('doctor on a setup that does not exist: non-zero exit, failures with fixes', async () => {
  const r = await runExtapi(['doctor', '-n', `${ns}-absent`, '--kubeconfig', cp.adminKubeconfigPath, '--output', 'json'], work);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, false);
  const nsCheck = report.checks.find((c: any) => c.id === 'namespace');
  assert.equal(nsCheck.status, 'fail');
  assert.match(nsCheck.fix, new RegExp(`extapi deploy -n ${ns}-absent`));
  assert.ok(report.checks.filter((c: any) => c.status === 'skip').length >= 3, 'checks inside the missing namespace are skipped');
});

test('doctor text output fits a pipe: no colour codes, one line per check, a summary', async () => {
  const r = await runExtapi(['doctor', '-n', `${ns}-absent`, '--kubeconfig', cp.adminKubeconfigPath], work);
  assert.equal(r.code, 1);
  assert.ok(!r.stdout.includes('\u001b['), 'no escape codes');
  assert.match(r.stdout, /^✗ {2}3 {2}namespace .* — not found$/m);
  assert.match(r.stdout, /^ {6}fix: extapi deploy/m);
  assert.match(r.stdout, /\d+ passed, \d+ failed, \d+ warnings, \d+ skipped\n$/);
});
