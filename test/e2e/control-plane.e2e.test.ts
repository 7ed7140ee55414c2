/**
 * The test control plane itself: identities minted from the cluster CA, RBAC enforced, the
 * bootstrap objects extension servers depend on, and a fast, explained startup failure.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import { startControlPlane } from '../../src/testing/control-plane.ts';
import type { ControlPlane } from '../../src/testing/control-plane.ts';

let cp: ControlPlane;

before(async () => { cp = await getSharedControlPlane(); });
after(async () => { await cp?.stop(); });

test('the admin kubeconfig is system:masters and the built kubectl matches the server', async () => {
  const who = await cp.kubectl(['auth', 'whoami', '-o', 'json']);
  assert.equal(who.code, 0, who.stderr);
  const info = JSON.parse(who.stdout).status.userInfo;
  assert.equal(info.username, 'extapi-admin');
  assert.ok(info.groups.includes('system:masters'));
  const v = JSON.parse((await cp.kubectl(['version', '-o', 'json'])).stdout);
  assert.equal(v.clientVersion.gitVersion, v.serverVersion.gitVersion);
  // `npm run test:matrix` sets the version: prove the run is on it
  if (process.env.EXTAPI_K8S_VERSION) assert.equal(v.serverVersion.gitVersion, `v${process.env.EXTAPI_K8S_VERSION}`);
});

test('mintKubeconfig issues CN=user/O=groups identities, and RBAC is enforced', async () => {
  const kubeconfig = await cp.mintKubeconfig('alice', ['devs']);
  const who = await cp.kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig });
  assert.equal(who.code, 0, who.stderr);
  const info = JSON.parse(who.stdout).status.userInfo;
  assert.equal(info.username, 'alice');
  assert.deepEqual(info.groups, ['devs', 'system:authenticated']);
  const denied = await cp.kubectl(['get', 'namespaces'], { kubeconfig });
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /Forbidden.*"alice" cannot list resource "namespaces"/);
});

test('kube-apiserver bootstraps what extension servers rely on', async () => {
  for (const args of [
    ['get', 'clusterrole', 'system:auth-delegator'],
    ['-n', 'kube-system', 'get', 'role', 'extension-apiserver-authentication-reader'],
    ['-n', 'default', 'get', 'service', 'kubernetes'],
    ['get', 'apiservice', 'v1.apps'],
  ]) {
    const r = await cp.kubectl(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
});

test('a kube-apiserver that cannot start fails fast with its log tail, and cleans up', async () => {
  const t0 = Date.now();
  let dir = '';
  await assert.rejects(
    startControlPlane({ binDir: cp.binDir, extraApiServerArgs: ['--no-such-flag=1'], log: (m) => { dir = /dir (\S+)\)/.exec(m)?.[1] ?? dir; } }),
    (err: Error) => /kube-apiserver exited/.test(err.message) && /unknown flag: --no-such-flag/.test(err.message),
  );
  assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms`);
  if (dir) assert.equal(existsSync(dir), false);
});
