import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ActionableError } from './errors.ts';
import { compareKubeVersions } from '../resource/versions.ts';
import { defineResource } from '../resource/define-resource.ts';
import { loadServerResources, objectNames, planGroups, resolveTarget } from './target.ts';

test('versions sort as Kubernetes prefers them: GA, beta, alpha, higher first, others last', () => {
  const sorted = ['v1alpha1', 'foo', 'v1beta1', 'v2', 'v1', 'v2beta1', 'v1beta2', 'v10alpha1', 'bar'].sort(compareKubeVersions);
  assert.deepEqual(sorted, ['v2', 'v1', 'v2beta1', 'v1beta2', 'v1beta1', 'v10alpha1', 'v1alpha1', 'bar', 'foo']);
});

test('the default target is the wardle example, v1beta1 preferred', async () => {
  const t = await resolveTarget({ namespace: 'wardle', service: 'api', serviceAccount: 'apiserver' }, process.cwd());
  assert.deepEqual(t.groups.map((g) => [g.group, g.versions]), [['wardle.example.com', ['v1beta1', 'v1alpha1']]]);
  assert.deepEqual(t.resources.map((r) => r.plural), ['flunders', 'fischers']);
  const n = objectNames(t);
  assert.deepEqual(n.apiServices, ['v1beta1.wardle.example.com', 'v1alpha1.wardle.example.com']);
  assert.equal(n.serviceDnsName, 'api.wardle.svc');
  assert.equal(n.serviceAccountUser, 'system:serviceaccount:wardle:apiserver');
});

test('--group keeps one group; an unknown group names the served ones', async () => {
  await assert.rejects(resolveTarget({ namespace: 'w', service: 'a', serviceAccount: 's', group: 'nope.io' }, process.cwd()),
    (e: unknown) => e instanceof ActionableError && e.exitCode === 2 && /serves wardle\.example\.com/.test(e.message));
});

test('--server-module: `resources` or a default export; anything else is a usage error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'extapi-cli-module-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const defineResource = resolve('src/resource/define-resource.ts');
  const body = `import { defineResource } from ${JSON.stringify(defineResource)};
const r = defineResource({ group: 'toys.example.com', kind: 'Toy', plural: 'toys', namespaced: true, versions: [{ name: 'v1', storage: true, schema: {} }] });`;
  await writeFile(join(dir, 'named.ts'), `${body}\nexport const resources = [r];\n`);
  await writeFile(join(dir, 'default.ts'), `${body}\nexport default [r];\n`);
  await writeFile(join(dir, 'wrong.ts'), 'export const resources = [{ nope: true }];\n');
  assert.deepEqual((await loadServerResources('named.ts', dir)).map((r) => r.plural), ['toys']);
  assert.deepEqual((await loadServerResources(join(dir, 'default.ts'), '/')).map((r) => r.group), ['toys.example.com']);
  await assert.rejects(loadServerResources('wrong.ts', dir), /must export `resources`/);
  await assert.rejects(loadServerResources('missing.ts', dir), /does not exist/);
});

test('an unserved version gets no APIService (nor a place in the group plan)', () => {
  const schema = { type: 'object' };
  const toys = defineResource({
    group: 'toys.example.com', kind: 'Toy', plural: 'toys', namespaced: true,
    versions: [{ name: 'v1', storage: true, schema }, { name: 'v1alpha1', served: false, schema, toStorage: (o) => o, fromStorage: (o) => o }],
  });
  const groups = planGroups([toys]);
  assert.deepEqual(groups.map((g) => [g.group, g.versions]), [['toys.example.com', ['v1']]]);
  assert.deepEqual(objectNames({ namespace: 'toys', service: 'api', serviceAccount: 'sa', groups }).apiServices, ['v1.toys.example.com']);
});
