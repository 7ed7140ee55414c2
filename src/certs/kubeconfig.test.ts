import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildKubeconfig, writeKubeconfig } from './kubeconfig.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('buildKubeconfig inlines CA, client cert and key', () => {
  const cfg = parse(buildKubeconfig({
    server: 'https://127.0.0.1:1234', caPem: 'CA', credentials: { clientCertPem: 'CERT', clientKeyPem: 'KEY' },
    clusterName: 'c', userName: 'u', namespace: 'ns',
  }));
  assert.equal(cfg.kind, 'Config');
  assert.equal(cfg['current-context'], 'c');
  assert.deepEqual(cfg.clusters, [{ name: 'c', cluster: { server: 'https://127.0.0.1:1234', 'certificate-authority-data': b64('CA') } }]);
  assert.deepEqual(cfg.users, [{ name: 'u', user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') } }]);
  assert.deepEqual(cfg.contexts, [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'ns' } }]);
});

test('writeKubeconfig writes a token kubeconfig with mode 0600', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'extapi-kc-'));
  try {
    const path = join(dir, 'sub', 'kubeconfig');
    await writeKubeconfig(path, { server: 'https://localhost:1', caPem: 'CA', credentials: { token: 'abc' }, tlsServerName: 'kubernetes' });
    const cfg = parse(await readFile(path, 'utf8'));
    assert.deepEqual(cfg.users[0].user, { token: 'abc' });
    assert.equal(cfg.clusters[0].cluster['tls-server-name'], 'kubernetes');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
