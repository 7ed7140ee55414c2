import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:https';
import { describe, it } from 'node:test';
import { createCertificateAuthority, issueServingCertificate } from '../certs/index.ts';
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
      assert.throws(() => loadKubeClient({ kubeconfig: join(home, 'nope') }), /the kubeconfig .*nope does not exist; pass --kubeconfig with the path of an existing file/);
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

describe('KubeClient requests', () => {
  it('sends each body with its Content-Length, so that requests on a kept-alive connection stay framed (DELETE with DeleteOptions)', async () => {
    const ca = await createCertificateAuthority();
    const serving = await issueServingCertificate(ca, { ipAddresses: ['127.0.0.1'] });
    const seen: Array<{ method: string; url: string; length?: string; body: string; socket: unknown }> = [];
    const server = createServer({ cert: serving.certPem, key: serving.keyPem, keepAlive: true }, (req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, length: req.headers['content-length'], body, socket: req.socket });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const home = await mkdtemp(join(tmpdir(), 'extapi-client-'));
    try {
      const file = join(home, 'config');
      const port = (server.address() as { port: number }).port;
      await writeFile(file, `clusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: "${Buffer.from(ca.certPem).toString('base64')}"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
      const client = loadKubeClient({ kubeconfig: file });
      const options = { body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' } };
      for (const name of ['a', 'b', 'c']) await client.request('DELETE', `/api/v1/namespaces/${name}`, options);
      assert.deepEqual(seen.map((r) => [r.method, r.url, r.length, r.body]), ['a', 'b', 'c'].map((n) => ['DELETE', `/api/v1/namespaces/${n}`, String(JSON.stringify(options.body).length), JSON.stringify(options.body)]));
      assert.equal(new Set(seen.map((r) => r.socket)).size, 1, 'one kept-alive connection');
    } finally {
      server.closeAllConnections();
      server.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
