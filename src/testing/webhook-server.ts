/**
 * A real HTTPS admission webhook for tests: records every AdmissionReview each caller sent (by
 * path), and answers with what the test's handler returns for that path (allow by default;
 * 'hang' never answers; 'close' drops the connection).
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueServingCertificate, type CertificateAndKey } from '../certs/index.ts';
import type { AdmissionRequest, AdmissionResponse } from '../admission/webhooks/types.ts';

/** What a handler answers: a response (uid is filled in), or a misbehaviour. */
export type WebhookAnswer = Omit<AdmissionResponse, 'uid'> | 'hang' | 'close';

/** One received review. */
export interface ReceivedReview {
  path: string;
  query: string;
  request: AdmissionRequest;
}

/** A running test webhook. */
export interface TestWebhookServer {
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  ca: CertificateAndKey;
  /** base64 of the CA PEM, for a webhook's clientConfig.caBundle. */
  caBundle: string;
  received: ReceivedReview[];
  /** Sets the answer for a path (e.g. '/deny'). */
  on(path: string, answer: (req: AdmissionRequest) => WebhookAnswer): void;
  close(): Promise<void>;
}

/** Starts the webhook on 127.0.0.1 with a certificate for `dnsNames` + 127.0.0.1 + localhost. */
export async function startTestWebhookServer(dnsNames: string[] = []): Promise<TestWebhookServer> {
  const ca = await createCertificateAuthority({ commonName: 'test-webhook-ca' });
  const serving = await issueServingCertificate(ca, { dnsNames: ['localhost', ...dnsNames], ipAddresses: ['127.0.0.1'] });
  const handlers = new Map<string, (req: AdmissionRequest) => WebhookAnswer>();
  const received: ReceivedReview[] = [];
  const server: Server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://x');
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: AdmissionRequest };
      received.push({ path: url.pathname, query: url.search, request: review.request });
      const answer = (handlers.get(url.pathname) ?? (() => ({ allowed: true })))(review.request);
      if (answer === 'hang') return;
      if (answer === 'close') { req.socket.destroy(); return; }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, ...answer } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`, port, ca, caBundle: Buffer.from(ca.certPem).toString('base64'), received,
    on: (path, answer) => { handlers.set(path, answer); },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A base64 JSONPatch for an AdmissionResponse. */
export function jsonPatch(ops: unknown[]): Pick<AdmissionResponse, 'patch' | 'patchType'> {
  return { patch: Buffer.from(JSON.stringify(ops)).toString('base64'), patchType: 'JSONPatch' };
}
