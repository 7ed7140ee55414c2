import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createCertificateAuthority, issueServingCertificate, writeKubeconfig } from '../certs/index.ts';
import { WebhookBackend } from './webhook-backend.ts';
import type { AuditEvent } from './types.ts';

const event = (n: number): AuditEvent => ({
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: `id-${n}`, stage: 'ResponseComplete', requestURI: '/x',
  verb: 'get', user: { username: 'u' }, requestReceivedTimestamp: '2026-01-01T00:00:00.000000Z', stageTimestamp: '2026-01-01T00:00:00.000001Z',
});

/** A real HTTPS audit webhook: answers `plan()`'s status, records every EventList, sees the bearer token. */
describe('audit webhook backend (real HTTPS webhook, CA verified)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'extapi-audit-wh-'));
  let server: Server;
  let kubeconfig: string;
  let wrongCaKubeconfig: string;
  const received: { auth: string | undefined; body: { kind: string; apiVersion: string; items: AuditEvent[] } }[] = [];
  let plan: () => number | 'hang' = () => 200;

  before(async () => {
    const ca = await createCertificateAuthority({ commonName: 'audit-webhook-ca' });
    const other = await createCertificateAuthority({ commonName: 'someone-else' });
    const serving = await issueServingCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = plan();
        if (answer === 'hang') return;
        if (answer === 200) received.push({ auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/audit`;
    kubeconfig = join(dir, 'webhook.kubeconfig');
    await writeKubeconfig(kubeconfig, { server: url, caPem: ca.certPem, userName: 'extapi', credentials: { token: 'sekret' } });
    wrongCaKubeconfig = join(dir, 'wrong.kubeconfig');
    await writeKubeconfig(wrongCaKubeconfig, { server: url, caPem: other.certPem, userName: 'extapi', credentials: { token: 'sekret' } });
  });
  after(() => { server.closeAllConnections(); server.close(); rmSync(dir, { recursive: true, force: true }); });

  it('sends full batches at once and a partial batch after max wait, as EventList with the credential', async () => {
    received.length = 0;
    plan = () => 200;
    const backend = new WebhookBackend({ configFile: kubeconfig, maxBatchSize: 3, maxBatchWaitMs: 200 });
    backend.process([event(1), event(2), event(3), event(4)]);
    await waitFor(() => received.length === 2);
    assert.deepEqual(received.map((r) => r.body.items.map((e) => e.auditID)), [['id-1', 'id-2', 'id-3'], ['id-4']]);
    assert.equal(received[0].body.kind, 'EventList');
    assert.equal(received[0].body.apiVersion, 'audit.k8s.io/v1');
    assert.equal(received[0].auth, 'Bearer sekret');
    await backend.shutdown();
  });

  it('retries 5xx with backoff and delivers; a 4xx is not retried', async () => {
    received.length = 0;
    let calls = 0;
    plan = () => (++calls <= 2 ? 503 : 200);
    const backend = new WebhookBackend({ configFile: kubeconfig, maxBatchSize: 1, initialBackoffMs: 20 }, () => undefined);
    backend.process([event(7)]);
    await waitFor(() => received.length === 1);
    assert.equal(calls, 3);
    calls = 0;
    const reports: string[] = [];
    plan = () => { calls++; return 400; };
    const refused = new WebhookBackend({ configFile: kubeconfig, maxBatchSize: 1, initialBackoffMs: 20 }, (m) => reports.push(m));
    refused.process([event(8)]);
    await waitFor(() => reports.length === 1);
    assert.equal(calls, 1);
    assert.match(reports[0], /^audit webhook: dropped 1 events after 1 attempt\(s\)/);
    assert.equal(refused.dropped, 1);
    await Promise.all([backend.shutdown(), refused.shutdown()]);
  });

  it('never blocks: with the webhook hanging, a full buffer drops new events at once', async () => {
    plan = () => 'hang';
    const backend = new WebhookBackend({ configFile: kubeconfig, bufferSize: 5, maxBatchSize: 2, timeoutMs: 300, initialBackoffMs: 10 }, () => undefined);
    for (let i = 0; i < 50; i++) assert.equal(backend.process([event(i)]), undefined, 'process() returns synchronously, never a promise');
    assert.ok(backend.dropped >= 43, `dropped ${backend.dropped}`);
    plan = () => 200;
    await backend.shutdown();
  });

  it('verifies the webhook certificate against the kubeconfig CA (a wrong CA delivers nothing)', async () => {
    received.length = 0;
    plan = () => 200;
    const reports: string[] = [];
    const backend = new WebhookBackend({ configFile: wrongCaKubeconfig, maxBatchSize: 1, initialBackoffMs: 5 }, (m) => reports.push(m));
    backend.process([event(9)]);
    await backend.shutdown();
    assert.equal(received.length, 0);
    assert.match(reports[0], /dropped 1 events after 5 attempt\(s\): .*(self.signed|unable to verify|certificate)/i);
  });
});

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
