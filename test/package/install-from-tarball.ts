/**
 * extapi as a user installs it: `npm pack` of this repository, installed in a directory OUTSIDE
 * the repository; there `extapi init` and `extapi add resource` make a project, whose own
 * `npm test` (type check, unit tests, e2e behind the real aggregator) passes, whose `npm start`
 * serves standalone, and which `extapi deploy --external` registers on `npm run cluster:up`'s
 * control plane. Cost: one build of dist/ (prepack), one npm install with better-sqlite3
 * compiled from source, one extra control plane (cluster:up).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '../../src/testing/binaries.ts';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import { freeLoopbackPorts } from '../../src/testing/ports.ts';
import { spawnManaged, type ManagedProcess } from '../../src/testing/processes.ts';

const id = randomBytes(3).toString('hex');
const group = `e2e-${id}.acme.io`;
const namespace = `my-api-${id}`;
let work: string;
let tarball: string;
let project: string;
let kubectlBin: string;
const started: ManagedProcess[] = [];
let cp: ControlPlane;

/** Runs a command to completion; resolves with its output, rejects with it on a non-zero exit. */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 900_000, env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1', ...env } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${err.message}\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** Polls `probe` until it returns true or `timeoutMs` passes; `describe` says what was last seen. */
async function eventually(probe: () => Promise<boolean>, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`timed out: ${describe()}`);
}

before(async () => {
  cp = await getSharedControlPlane();
  kubectlBin = join(cp.binDir, 'kubectl');
  work = await mkdtemp(join(tmpdir(), 'extapi-package-e2e-'));
  assert.ok(!work.startsWith(REPO_ROOT), 'the project must live outside the repository');
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], REPO_ROOT);
  tarball = join(work, JSON.parse(packed.stdout)[0].filename);
  project = join(work, 'my-api');
});

after(async () => {
  for (const p of started) await p.stop();
  await cp?.stop();
  if (project && existsSync(join(project, '.extapi', 'cluster', 'state.json'))) await run('npm', ['run', 'cluster:down'], project).catch(() => undefined);
  if (work) await rm(work, { recursive: true, force: true });
});

test('the tarball holds built JavaScript with declarations, the bin and the control-plane script, and no sources or tests', async () => {
  const listing = (await run('tar', ['-tzf', tarball], work)).stdout.split('\n').filter(Boolean);
  for (const f of ['package/bin/extapi.js', 'package/bin/extapi-cluster.js', 'package/dist/src/index.js', 'package/dist/src/index.d.ts',
    'package/dist/src/testing/index.js', 'package/dist/src/client/index.js', 'package/scripts/build-control-plane.sh', 'package/package.json']) {
    assert.ok(listing.includes(f), `${f} missing from the tarball`);
  }
  assert.deepEqual(listing.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), []);
  assert.deepEqual(listing.filter((f) => /\.test\.|^package\/(src|test)\//.test(f)), []);
});

test('extapi init and add resource, from the tarball, write a project outside the repository', async () => {
  const tools = join(work, 'tools');
  await mkdir(tools);
  // only the CLI is needed here: no install scripts (the project below installs everything)
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', tarball], tools);
  const extapi = join(tools, 'node_modules', '.bin', 'extapi');
  const init = await run(extapi, ['init', 'my-api', '--group', group], work);
  assert.match(init.stdout, new RegExp(`created my-api/ \\(10 files\\) serving Widget in ${group.replace(/\./g, '\\.')}/v1alpha1`));
  const add = await run(extapi, ['add', 'resource', 'Gadget', '--version', 'v1beta1', '--cluster-scoped'], project);
  assert.equal(add.stdout, 'added Gadget (gadgets, v1beta1, cluster-scoped) to src/resources.ts\n');
  assert.deepEqual((await readdir(project)).sort(), ['.dockerignore', '.gitignore', 'Dockerfile', 'README.md', 'package.json', 'src', 'test', 'tsconfig.json']);
});

test('the generated project installs the tarball and its own npm test passes (type check, unit, e2e behind the aggregator)', async () => {
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project);
  const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
  assert.match(pkg.dependencies.extapi, /^file:.*extapi-.*\.tgz$/);
  const { stdout } = await run('npm', ['test'], project);
  // 3 unit tests and 1 e2e test per resource, for Widget and Gadget
  assert.match(stdout, /^# pass 8$/m, stdout.slice(-3000));
  assert.match(stdout, /^# fail 0$/m);
  assert.match(stdout, /kubectl creates, lists and deletes gadgets through the aggregator/);
});

test('npm start serves the project standalone; kubectl reads it with the dev kubeconfig', async () => {
  const [port] = await freeLoopbackPorts(1);
  const server = spawnManaged('npm-start', 'npm', ['start', '--', '--secure-port', String(port)], { logPath: join(work, 'start.log'), env: { ...process.env, KUBECONFIG: '' } });
  started.push(server);
  const kubeconfig = join(project, '.extapi', 'dev', 'kubeconfig');
  let last = '';
  await eventually(async () => {
    if (server.hasExited()) assert.fail(`npm start exited:\n${server.logTail(30)}`);
    const r = await run(kubectlBin, ['--kubeconfig', kubeconfig, 'get', 'widgets,gadgets'], project, 30_000).catch((e: Error) => ({ stdout: '', stderr: e.message }));
    last = r.stdout + r.stderr;
    return /No resources found/.test(last);
  }, 120_000, () => `${last}\n${server.logTail(20)}`);
  await server.stop();
});

test('extapi deploy --external registers the running project on npm run cluster:up\'s control plane (step 15: kubectl get through the aggregator)', async () => {
  const up = await run('npm', ['run', 'cluster:up'], project);
  const kubeconfig = /kubeconfig:\s+(\S+)/.exec(up.stdout)?.[1];
  assert.ok(kubeconfig && existsSync(kubeconfig), up.stdout);
  const [port] = await freeLoopbackPorts(1);
  const extapi = join(project, 'node_modules', '.bin', 'extapi');
  const deployArgs = ['deploy', '--kubeconfig', kubeconfig, '-n', namespace, '--external', `127.0.0.1:${port}`, '--timeout', '120s'];
  await run(extapi, [...deployArgs, '--no-wait'], project);
  const certDir = join(project, '.extapi', 'certs', `${namespace}.api`);
  assert.ok(existsSync(join(certDir, 'tls.crt')), 'deploy wrote no serving certificate');
  const server = spawnManaged('npm-start-delegated', 'npm', ['start', '--', '--kubeconfig', kubeconfig, '--tls-cert-dir', certDir,
    '--secure-port', String(port), '--bind-address', '127.0.0.1', '--storage', 'memory'], { logPath: join(work, 'delegated.log') });
  started.push(server);
  const deployed = await run(extapi, deployArgs, project);
  assert.match(deployed.stdout, new RegExp(`APIService v1alpha1\\.${group.replace(/\./g, '\\.')} Available`));
  assert.match(deployed.stdout, new RegExp(`kubectl get widgets\\.${group.replace(/\./g, '\\.')} -A — No resources found`));
  assert.match(deployed.stdout, new RegExp(`kubectl get gadgets\\.${group.replace(/\./g, '\\.')} — No resources found`));
  const got = await run(kubectlBin, ['--kubeconfig', kubeconfig, 'get', 'widgets', '-n', namespace], project);
  assert.equal(got.stderr.trim(), `No resources found in ${namespace} namespace.`);
  await server.stop();
  await run('npm', ['run', 'cluster:down'], project);
});
