import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadKubeClient } from './client.ts';

const KUBECONFIG = (skip: boolean) => `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", ${skip ? 'insecure-skip-tls-verify: true' : 'certificate-authority-data: ""'}}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: ctx, context: {cluster: c, user: u}}]
current-context: ctx
`;

describe('loadKubeClient', () => {
  it('says what to do when nothing is configured, a file is missing or a context is unknown', async () => {
    const home = await mkdtemp(join(tmpdir(), 'extapi-home-'));
    const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
    try {
      process.env.HOME = home;
      delete process.env.KUBECONFIG;
      delete process.env.KUBERNETES_SERVICE_HOST;
      assert.throws(() => loadKubeClient(), /no Kubernetes cluster is configured; set KUBECONFIG or pass --kubeconfig/);
      assert.throws(() => loadKubeClient({ kubeconfig: join(home, 'nope') }), /does not exist; pass --kubeconfig with a valid file/);
      const file = join(home, 'config');
      await writeFile(file, KUBECONFIG(false));
      assert.equal(loadKubeClient({ kubeconfig: file }).server, 'https://127.0.0.1:1');
      assert.throws(() => loadKubeClient({ kubeconfig: file, context: 'other' }), /has no context "other"; pick one of: ctx/);
      await writeFile(file, KUBECONFIG(true));
      assert.throws(() => loadKubeClient({ kubeconfig: file }), /sets insecure-skip-tls-verify; extapi verifies certificates/);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
      await rm(home, { recursive: true, force: true });
    }
  });
});
