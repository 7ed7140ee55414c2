/**
 * A minimal HTTPS extension API "server" for e2e tests: serves one namespaced resource's
 * discovery and an empty list, and records every request — TLS server name, the client
 * certificate the aggregator presented and the X-Remote-* identity headers.
 */
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { createCertificateAuthority, issueServingCertificate, pemEncode } from '../../../src/certs/index.ts';

/** What the backend serves: one resource in one group/version. */
export interface TestBackendOptions {
  group: string;
  version: string;
  /** Plural resource name, e.g. `widgets`. */
  resource: string;
  /** Kind, e.g. `Widget`. */
  kind: string;
  /** DNS SAN of the serving cert: `<service>.<namespace>.svc`. */
  serviceDnsName: string;
}

/** One request as the backend saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  /** SNI server name the client sent. */
  servername: string | undefined;
  /** Client certificate presented in the handshake, PEM ('' when none). */
  clientCertPem: string;
  accept: string | undefined;
  remoteUser: string[];
  remoteGroup: string[];
  remoteUid: string[];
  /** X-Remote-Extra-* headers, lower-cased names. */
  remoteExtra: Record<string, string[]>;
}

/** A running test backend. */
export interface TestBackend {
  port: number;
  /** The backend's own CA (for the APIService caBundle). */
  caPem: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function record(req: IncomingMessage): RecordedRequest {
  const socket = req.socket as TLSSocket;
  const raw = socket.getPeerCertificate?.(false)?.raw;
  const h = req.headersDistinct;
  const remoteExtra: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(h)) if (k.startsWith('x-remote-extra-') && v) remoteExtra[k] = v;
  return {
    method: req.method ?? '', url: req.url ?? '',
    servername: (socket as TLSSocket & { servername?: string | false }).servername || undefined,
    clientCertPem: raw ? pemEncode('CERTIFICATE', raw) : '',
    accept: req.headers.accept,
    remoteUser: h['x-remote-user'] ?? [], remoteGroup: h['x-remote-group'] ?? [], remoteUid: h['x-remote-uid'] ?? [],
    remoteExtra,
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function handler(o: TestBackendOptions, requests: RecordedRequest[]) {
  const gv = `${o.group}/${o.version}`;
  const listPath = new RegExp(`^/apis/${gv.replace(/\./g, '\\.')}/(namespaces/[^/]+/)?${o.resource}$`);
  return (req: IncomingMessage, res: ServerResponse): void => {
    requests.push(record(req));
    const path = (req.url ?? '').split('?')[0];
    if (path === `/apis/${gv}`) {
      send(res, 200, {
        kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv,
        resources: [{ name: o.resource, singularName: o.kind.toLowerCase(), namespaced: true, kind: o.kind, verbs: ['get', 'list'] }],
      });
    } else if (path === '/apis') {
      send(res, 200, {
        kind: 'APIGroupList', apiVersion: 'v1',
        groups: [{ name: o.group, versions: [{ groupVersion: gv, version: o.version }], preferredVersion: { groupVersion: gv, version: o.version } }],
      });
    } else if (listPath.test(path)) {
      send(res, 200, { kind: `${o.kind}List`, apiVersion: gv, metadata: { resourceVersion: '1' }, items: [] });
    } else {
      send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${path} not found` });
    }
  };
}

/** Starts the backend on 127.0.0.1 (random port) with a fresh CA and serving cert. */
export async function startTestBackend(o: TestBackendOptions): Promise<TestBackend> {
  const ca = await createCertificateAuthority({ commonName: 'extapi-e2e-backend-ca' });
  const serving = await issueServingCertificate(ca, { dnsNames: [o.serviceDnsName], ipAddresses: ['127.0.0.1'] });
  const requests: RecordedRequest[] = [];
  const server = createServer({
    cert: serving.certPem, key: serving.keyPem, requestCert: true, rejectUnauthorized: false,
  }, handler(o, requests));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port, caPem: ca.certPem, requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
