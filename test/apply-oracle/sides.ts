/** The two sides of the apply oracle: the CRD on the real kube-apiserver, and extapi in process. */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { issueClientCertificate } from '../../src/certs/issue.ts';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { startApiTestServer, type ApiTestServer } from '../../src/testing/api-test-server.ts';
import { gadgetCrd, gadgetResource } from './schema.ts';
import { USER_AGENT, type Answer, type Side } from './runner.ts';

/** The namespace both sides write in. */
export const NAMESPACE = 'default';

interface Https {
  ca: string;
  cert: string;
  key: string;
  agent: Agent;
}

function httpsCall(base: string, tls: Https, method: string, path: string, body?: string, contentType?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT };
    if (body !== undefined) { headers['content-type'] = contentType ?? 'application/json'; headers['content-length'] = String(Buffer.byteLength(body)); }
    const req = request(base + path, { method, headers, ca: tls.ca, cert: tls.cert, key: tls.key, agent: tls.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try { parsed = JSON.parse(text); } catch { parsed = text; }
        const warning = res.headers.warning;
        resolve({ status: res.statusCode ?? 0, body: parsed, ...(warning ? { warning: Array.isArray(warning) ? warning.join(', ') : warning } : {}) });
      });
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Both sides for `group`, and how to remove what they created. */
export interface OracleSides {
  crd: Side;
  extapi: Side;
  close(): Promise<void>;
}

/** Registers the CRD of `group` on `cp`, waits until both versions serve, and starts extapi with the same resource. */
export async function startSides(cp: ControlPlane, group: string): Promise<OracleSides> {
  const caKey = await readFile(cp.state.caKeyPath, 'utf8');
  const client = await issueClientCertificate({ certPem: cp.caPem, keyPem: caKey }, { user: 'apply-oracle', groups: ['system:masters'] });
  const tls: Https = { ca: cp.caPem, cert: client.certPem, key: client.keyPem, agent: new Agent({ keepAlive: true, maxSockets: 8 }) };
  const crdBody = JSON.stringify(gadgetCrd(group));
  const created = await httpsCall(cp.url, tls, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crdBody);
  if (created.status !== 201) throw new Error(`creating the CRD: ${created.status} ${JSON.stringify(created.body)}`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const lists = await Promise.all(['v1', 'v2'].map((v) => httpsCall(cp.url, tls, 'GET', `/apis/${group}/${v}/namespaces/${NAMESPACE}/gadgets`)));
    if (lists.every((l) => l.status === 200)) break;
    if (Date.now() > deadline) throw new Error(`CRD ${group} not served: ${lists.map((l) => l.status).join(',')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const server: ApiTestServer = await startApiTestServer([gadgetResource(group)]);
  const path = (version: string, rest: string, query = '') => `/apis/${group}/${version}/namespaces/${NAMESPACE}/gadgets${rest}${query}`;
  const crd: Side = {
    name: 'kube-apiserver CRD',
    call: (method, version, rest, o = {}) => httpsCall(cp.url, tls, method, path(version, rest, o.query), o.body, o.contentType),
  };
  const extapi: Side = {
    name: 'extapi',
    async call(method, version, rest, o = {}) {
      const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: 'application/json' };
      if (o.contentType) headers['content-type'] = o.contentType;
      const res = await server.request(method, path(version, rest, o.query), { body: o.body, headers });
      const warning = res.headers.get('warning');
      return { status: res.status, body: res.body ?? res.text, ...(warning ? { warning } : {}) };
    },
  };
  return {
    crd, extapi,
    async close() {
      await server.close();
      await httpsCall(cp.url, tls, 'DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.${group}`);
      tls.agent.destroy();
    },
  };
}
