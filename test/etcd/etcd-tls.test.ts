import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/apimachinery/types.ts';
import { createCertificateAuthority } from '../../src/certs/index.ts';
import { describeEvent, openWatch, take } from '../../src/storage/conformance-helpers.ts';
import { createEtcdStorage } from '../../src/storage/etcd/etcd-storage.ts';
import type { EtcdStorageOptions } from '../../src/storage/etcd/etcd-storage.ts';
import { isStorageError } from '../../src/storage/interface.ts';
import { startEtcd } from './etcd-process.ts';
import type { EtcdCluster } from './etcd-process.ts';

/** The etcd backend against an etcd that requires TLS with client certificates. */

let etcd: EtcdCluster | undefined;

before(async () => {
  etcd = await startEtcd(1, { tls: true });
});

after(async () => {
  await etcd?.destroy();
});

const item: KubeObject = { apiVersion: 'v1', kind: 'Item', metadata: { name: 'a', namespace: 'ns', uid: 'uid-a' } };

function open(tls: EtcdStorageOptions['tls']) {
  if (!etcd) throw new Error('etcd did not start');
  return createEtcdStorage({ endpoints: etcd.endpoints, tls, prefix: '/tls', compactionIntervalMs: 0, dialTimeoutMs: 500, healthCheckTimeoutMs: 1000 });
}

describe('etcd over TLS', () => {
  it('works with the CA and a client certificate', async () => {
    assert.match(etcd!.endpoints[0], /^https:\/\/127\.0\.0\.1:/);
    const s = open(etcd!.clientTls);
    try {
      await s.healthCheck();
      const from = await s.currentRevision();
      const w = openWatch(s, '/g/things/', from);
      const created = await s.create('/g/things/ns/a', item);
      assert.deepEqual((await take(w.it, 1)).map(describeEvent), [`ADDED a ${created.metadata.resourceVersion}`]);
      w.ctl.abort();
      assert.deepEqual(await s.get('/g/things/ns/a'), created);
    } finally {
      await s.close();
    }
  });

  it('is unhealthy without a client certificate or with a CA that did not sign the server', async () => {
    const other = await createCertificateAuthority({ commonName: 'someone-else' });
    for (const tls of [{ caPem: etcd!.clientTls!.caPem }, { ...etcd!.clientTls!, caPem: other.certPem }]) {
      const s = open(tls);
      try {
        const err = await s.healthCheck().catch((e: unknown) => e);
        assert.ok(isStorageError(err, 'Unavailable') || isStorageError(err, 'Internal'), String(err));
      } finally {
        await s.close();
      }
    }
  });
});
