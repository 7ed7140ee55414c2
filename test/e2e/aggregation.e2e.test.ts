/**
 * First end-to-end proof of the aggregation route, against a real kube-apiserver + etcd:
 * kubectl → kube-apiserver → aggregator proxy → ExternalName Service `localhost` → our HTTPS
 * backend on 127.0.0.1, with TLS verified against the APIService caBundle and the front-proxy
 * identity headers checked at the backend.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readCertificate, verifyCertificateChain } from '../../src/certs/index.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import type { ControlPlane } from '../../src/testing/control-plane.ts';
import { startTestBackend } from './support/test-backend.ts';
import type { RecordedRequest, TestBackend } from './support/test-backend.ts';

const id = randomBytes(3).toString('hex');
const ns = `extapi-e2e-${id}`;
const svc = 'ext-api';
const group = `agg-${id}.e2e.extapi.dev`;
const version = 'v1alpha1';
const apiServiceName = `${version}.${group}`;
const resource = 'widgets';

let cp: ControlPlane;
let backend: TestBackend;
let authConfig: Record<string, string>;
/**
 * Whether the aggregator's availability probe verifies the backend's certificate. Before 1.36,
 * kube-aggregator's remote_available_controller.go probes with `Insecure: true` and no ServerName
 * (Go then sends the dialed host, here the ExternalName `localhost`); from 1.36 it builds the
 * transport from the APIService: caBundle, ServerName `<service>.<namespace>.svc`. The proxy
 * path (handler_proxy.go) verifies in every version.
 */
let probeVerifiesTls: boolean;

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await cp.kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  const t0 = performance.now();
  cp = await getSharedControlPlane();
  process.stderr.write(`[e2e] control plane ${cp.url} (start ${cp.state.startMs} ms, attach ${Math.round(performance.now() - t0)} ms)\n`);
  backend = await startTestBackend({ group, version, resource, kind: 'Widget', serviceDnsName: `${svc}.${ns}.svc` });
  const server = JSON.parse(await kubectl(['version', '-o', 'json'])).serverVersion;
  probeVerifiesTls = Number(server.major) > 1 || Number.parseInt(server.minor, 10) >= 36;
  process.stderr.write(`[e2e] kube-apiserver ${server.gitVersion}: availability probe verifies TLS: ${probeVerifiesTls}\n`);
});

after(async () => {
  if (cp) {
    // No kube-controller-manager: a deleted namespace stays Terminating forever, so the
    // namespace (unique per run) is deleted without waiting; the rest is deleted for real.
    await cp.kubectl(['delete', 'apiservice', apiServiceName, '--ignore-not-found']);
    await cp.kubectl(['-n', ns, 'delete', 'service', svc, '--ignore-not-found']);
    await cp.kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  }
  await backend?.close();
  await cp?.stop();
});

test('kube-system/extension-apiserver-authentication publishes the client and front-proxy trust', async () => {
  const cm = JSON.parse(await kubectl(['-n', 'kube-system', 'get', 'configmap', 'extension-apiserver-authentication', '-o', 'json']));
  authConfig = cm.data;
  for (const key of ['client-ca-file', 'requestheader-client-ca-file', 'requestheader-allowed-names',
    'requestheader-username-headers', 'requestheader-group-headers', 'requestheader-extra-headers-prefix']) {
    assert.ok(authConfig[key], `ConfigMap lacks ${key}`);
  }
  assert.equal(authConfig['client-ca-file'].trim(), cp.caPem.trim());
  assert.equal(authConfig['requestheader-client-ca-file'].trim(), cp.frontProxyCaPem.trim());
  assert.deepEqual(JSON.parse(authConfig['requestheader-allowed-names']), cp.requestHeaderAllowedNames);
  assert.deepEqual(JSON.parse(authConfig['requestheader-username-headers']), ['X-Remote-User']);
  assert.deepEqual(JSON.parse(authConfig['requestheader-group-headers']), ['X-Remote-Group']);
  assert.deepEqual(JSON.parse(authConfig['requestheader-extra-headers-prefix']), ['X-Remote-Extra-']);
});

test('an APIService with caBundle behind an ExternalName Service becomes Available', async (t) => {
  const manifests = {
    apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: svc, namespace: ns }, spec: { type: 'ExternalName', externalName: 'localhost' } },
      {
        apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: apiServiceName },
        spec: {
          group, version, groupPriorityMinimum: 1000, versionPriority: 15,
          service: { namespace: ns, name: svc, port: backend.port },
          caBundle: Buffer.from(backend.caPem).toString('base64'),
        },
      },
    ],
  };
  await kubectl(['apply', '-f', '-'], JSON.stringify(manifests));
  const t0 = performance.now();
  await waitForAvailable(60_000);
  t.diagnostic(`Available after ${Math.round(performance.now() - t0)} ms`);
});

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** Polls the APIService's Available condition until `done` accepts it, printing each change. */
async function waitForCondition(name: string, done: (c: Condition) => boolean, timeoutMs: number): Promise<Condition> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const r = await cp.kubectl(['get', 'apiservice', name, '-o', 'json']);
    const cond: Condition | undefined = r.code === 0
      ? (JSON.parse(r.stdout).status?.conditions ?? []).find((c: Condition) => c.type === 'Available')
      : undefined;
    const line = cond ? `${cond.status} ${cond.reason}: ${cond.message ?? ''}` : `no condition yet ${r.stderr.trim()}`;
    if (line !== last) process.stderr.write(`[e2e] APIService ${name} Available=${line}\n`);
    last = line;
    if (cond && done(cond)) return cond;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`APIService ${name}: condition not reached within ${timeoutMs} ms; last: ${last}`);
}

function waitForAvailable(timeoutMs: number): Promise<Condition> {
  return waitForCondition(apiServiceName, (c) => c.status === 'True', timeoutMs);
}

test('kubectl get through the aggregator answers "No resources found"', async () => {
  const r = await cp.kubectl(['get', resource]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim(), 'No resources found in default namespace.');
});

/** Whether `req` is the availability controller's discovery probe (of any version of the group). */
function isProbe(req: RecordedRequest): boolean {
  return /^\/apis\/[^/]+\/[^/]+$/.test(req.url) && req.url.startsWith(`/apis/${group}/`) && req.remoteUser[0] === 'system:kube-aggregator';
}

function assertFrontProxyClient(req: RecordedRequest): void {
  // the aggregator's own discovery GETs go through its proxy (service name); before 1.36 its
  // availability probe, same path and user, sends the dialed host instead
  const servernames = isProbe(req) && !probeVerifiesTls ? [`${svc}.${ns}.svc`, 'localhost'] : [`${svc}.${ns}.svc`];
  assert.ok(servernames.includes(req.servername ?? ''), `TLS ServerName of ${req.url} (${req.remoteUser.join(',')}): ${req.servername}, expected one of ${servernames}`);
  assert.ok(req.clientCertPem, `no client certificate on ${req.url}`);
  const chain = verifyCertificateChain(req.clientCertPem, authConfig['requestheader-client-ca-file']);
  assert.ok(chain.ok, chain.reason);
  const facts = readCertificate(req.clientCertPem);
  const allowed: string[] = JSON.parse(authConfig['requestheader-allowed-names']);
  assert.ok(facts.commonNames.length === 1 && allowed.includes(facts.commonNames[0]), `CN ${facts.commonNames} not in ${allowed}`);
  assert.ok(facts.extendedKeyUsages.includes('clientAuth'));
}

test('a caBundle from another CA stays unavailable (1.36+: the probe fails TLS verification; before: the probe, unverified, reaches a backend without that version)', async () => {
  const other = await startTestBackend({ group, version, resource, kind: 'Widget', serviceDnsName: `${svc}.${ns}.svc` });
  const name = `v1beta1.${group}`;
  try {
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name },
      spec: {
        group, version: 'v1beta1', groupPriorityMinimum: 1000, versionPriority: 10,
        service: { namespace: ns, name: svc, port: backend.port },
        caBundle: Buffer.from(other.caPem).toString('base64'),
      },
    }));
    const reason = probeVerifiesTls ? /x509|certificate/i : /bad status from https:\/\/localhost:\d+\/apis\/[^:]+: 404/;
    const cond = await waitForCondition(name, (c) => c.status === 'False' && reason.test(c.message ?? ''), 30_000);
    assert.equal(cond.reason, 'FailedDiscoveryCheck');
  } finally {
    await cp.kubectl(['delete', 'apiservice', name, '--ignore-not-found']);
    await other.close();
  }
});

test('the backend saw the front-proxy client cert and the callers\' identities', (t) => {
  assert.ok(backend.requests.length > 0);
  for (const req of backend.requests) assertFrontProxyClient(req);
  const probes = backend.requests.filter((r) => isProbe(r) && r.url === `/apis/${group}/${version}`);
  assert.ok(probes.length > 0, 'no availability probe as system:kube-aggregator');
  if (!probeVerifiesTls) assert.ok(probes.some((r) => r.servername === 'localhost'), 'before 1.36 the availability probe sends the dialed host as ServerName');
  const list = backend.requests.filter((r) => r.url.startsWith(`/apis/${group}/${version}/namespaces/default/${resource}`));
  assert.equal(list.length, 1, JSON.stringify(backend.requests.map((r) => r.url)));
  assert.deepEqual(list[0].remoteUser, ['extapi-admin']);
  assert.ok(list[0].remoteGroup.includes('system:masters'), `groups ${list[0].remoteGroup}`);
  assert.ok(list[0].remoteGroup.includes('system:authenticated'), `groups ${list[0].remoteGroup}`);
  const seen = new Map<string, RecordedRequest>();
  for (const r of backend.requests) seen.set(`${r.method} ${r.url.split('?')[0]} ${r.remoteUser.join(',')} [${r.remoteGroup.join(',')}]`, r);
  for (const [k, r] of seen) t.diagnostic(`${k} accept=${r.accept ?? ''}`);
});
