/**
 * extapi as a user installs it: `npm pack` of this repository, installed in a directory OUTSIDE
 * the repository; there `extapi init` and `extapi add resource` make a project, whose own
 * `npm test` (type check, unit tests, e2e behind the real aggregator) passes, whose `npm start`
 * serves standalone, and which `extapi deploy --external` registers on `npm run cluster:up`'s
 * control plane. Part of `npm test` (alone: `npm run test:package`). Cost: one build of dist/
 * (prepack), two npm installs that compile better-sqlite3 from source (the project's and the
 * image's build stage), one extra control plane (cluster:up): about 9.5 CPU-minutes (measured
 * 2026-11-29: 8 min 7 s user + 1 min 9 s sys; 45 min 40 s wall at load 15-24 on 2 cores).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '../../src/testing/binaries.ts';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import { freeLoopbackPorts } from '../../src/testing/ports.ts';
import { spawnManaged, type ManagedProcess } from '../../src/testing/processes.ts';
import { resolveNodeBinaries } from '../../src/testing/node/node-binaries.ts';
import { buildProjectImage } from '../../src/testing/node/project-image.ts';
import { runImage } from '../../src/testing/node/run-image.ts';

const id = randomBytes(3).toString('hex');
const group = `e2e-${id}.acme.io`;
const namespace = `my-api-${id}`;
let work: string;
let tarball: string;
let project: string;
let kubectlBin: string;
const started: ManagedProcess[] = [];
let cp: ControlPlane;

/**
 * The environment of the user's commands: this test's, without NODE_TEST_CONTEXT (set by the
 * outer `node --test` for its children, it would make the project's own `node --test` report to
 * this runner instead of printing its results).
 */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _inner, ...env } = process.env;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a command to completion; resolves with its output, rejects with it on a non-zero exit. */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 900_000, env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 << 20, env: userEnv(env) }, (err, stdout, stderr) => {
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
  // npm pack builds dist/ (prepack); a checkout's bin/extapi.js would run that build instead of
  // the sources afterwards, so a dist/ this test made is removed again
  const builtBefore = existsSync(join(REPO_ROOT, 'dist'));
  try {
    const packed = await run('npm', ['pack', '--json', '--pack-destination', work], REPO_ROOT);
    tarball = join(work, JSON.parse(packed.stdout)[0].filename);
  } finally {
    if (!builtBefore) await rm(join(REPO_ROOT, 'dist'), { recursive: true, force: true });
  }
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

/**
 * Type-level checks against the INSTALLED package (its .d.ts): each `@ts-expect-error` line must
 * be an error, so tsc fails if the published types stop inferring the object from the schema
 * (an `any` would make these lines compile).
 */
const TYPE_PROBE = `import { defineResource } from 'extapi';
import { resourceClient, type ObjectOfResource } from 'extapi/client';
import { startApiTestServer } from 'extapi/testing';
import { KubeConfig } from '@kubernetes/client-node';
import { Type } from 'typebox';

export const probe = defineResource({
  group: 'probe.acme.io', kind: 'Probe', plural: 'probes', namespaced: true,
  versions: [{ name: 'v1', storage: true, schema: Type.Object({ spec: Type.Object({ size: Type.Integer(), color: Type.Optional(Type.String()) }) }) }],
  strategy: {
    validate(obj) {
      const size: number = obj.spec.size;
      // @ts-expect-error a misspelt field of the schema is a compile error in a strategy hook
      if (obj.spec.colour) return [];
      // @ts-expect-error size is a number, not a string
      const wrong: string = obj.spec.size;
      return size > 0 && wrong ? [] : [];
    },
  },
});
type Probe = ObjectOfResource<typeof probe>;
export const client = (kc: KubeConfig) => resourceClient(kc, probe);
export async function applied(kc: KubeConfig): Promise<number> {
  const p: Probe = await client(kc).apply({ apiVersion: 'probe.acme.io/v1', kind: 'Probe', metadata: { name: 'a', namespace: 'd' }, spec: { size: 1 } }, { fieldManager: 'me' });
  // @ts-expect-error an apply configuration is checked against the schema too
  await client(kc).apply({ apiVersion: 'probe.acme.io/v1', kind: 'Probe', metadata: { name: 'a', namespace: 'd' }, spec: { size: 'big' } }, { fieldManager: 'me' });
  return p.spec.size;
}
export const server = () => startApiTestServer([probe]);
`;

/** A consumer's strictest common setup: lib check on, no allowImportingTsExtensions. */
const STRICT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false,
    noEmit: true, types: ['node'], lib: ['ES2023'],
  },
  files: ['test/types.check.ts'],
};

test('the generated project installs the tarball and its own npm test passes (type check, unit, e2e behind the aggregator)', async () => {
  const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project, 1_800_000);
  const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
  assert.match(pkg.dependencies.extapi, /^file:.*extapi-.*\.tgz$/);
  // the generated allowScripts covers every install script (npm 12 skips the ones it does not)
  assert.doesNotMatch(installed.stderr, /install scripts not yet covered by allowScripts/, installed.stderr);
  // the project's own tsc (npm test) checks this file against the installed declarations
  await writeFile(join(project, 'test', 'types.check.ts'), TYPE_PROBE);
  const { stdout } = await run('npm', ['test'], project);
  // 3 unit tests and 1 e2e test per resource, for Widget and Gadget
  assert.match(stdout, /^# pass 8$/m, stdout.slice(-3000));
  assert.match(stdout, /^# fail 0$/m);
  assert.match(stdout, /kubectl creates, lists and deletes gadgets through the aggregator/);
});

test('the generated Dockerfile builds without Docker (build stage run here, final stage to the letter) and its image serves the API under runc as its USER', async () => {
  const runc = join(await resolveNodeBinaries(), 'runc');
  const image = await buildProjectImage(project, join(work, 'image'), join(work, 'image-src'), 'extapi.local/my-api:dev');
  assert.deepEqual([image.stage.config.Entrypoint, image.stage.config.User, image.stage.config.WorkingDir], [['node', 'dist/main.js'], '65532:65532', '/app']);
  const [port] = await freeLoopbackPorts(1);
  // the image's CMD expects a mounted serving Secret; standalone, the server mints its own under its data dir
  const container = runImage(runc, image.tarball, join(work, `image-run-${id}`),
    [`--secure-port=${port}`, '--dev-dir=/var/lib/extapi/dev'], join(work, 'container.log'));
  try {
    const kubeconfig = join(container.rootfs, 'var', 'lib', 'extapi', 'dev', 'kubeconfig');
    let last = '';
    await eventually(async () => {
      if (container.process.hasExited()) assert.fail(`the container exited:\n${container.process.logTail(30)}`);
      if (!existsSync(kubeconfig)) return false;
      const r = await run(kubectlBin, ['--kubeconfig', kubeconfig, 'get', 'widgets,gadgets'], project, 30_000).catch((e: Error) => ({ stdout: '', stderr: e.message }));
      last = r.stdout + r.stderr;
      return /No resources found/.test(last);
    }, 180_000, () => `${last}\n${container.process.logTail(20)}`);
    const manifest = join(work, 'widget.json');
    await writeFile(manifest, JSON.stringify({ apiVersion: `${group}/v1alpha1`, kind: 'Widget', metadata: { name: 'in-image', namespace: 'default' }, spec: { size: 4 } }));
    const created = await run(kubectlBin, ['--kubeconfig', kubeconfig, 'create', '-f', manifest, '-o', 'name'], project, 60_000);
    assert.equal(created.stdout.trim(), `widget.${group}/in-image`);
    // standalone, the server keeps its CA, certificates and data under --dev-dir
    const owner = await run('stat', ['-c', '%u:%g', join(container.rootfs, 'var', 'lib', 'extapi', 'dev', 'ca.key')], work);
    assert.equal(owner.stdout.trim(), '65532:65532', 'the server ran as the image USER and wrote its files there');
  } finally {
    await container.stop();
  }
});

test('the published declarations type-check in a consumer with skipLibCheck off and no allowImportingTsExtensions', async () => {
  await writeFile(join(project, 'tsconfig.strict.json'), JSON.stringify(STRICT_TSCONFIG));
  const tsc = join(project, 'node_modules', '.bin', 'tsc');
  const out = await run(tsc, ['-p', 'tsconfig.strict.json'], project).then((r) => r.stdout, (e: Error) => e.message);
  const diagnostics = out.split('\n').filter((l) => /error TS\d+/.test(l));
  // errors in extapi's own .d.ts or in the probe would show here; a third-party package's
  // missing @types (isomorphic-ws → ws, via @kubernetes/client-node) is not ours
  assert.deepEqual(diagnostics.filter((l) => !l.startsWith('node_modules/') || l.startsWith('node_modules/extapi/')), [], out);
});

test('npm start serves the project standalone; kubectl reads it with the dev kubeconfig', async () => {
  const [port] = await freeLoopbackPorts(1);
  const server = spawnManaged('npm-start', 'npm', ['start', '--', '--secure-port', String(port)], { logPath: join(work, 'start.log'), env: userEnv({ KUBECONFIG: '' }), cwd: project });
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
    '--secure-port', String(port), '--bind-address', '127.0.0.1', '--storage', 'memory'], { logPath: join(work, 'delegated.log'), env: userEnv(), cwd: project });
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
