/**
 * The wardle server behind a real kube-apiserver's aggregator: discovery, OpenAPI, tables and
 * versions as kubectl sees them (issue: what clients read), and the security of the front-proxy
 * path, delegated authentication and authorization, certificate reload (issue: serving securely).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCertificateAuthority, issueClientCertificate, issueServingCertificate } from '../../src/certs/index.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { directCall } from './support/https-client.ts';
import { registrationYaml, serverRbacYaml, startWardle, waitAvailable, writeServingCert, type WardleProcess } from './support/wardle-server.ts';

const NS = `wardle-e2e-${Math.random().toString(36).slice(2, 7)}`;
const SERVER_USER = `wardle-server-${NS}`;
const FLUNDERS = '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders';

after(async () => { await (await getSharedControlPlane()).stop(); });

describe('wardle behind the aggregator', () => {
  let cp: ControlPlane;
  let wardle: WardleProcess;
  let pki: Record<string, string>;

  before(async () => {
    cp = await getSharedControlPlane();
    const dir = join(cp.dir, 'pki');
    pki = Object.fromEntries(await Promise.all(['ca.crt', 'admin.crt', 'admin.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'front-proxy-client.crt', 'front-proxy-client.key']
      .map(async (f) => [f, await readFile(join(dir, f), 'utf8')])));
    const applied = await cp.kubectl(['apply', '-f', '-'], { input: serverRbacYaml(SERVER_USER, SERVER_USER) });
    assert.equal(applied.code, 0, applied.stderr);
    wardle = await startWardle({ kubeconfig: await cp.mintKubeconfig(SERVER_USER), serviceDnsName: `api.${NS}.svc` });
    const registered = await cp.kubectl(['apply', '-f', '-'], { input: registrationYaml(NS, 'api', wardle.port, wardle.ca.certPem) });
    assert.equal(registered.code, 0, registered.stderr);
    await waitAvailable(cp);
  });

  after(async () => {
    await cp?.kubectl(['delete', 'apiservice', 'v1alpha1.wardle.example.com', 'v1beta1.wardle.example.com', '--ignore-not-found']);
    await wardle?.stop();
  });

  /** A direct call to our server as the aggregator makes it: front-proxy client cert + identity headers. */
  const asProxy = (path: string, user: string, groups: string[] = [], init: { method?: string; body?: unknown } = {}) =>
    directCall(wardle.url + path, {
      ca: wardle.ca.certPem, cert: pki['front-proxy-client.crt'], key: pki['front-proxy-client.key'],
      headers: { 'X-Remote-User': user, 'X-Remote-Group': groups }, ...init,
    });

  it('answers kubectl get with "No resources found" through the aggregator', async () => {
    const res = await cp.kubectl(['get', 'flunders.wardle.example.com', '-n', 'default']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr.trim(), 'No resources found in default namespace.');
  });

  it('lists its resources with short names in kubectl api-resources', async () => {
    const res = await cp.kubectl(['api-resources', '--api-group=wardle.example.com', '--no-headers']);
    assert.equal(res.code, 0, res.stderr);
    const rows = res.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows.find((r) => r[0] === 'flunders'), ['flunders', 'fl', 'wardle.example.com/v1beta1', 'true', 'Flunder']);
    assert.deepEqual(rows.find((r) => r[0] === 'fischers'), ['fischers', 'fi', 'wardle.example.com/v1beta1'.replace('v1beta1', 'v1alpha1'), 'false', 'Fischer']);
  });

  it('serves printer columns to kubectl get -o wide and converts between versions', async () => {
    const created = await cp.kubectl(['apply', '-f', '-'], { input: 'apiVersion: wardle.example.com/v1alpha1\nkind: Flunder\nmetadata: {name: wide, namespace: default}\nspec: {reference: target, referenceType: Flunder}\n' });
    assert.equal(created.code, 0, created.stderr);
    const wide = await cp.kubectl(['get', 'flunders.v1alpha1.wardle.example.com', 'wide', '-n', 'default', '-o', 'wide']);
    assert.equal(wide.code, 0, wide.stderr);
    const [header, row] = wide.stdout.trim().split('\n');
    assert.deepEqual(header.trim().split(/\s+/), ['NAME', 'REFERENCE-TYPE', 'AGE', 'REFERENCE']);
    assert.deepEqual([row.split(/\s+/)[0], row.split(/\s+/)[1], row.split(/\s+/)[3]], ['wide', 'Flunder', 'target']);
    const beta = await cp.kubectl(['get', 'flunders.v1beta1.wardle.example.com', 'wide', '-n', 'default', '-o', 'json']);
    assert.deepEqual(JSON.parse(beta.stdout).spec, { flunderReference: 'target', referenceType: 'Flunder' });
    const alpha = await cp.kubectl(['get', 'flunders.v1alpha1.wardle.example.com', 'wide', '-n', 'default', '-o', 'json']);
    assert.deepEqual(JSON.parse(alpha.stdout).spec, { reference: 'target', referenceType: 'Flunder' });
    await cp.kubectl(['delete', 'flunders', 'wide', '-n', 'default']);
  });

  it('explains its resources from the aggregated OpenAPI', async () => {
    let res = await cp.kubectl(['explain', 'flunders.spec', '--api-version=wardle.example.com/v1alpha1']);
    for (let i = 0; i < 40 && res.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      res = await cp.kubectl(['explain', 'flunders.spec', '--api-version=wardle.example.com/v1alpha1']);
    }
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /KIND:\s+Flunder/);
    assert.match(res.stdout, /reference\s+<string>/);
    assert.match(res.stdout, /A name of another flunder or fischer/);
  });

  it('appears fresh in the aggregated discovery document', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
    let group: any;
    for (let i = 0; i < 40; i++) {
      const res = await directCall(`${cp.url}/apis`, { ca: pki['ca.crt'], cert: pki['admin.crt'], key: pki['admin.key'], headers: { accept } });
      assert.equal(res.status, 200);
      group = res.body.items.find((g: any) => g.metadata.name === 'wardle.example.com');
      if (group && group.versions.length === 2 && group.versions.every((v: any) => v.freshness === 'Current')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(group.versions.map((v: any) => [v.version, v.freshness]), [['v1beta1', 'Current'], ['v1alpha1', 'Current']]);
    assert.deepEqual(group.versions[1].resources.map((r: any) => r.resource), ['fischers', 'flunders']);
  });

  it('refuses to create in a namespace that does not exist (NamespaceLifecycle from the cluster)', async () => {
    const missing = `${NS}-missing`;
    const res = await cp.kubectl(['create', '-f', '-', '-n', missing], { input: 'apiVersion: wardle.example.com/v1alpha1\nkind: Flunder\nmetadata: {name: orphan}\nspec: {}\n' });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, new RegExp(`namespaces "${missing}" not found`));
    const created = await cp.kubectl(['create', '-f', '-', '-n', NS], { input: 'apiVersion: wardle.example.com/v1alpha1\nkind: Flunder\nmetadata: {name: housed}\nspec: {}\n' });
    assert.equal(created.code, 0, created.stderr);
    await cp.kubectl(['delete', 'flunders', 'housed', '-n', NS]);
  });

  it('authorizes every request by SubjectAccessReview: no RBAC means 403, a RoleBinding grants exactly list', async () => {
    const user = `bob-${NS}`;
    const list = await asProxy(FLUNDERS, user);
    assert.equal(list.status, 403);
    assert.equal(list.body.message, `flunders.wardle.example.com is forbidden: User "${user}" cannot list resource "flunders" in API group "wardle.example.com" in the namespace "default"`);
    const create = await asProxy(FLUNDERS, user, [], { method: 'POST', body: { metadata: { name: 'x' }, spec: {} } });
    assert.equal(create.status, 403);
    const viaKubectl = await cp.kubectl(['get', 'flunders.wardle.example.com', '-n', 'default'], { kubeconfig: await cp.mintKubeconfig(user) });
    assert.notEqual(viaKubectl.code, 0);
    assert.match(viaKubectl.stderr, /forbidden: User ".*" cannot list resource "flunders"/);
    const granted = await cp.kubectl(['apply', '-f', '-'], { input: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ${user}, namespace: default}
rules: [{apiGroups: [wardle.example.com], resources: [flunders], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${user}, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${user}}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${user}}]
` });
    assert.equal(granted.code, 0, granted.stderr);
    let allowed = await asProxy(FLUNDERS, user);
    for (let i = 0; i < 30 && allowed.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 500));
      allowed = await asProxy(FLUNDERS, user);
    }
    assert.equal(allowed.status, 200, 'the denial cache expires and RBAC now allows list');
    assert.equal((await asProxy(FLUNDERS, user, [], { method: 'POST', body: { metadata: { name: 'x' }, spec: {} } })).status, 403);
  });

  it('ignores identity headers unless the connection carries an allowed front-proxy certificate', async () => {
    const headers = { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' };
    const noCert = await directCall(wardle.url + FLUNDERS, { ca: wardle.ca.certPem, headers });
    assert.equal(noCert.status, 401);
    assert.equal(noCert.body.reason, 'Unauthorized');
    const otherCa = await createCertificateAuthority({ commonName: 'not-the-front-proxy-ca' });
    const foreign = await issueClientCertificate(otherCa, { user: 'front-proxy-client' });
    const foreignRes = await directCall(wardle.url + FLUNDERS, { ca: wardle.ca.certPem, cert: foreign.certPem, key: foreign.keyPem, headers });
    assert.equal(foreignRes.status, 401);
    const frontProxyCa = { certPem: pki['front-proxy-ca.crt'], keyPem: pki['front-proxy-ca.key'] };
    const wrongName = await issueClientCertificate(frontProxyCa, { user: 'not-allowed' });
    const wrongNameRes = await directCall(wardle.url + FLUNDERS, { ca: wardle.ca.certPem, cert: wrongName.certPem, key: wrongName.keyPem, headers });
    assert.equal(wrongNameRes.status, 401);
    const proxied = await asProxy(FLUNDERS, 'system:admin', ['system:masters']);
    assert.equal(proxied.status, 200, 'the real front-proxy certificate is trusted');
    const clientCert = await directCall(wardle.url + FLUNDERS, { ca: wardle.ca.certPem, cert: pki['admin.crt'], key: pki['admin.key'], headers: { 'X-Remote-User': 'nobody' } });
    assert.equal(clientCert.status, 200, 'a cluster client certificate authenticates as itself, headers ignored');
  });

  it('refuses a serverAuth-only certificate and a CA as client identities and as front proxies, as kube-apiserver does (issue 18, item 4, delegated mode)', async () => {
    const clusterCa = { certPem: pki['ca.crt'], keyPem: await readFile(cp.state.caKeyPath, 'utf8') };
    const frontProxyCa = { certPem: pki['front-proxy-ca.crt'], keyPem: pki['front-proxy-ca.key'] };
    const servingOnly = await issueServingCertificate(clusterCa, { commonName: `serving-only-${NS}`, dnsNames: ['localhost'] });
    const proxyServingOnly = await issueServingCertificate(frontProxyCa, { commonName: 'front-proxy-client', dnsNames: ['localhost'] });
    const headers = { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' };
    const ours = (pair: { certPem: string; keyPem: string }, h?: Record<string, string>) =>
      directCall(wardle.url + FLUNDERS, { ca: wardle.ca.certPem, cert: pair.certPem, key: pair.keyPem, headers: h });
    const kubeApiserver = (pair: { certPem: string; keyPem: string }, h?: Record<string, string>) =>
      directCall(`${cp.url}/api/v1/namespaces/default/configmaps`, { ca: cp.caPem, cert: pair.certPem, key: pair.keyPem, headers: h });

    const serving = await ours(servingOnly);
    assert.equal(serving.status, 401, 'a cluster-CA certificate with only serverAuth is no client identity');
    assert.equal(serving.body.reason, 'Unauthorized');
    assert.equal((await kubeApiserver(servingOnly)).status, 401, 'kube-apiserver refuses it the same way');
    const ca = await ours(clusterCa);
    assert.equal(ca.status, 401, 'the cluster CA itself is no client identity');
    // kube-apiserver (Go's x509 verification) accepts a CA presented as a leaf: the CN is the user,
    // then RBAC forbids. extapi is stricter on purpose (a CA is never a client).
    assert.equal((await kubeApiserver(clusterCa)).status, 403, 'kube-apiserver authenticates the CA, then RBAC forbids');
    const proxy = await ours(proxyServingOnly, headers);
    assert.equal(proxy.status, 401, 'a front-proxy-CA certificate with the allowed CN but without clientAuth is no front proxy');
    assert.equal((await kubeApiserver(proxyServingOnly, headers)).status, 401, 'kube-apiserver does not trust its headers either');
    assert.equal((await ours(frontProxyCa, headers)).status, 401, 'the front-proxy CA itself is no front proxy');

    const viaAggregator = await cp.kubectl(['get', '--raw', FLUNDERS]);
    assert.equal(viaAggregator.code, 0, `the real aggregator's requests still work: ${viaAggregator.stderr}`);
    assert.equal(JSON.parse(viaAggregator.stdout).kind, 'FlunderList');
  });

  it('answers a resourceVersion newer than its store 504 Timeout "Too large resource version", as kube-apiserver does (most of the fuzzer\'s answers ≥ 500)', async () => {
    const rv = '99999999';
    const admin = { ca: wardle.ca.certPem, cert: pki['admin.crt'], key: pki['admin.key'] };
    const ours = await directCall(`${wardle.url}${FLUNDERS}?resourceVersion=${rv}`, admin);
    const upstream = await directCall(`${cp.url}/api/v1/namespaces/default/configmaps?resourceVersion=${rv}`, { ...admin, ca: cp.caPem });
    for (const [who, res] of [['extapi', ours], ['kube-apiserver', upstream]] as const) {
      assert.equal(res.status, 504, `${who}: ${res.text}`);
      assert.equal(res.body.reason, 'Timeout', who);
      assert.match(res.body.message, new RegExp(`^Timeout: Too large resource version: ${rv}, current: \\d+$`), who);
    }
    assert.deepEqual(ours.body.details, upstream.body.details, 'the same cause and retry delay');
  });

  it('authenticates a ServiceAccount token through TokenReview', async () => {
    assert.equal((await cp.kubectl(['create', 'serviceaccount', 'tester', '-n', NS])).code, 0);
    const token = (await cp.kubectl(['create', 'token', 'tester', '-n', NS])).stdout.trim();
    assert.ok(token.length > 20);
    const res = await directCall(wardle.url + FLUNDERS, { ca: wardle.ca.certPem, headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 403, 'authenticated (not 401), then denied by RBAC');
    assert.match(res.body.message, new RegExp(`User "system:serviceaccount:${NS}:tester" cannot list`));
    const bad = await directCall(wardle.url + FLUNDERS, { ca: wardle.ca.certPem, headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(bad.status, 401);
  });

  it('reloads its serving certificate from the Secret directory without a failed request', async () => {
    const call = () => directCall(`${wardle.url}/apis/wardle.example.com/v1alpha1`, { ca: wardle.ca.certPem, cert: pki['admin.crt'], key: pki['admin.key'] });
    const before = (await call()).peerFingerprint;
    let failures = 0;
    let calls = 0;
    let stop = false;
    const poller = (async () => {
      while (!stop) {
        calls++;
        try { if ((await call()).status !== 200) failures++; } catch { failures++; }
      }
    })();
    // requests run before, during and after the swap: counted, not timed (a loaded machine
    // makes fewer requests per second, so the window is bounded by counts under a deadline)
    const deadline = Date.now() + 60_000;
    const waitUntil = async (done: () => boolean) => { while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100)); };
    await waitUntil(() => calls >= 3);
    const callsBeforeSwap = calls;
    await writeServingCert(wardle.certDir, wardle.ca, `api.${NS}.svc`);
    let after = before;
    while (after === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await call()).peerFingerprint;
    }
    const callsAtNewCert = calls;
    await waitUntil(() => calls >= callsAtNewCert + 5);
    stop = true;
    await poller;
    assert.notEqual(after, before, 'the new certificate is served');
    assert.equal(failures, 0, `${failures} of ${calls} requests failed during the swap`);
    assert.ok(callsBeforeSwap >= 3 && calls >= callsAtNewCert + 5, `requests before the swap: ${callsBeforeSwap}, in all: ${calls}, when the new certificate was first seen: ${callsAtNewCert}`);
  });
});

describe('trust configuration changes without a restart', () => {
  let cp: ControlPlane;
  let wardle: WardleProcess;
  const trustNs = `${NS}-trust`;
  const user = `${SERVER_USER}-trust`;

  before(async () => {
    cp = await getSharedControlPlane();
    const real = JSON.parse((await cp.kubectl(['get', 'configmap', 'extension-apiserver-authentication', '-n', 'kube-system', '-o', 'json'])).stdout);
    const copy = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'trust', namespace: trustNs }, data: real.data };
    await cp.kubectl(['create', 'namespace', trustNs]);
    assert.equal((await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(copy) })).code, 0);
    const rbac = `${serverRbacYaml(user, user)}---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: trust-reader, namespace: ${trustNs}}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: trust-reader, namespace: ${trustNs}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: trust-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${user}}]
`;
    assert.equal((await cp.kubectl(['apply', '-f', '-'], { input: rbac })).code, 0);
    wardle = await startWardle({ kubeconfig: await cp.mintKubeconfig(user), serviceDnsName: 'trust.test.svc', extraArgs: ['--authentication-config-map', `${trustNs}/trust`] });
  });

  after(async () => { await wardle?.stop(); });

  it('stops trusting a front-proxy name removed from requestheader-allowed-names, and trusts it again when restored', async () => {
    const dir = join(cp.dir, 'pki');
    const cert = await readFile(join(dir, 'front-proxy-client.crt'), 'utf8');
    const key = await readFile(join(dir, 'front-proxy-client.key'), 'utf8');
    const call = () => directCall(`${wardle.url}/apis/wardle.example.com/v1alpha1`, { ca: wardle.ca.certPem, cert, key, headers: { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' } });
    assert.equal((await call()).status, 200);
    const setAllowed = (names: string[]) => cp.kubectl(['patch', 'configmap', 'trust', '-n', trustNs, '--type=merge', '-p', JSON.stringify({ data: { 'requestheader-allowed-names': JSON.stringify(names) } })]);
    assert.equal((await setAllowed(['someone-else'])).code, 0);
    const waitFor = async (status: number) => {
      for (let i = 0; i < 50; i++) {
        if ((await call()).status === status) return true;
        await new Promise((r) => setTimeout(r, 200));
      }
      return false;
    };
    assert.ok(await waitFor(401), 'the removed name is no longer trusted');
    assert.equal((await setAllowed(['front-proxy-client'])).code, 0);
    assert.ok(await waitFor(200), 'trusted again');
  });
});
