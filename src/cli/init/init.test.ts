/** `extapi init` and `extapi add resource` through runCli, in a temporary directory (the generated project's own tests run in test/e2e/package.e2e.test.ts). */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../cli.ts';
import type { CliIo } from '../output.ts';
import { pluralOf } from './names.ts';

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'extapi-init-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

function io(cwd: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => { out += s; return true; } }, stderr: { write: (s: string) => { err += s; return true; } },
    env: { NO_COLOR: '1' }, cwd, out: () => out, err: () => err,
  };
}

test('init writes a project whose package.json depends on this extapi and pins its dev tools', async () => {
  const a = io(dir);
  assert.equal(await runCli(['init', 'my-api', '--group', 'example.acme.io'], a), 0, a.err());
  const project = join(dir, 'my-api');
  assert.deepEqual((await readdir(project, { recursive: true })).filter((f) => f !== 'src' && f !== 'test').sort(),
    ['.dockerignore', '.gitignore', 'Dockerfile', 'README.md', 'package.json', 'src/main.ts', 'src/resources.ts', 'test/e2e.test.ts', 'test/resources.test.ts', 'tsconfig.json']);
  const own = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8'));
  const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
  assert.equal(pkg.dependencies.extapi, `^${own.version}`);
  assert.equal(pkg.dependencies.typebox, own.dependencies.typebox);
  assert.equal(pkg.devDependencies.tsx, own.devDependencies.tsx);
  assert.deepEqual(pkg.allowScripts, own.allowScripts);
  assert.equal(pkg.allowScripts['better-sqlite3'], true);
  const resources = await readFile(join(project, 'src/resources.ts'), 'utf8');
  assert.match(resources, /export const GROUP = 'example\.acme\.io';/);
  assert.match(resources, /kind: 'Widget', plural: 'widgets', namespaced: true/);
  assert.match(resources, /^export const resources = \[widgets\];$/m);
});

test('add resource appends a block and lists it; a second time it refuses', async () => {
  const project = join(dir, 'my-api');
  const a = io(project);
  assert.equal(await runCli(['add', 'resource', 'Policy', '--version', 'v1beta1', '--cluster-scoped'], a), 0, a.err());
  assert.equal(a.out(), 'added Policy (policies, v1beta1, cluster-scoped) to src/resources.ts\n');
  const resources = await readFile(join(project, 'src/resources.ts'), 'utf8');
  assert.match(resources, /kind: 'Policy', plural: 'policies', namespaced: false/);
  assert.match(resources, /name: 'v1beta1', storage: true/);
  assert.match(resources, /\/\*\* Every resource of the server.*\*\/\nexport const resources = \[widgets, policies\];\n$/);
  const again = io(project);
  assert.equal(await runCli(['add', 'resource', 'Policy'], again), 2);
  assert.equal(again.err(), 'error: src/resources.ts already has a resource policies; choose another kind\n');
});

test('bad input is one sentence and exit 2, and nothing is written', async () => {
  const cases: Array<[string[], string, RegExp]> = [
    [['init', 'My_Api', '--group', 'example.acme.io'], dir, /project name "My_Api" must be lower-case/],
    [['init', 'ok-api', '--group', 'nodots'], dir, /--group "nodots" must be a lower-case DNS name with a dot/],
    [['init', 'ok-api'], dir, /API group is required: add --group/],
    [['init', 'my-api', '--group', 'example.acme.io'], dir, /my-api already exists and is not empty/],
    [['add', 'resource', 'gadget'], join(dir, 'my-api'), /kind "gadget" must be UpperCamelCase/],
    [['add', 'resource', 'Gadget', '--version', '1'], join(dir, 'my-api'), /--version "1" must look like v1/],
    [['add', 'resource', 'Gadget'], dir, /src\/resources\.ts not found; run `extapi add resource` in a project made by `extapi init`/],
  ];
  for (const [argv, cwd, message] of cases) {
    const a = io(cwd);
    assert.equal(await runCli(argv, a), 2, argv.join(' '));
    assert.match(a.err(), message);
    assert.equal(a.err().trim().split('\n').length, 1, a.err());
  }
  assert.deepEqual((await readdir(dir)).sort(), ['my-api']);
});

test('add resource refuses a resources.ts without the resources line', async () => {
  const project = await mkdtemp(join(dir, 'hand-'));
  await writeFile(join(project, 'package.json'), '{}');
  await mkdir(join(project, 'src'));
  await writeFile(join(project, 'src/resources.ts'), 'export default [];\n');
  const a = io(project);
  assert.equal(await runCli(['add', 'resource', 'Gadget'], a), 2);
  assert.match(a.err(), /has no `export const resources = \[\.\.\.\];` line; add the resource by hand/);
});

test('plurals follow kubebuilder', () => {
  assert.deepEqual(['Widget', 'Policy', 'Box', 'Gateway', 'Mesh'].map(pluralOf), ['widgets', 'policies', 'boxes', 'gateways', 'meshes']);
});
