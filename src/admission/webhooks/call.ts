import { request as httpsRequest } from 'node:https';
import { checkServerIdentity, rootCertificates } from 'node:tls';
import type { KubeClient } from '../../kube/client.ts';
import type { AdmissionRequest, AdmissionResponse, WebhookClientConfig } from './types.ts';

/** A failed call (transport, TLS, timeout, HTTP status, unreadable answer), worded as Go's client words it. */
export class WebhookCallError extends Error {}

/** Where a webhook is reached: the URL to post to, the host to connect to, the name its certificate must carry. */
interface Endpoint {
  url: URL;
  connectHost: string;
  serverName: string;
}

/**
 * Resolves a client config: a `url` as is; a `service` to `https://<name>.<namespace>.svc:<port><path>`,
 * connecting to the Service's ExternalName or cluster IP (read from the cluster) while verifying
 * the certificate for `<name>.<namespace>.svc`, as kube-apiserver's service resolver does.
 */
export async function resolveEndpoint(config: WebhookClientConfig, client: KubeClient | undefined): Promise<Endpoint> {
  if (config.url) {
    const url = new URL(config.url);
    return { url, connectHost: url.hostname.replace(/^\[|\]$/g, ''), serverName: url.hostname };
  }
  const svc = config.service!;
  const serverName = `${svc.name}.${svc.namespace}.svc`;
  const url = new URL(`https://${serverName}:${svc.port ?? 443}${svc.path ?? ''}`);
  const service = await client?.getOrNull<{ spec?: { type?: string; externalName?: string; clusterIP?: string } }>(
    `/api/v1/namespaces/${encodeURIComponent(svc.namespace)}/services/${encodeURIComponent(svc.name)}`).catch(() => null);
  if (!service) throw new WebhookCallError(`service "${svc.name}" not found`);
  const host = service.spec?.type === 'ExternalName' ? service.spec.externalName : service.spec?.clusterIP;
  if (!host || host === 'None') throw new WebhookCallError(`service "${svc.namespace}/${svc.name}" has no cluster IP or external name`);
  return { url, connectHost: host, serverName };
}

/**
 * POSTs an admission.k8s.io/v1 AdmissionReview and returns its response, verified: TLS against
 * the caBundle (system roots without one), `?timeout=<n>s` appended as kube-apiserver does, the
 * whole exchange bounded by `timeoutMs`, the answer's uid must be the request's.
 */
export async function callWebhook(config: WebhookClientConfig, request: AdmissionRequest, timeoutMs: number, client?: KubeClient): Promise<AdmissionResponse> {
  const endpoint = await resolveEndpoint(config, client);
  const url = new URL(endpoint.url);
  url.searchParams.set('timeout', `${Math.round(timeoutMs / 1000)}s`);
  const shown = `Post "${url.toString()}"`;
  const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request });
  const ca = config.caBundle ? Buffer.from(config.caBundle, 'base64').toString('utf8') : [...rootCertificates].join('\n');
  const { code, text } = await post(url, endpoint, ca, body, timeoutMs, shown);
  if (code < 200 || code > 299) throw new WebhookCallError(`failed to call webhook: the server responded with the status code ${code}`);
  let review: { response?: AdmissionResponse; kind?: string };
  try { review = JSON.parse(text); } catch { throw new WebhookCallError('received invalid webhook response: unexpected end of JSON input'); }
  if (!review.response) throw new WebhookCallError('received invalid webhook response: webhook response was absent');
  if (review.response.uid !== request.uid) {
    throw new WebhookCallError(`received invalid webhook response: expected response.uid="${request.uid}", got "${review.response.uid ?? ''}"`);
  }
  return review.response;
}

function post(url: URL, endpoint: Endpoint, ca: string, body: string, timeoutMs: number, shown: string): Promise<{ code: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: endpoint.connectHost, port: url.port || 443, path: url.pathname + url.search, method: 'POST',
      servername: isIp(endpoint.serverName) ? undefined : endpoint.serverName, ca, rejectUnauthorized: true,
      checkServerIdentity: (_host, cert) => checkServerIdentity(endpoint.serverName, cert),
      headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body), host: url.host },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { clearTimeout(timer); resolve({ code: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }); });
      res.on('error', (err) => fail(err));
    });
    const fail = (err: Error) => { clearTimeout(timer); req.destroy(); reject(new WebhookCallError(`failed to call webhook: ${shown}: ${goError(err, url)}`)); };
    const timer = setTimeout(() => fail(new Error('context deadline exceeded')), timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** A Node network error in the words Go's net/http uses (what kube-apiserver's messages show). */
function goError(err: Error & { code?: string }, url: URL): string {
  const hostPort = `${url.hostname}:${url.port || 443}`;
  switch (err.code) {
    case 'ECONNREFUSED': return `dial tcp ${hostPort}: connect: connection refused`;
    case 'ENOTFOUND': return `dial tcp: lookup ${url.hostname}: no such host`;
    case 'ECONNRESET': return 'EOF';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT': case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE': case 'SELF_SIGNED_CERT_IN_CHAIN': case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return `tls: failed to verify certificate: x509: certificate is valid for other names, not ${url.hostname}`;
    case 'CERT_HAS_EXPIRED': return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    default: return err.message;
  }
}
