import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { directCall } from '../../test/e2e/support/https-client.ts';
import { issueClientCertificate } from '../certs/index.ts';
import { widgets } from '../testing/fixtures.ts';
import { runStandalone } from './standalone.ts';

const W = '/apis/test.extapi.dev/v1/namespaces/default/widgets';

describe('standalone mode over real TLS connections', () => {
  it('refuses the serving certificate and the CA as client identities, accepts clientAuth certificates (issue 18, item 4, standalone mode)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'extapi-standalone-'));
    const { server, url } = await runStandalone({ resources: [widgets], dir, port: 0, storage: { kind: 'memory' } });
    try {
      const pair = async (name: string) => ({ cert: await readFile(join(dir, `${name}.crt`), 'utf8'), key: await readFile(join(dir, `${name}.key`), 'utf8') });
      const [ca, serving, client] = [await pair('ca'), await pair('serving'), await pair('client')];
      const call = (creds: { cert?: string; key?: string }) => directCall(url + W, { ca: ca.cert, ...creds });

      const asServing = await call(serving);
      assert.equal(asServing.status, 401, 'the serving certificate (serverAuth only, signed by the client CA) is no client identity');
      assert.equal(asServing.body.reason, 'Unauthorized');
      assert.equal((await call(ca)).status, 401, 'the CA itself is no client identity');
      assert.equal((await call({})).status, 401, 'no certificate');
      assert.equal((await call(client)).status, 200, 'the development client certificate (clientAuth)');
      const noUsage = await issueClientCertificate({ certPem: ca.cert, keyPem: ca.key }, { user: 'someone', groups: ['system:masters'] });
      assert.equal((await call({ cert: noUsage.certPem, key: noUsage.keyPem })).status, 200, 'another certificate the CA issued for client authentication');
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
