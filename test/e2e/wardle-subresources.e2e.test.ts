/**
 * wardle's subresources behind the real aggregator, with kube-apiserver as the oracle: flunders/scale
 * answers, and is published in discovery and OpenAPI, as a CRD with the same status + scale
 * declaration registered on the same control plane; `kubectl scale` works; flunders/log streams
 * (followed until the client leaves) and is authorized as its own subresource.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { directCall } from './support/https-client.ts';
import { registrationYaml, serverRbacYaml, startWardle, waitAvailable, type WardleProcess } from './support/wardle-server.ts';

const RUN = Math.random().toString(36).slice(2, 7);
const NS = `wardle-sub-${RUN}`;
const SERVER_USER = `wardle-sub-server-${RUN}`;
const ORACLE = 'wardleoracle.example.com';
const OURS = `/apis/wardle.example.com/v1beta1/namespaces/${NS}/flunders`;
const THEIRS = `/apis/${ORACLE}/v1beta1/namespaces/${NS}/flunders`;

/** A CRD with wardle v1beta1's schema and the same status + scale declaration as examples/wardle. */
const oracleCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: flunders.${ORACLE}}
spec:
  group: ${ORACLE}
  scope: Namespaced
  names: {kind: Flunder, plural: flunders, singular: flunder, listKind: FlunderList}
  versions:
  - name: v1beta1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              flunderReference: {type: string}
              fischerReference: {type: string}
              referenceType: {type: string}
              replicas: {type: integer, minimum: 0}
          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
`;

after(async () => { await (await getSharedControlPlane()).stop(); });

/** A Scale with the fields that differ between two objects (name aside) blanked. */
function comparableScale(scale: any) {
  const { uid, resourceVersion, creationTimestamp, ...metadata } = scale.metadata;
  assert.match(uid, /^[0-9a-f-]{36}$/);
  assert.match(resourceVersion, /^\d+$/);
  assert.ok(creationTimestamp);
  return { ...scale, metadata };
}

/** The operations of one OpenAPI path: method → action, GVK and the schema its 200 answers. */
function operations(doc: any, path: string, group: string) {
  const item = doc.paths[path];
  assert.ok(item, `${path} is published`);
  return Object.fromEntries(Object.entries(item).filter(([k]) => k !== 'parameters').map(([method, op]: [string, any]) => [method, {
    action: op['x-kubernetes-action'],
    gvk: { ...op['x-kubernetes-group-version-kind'], group: op['x-kubernetes-group-version-kind'].group === group ? '<group>' : op['x-kubernetes-group-version-kind'].group },
    answers: op.responses['200']?.content?.['application/json']?.schema?.$ref?.replace(/^.*\//, '').replace(group.split('.').reverse().join('.'), '<group>'),
  }]));
}

describe('wardle subresources behind the aggregator, compared with a CRD', () => {
  let cp: ControlPlane;
  let wardle: WardleProcess;
  let pki: Record<string, string>;
  const asAdmin = (path: string) => directCall(wardle.url + path, {
    ca: wardle.ca.certPem, cert: pki['front-proxy-client.crt'], key: pki['front-proxy-client.key'],
    headers: { 'X-Remote-User': 'e2e-admin', 'X-Remote-Group': ['system:masters'] },
  });

  before(async () => {
    cp = await getSharedControlPlane();
    const dir = join(cp.dir, 'pki');
    pki = Object.fromEntries(await Promise.all(['front-proxy-client.crt', 'front-proxy-client.key', 'admin.crt', 'admin.key'].map(async (f) => [f, await readFile(join(dir, f), 'utf8')])));
    assert.equal((await cp.kubectl(['apply', '-f', '-'], { input: serverRbacYaml(SERVER_USER, SERVER_USER) })).code, 0);
    wardle = await startWardle({ kubeconfig: await cp.mintKubeconfig(SERVER_USER), serviceDnsName: `api.${NS}.svc` });
    const registered = await cp.kubectl(['apply', '-f', '-'], { input: `${registrationYaml(NS, 'api', wardle.port, wardle.ca.certPem)}---\n${oracleCrd}` });
    assert.equal(registered.code, 0, registered.stderr);
    assert.equal((await cp.kubectl(['wait', '--for=condition=Established', `crd/flunders.${ORACLE}`, '--timeout=60s'])).code, 0);
    await waitAvailable(cp);
    for (const group of ['wardle.example.com', ORACLE]) {
      const created = await cp.kubectl(['apply', '-f', '-'], { input: `apiVersion: ${group}/v1beta1\nkind: Flunder\nmetadata: {name: scaled, namespace: ${NS}}\nspec: {replicas: 1}\n` });
      assert.equal(created.code, 0, created.stderr);
      const status = await cp.kubectl(['patch', `flunders.${group}`, 'scaled', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":1,"selector":"app=scaled"}}']);
      assert.equal(status.code, 0, status.stderr);
    }
  });

  after(async () => {
    await cp?.kubectl(['delete', 'apiservice', 'v1alpha1.wardle.example.com', 'v1beta1.wardle.example.com', '--ignore-not-found']);
    await cp?.kubectl(['delete', 'crd', `flunders.${ORACLE}`, '--ignore-not-found']);
    await wardle?.stop();
    await cp?.kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
  });

  it('kubectl scale sets spec.replicas through flunders/scale, as for the CRD', async () => {
    for (const group of ['wardle.example.com', ORACLE]) {
      const scaled = await cp.kubectl(['scale', `flunders.${group}`, 'scaled', '-n', NS, '--replicas=3']);
      assert.equal(scaled.code, 0, scaled.stderr);
      assert.equal(scaled.stdout.trim(), `flunder.${group}/scaled scaled`);
      const obj = JSON.parse((await cp.kubectl(['get', `flunders.v1beta1.${group}`, 'scaled', '-n', NS, '-o', 'json'])).stdout);
      assert.equal(obj.spec.replicas, 3);
      assert.equal(obj.status.replicas, 1);
    }
  });

  it('kubectl get --raw .../scale answers what kube-apiserver answers for the CRD (an HPA-shaped read)', async () => {
    const ours = await cp.kubectl(['get', '--raw', `${OURS}/scaled/scale`]);
    const theirs = await cp.kubectl(['get', '--raw', `${THEIRS}/scaled/scale`]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(theirs.code, 0, theirs.stderr);
    assert.deepEqual(comparableScale(JSON.parse(ours.stdout)), comparableScale(JSON.parse(theirs.stdout)));
    const scale = JSON.parse(ours.stdout);
    assert.deepEqual([scale.apiVersion, scale.kind, scale.spec.replicas, scale.status.replicas, scale.status.selector], ['autoscaling/v1', 'Scale', 3, 1, 'app=scaled']);
    for (const base of [OURS, THEIRS]) {
      const bad = await cp.kubectl(['replace', '--raw', `${base}/scaled/scale`, '-f', '-'], { input: JSON.stringify({ ...scale, metadata: { name: 'scaled', namespace: NS }, spec: { replicas: -1 } }) });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /The Flunder "scaled" is invalid: \n\* spec\.replicas: Invalid value: -1: spec\.replicas in body should be greater than or equal to 0\n\* \.spec\.replicas: Invalid value: -1: should be a non-negative integer\n/);
    }
  });

  // Verbs are compared as sets: kube-apiserver lists a CRD's in its own order (delete, deletecollection,
  // get, list, patch, create, update, watch), built-in and sample-apiserver resources sorted; extapi sorts.
  it('discovery lists flunders/status and flunders/scale exactly as for the CRD', async () => {
    const entries = async (group: string) => {
      const list = JSON.parse((await cp.kubectl(['get', '--raw', `/apis/${group}/v1beta1`])).stdout);
      return Object.fromEntries(list.resources.filter((r: any) => ['flunders', 'flunders/status', 'flunders/scale'].includes(r.name))
        .map((r: any) => [r.name, { namespaced: r.namespaced, kind: r.kind, group: r.group, version: r.version, verbs: [...r.verbs].sort() }]));
    };
    assert.deepEqual(await entries('wardle.example.com'), await entries(ORACLE));
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
    const aggregated = await directCall(`${cp.url}/apis`, { ca: cp.caPem, cert: pki['admin.crt'], key: pki['admin.key'], headers: { accept } });
    assert.equal(aggregated.status, 200);
    const subresources = (group: string) => {
      const flunders = aggregated.body.items.find((g: any) => g.metadata.name === group).versions.find((v: any) => v.version === 'v1beta1')
        .resources.find((r: any) => r.resource === 'flunders');
      return { verbs: [...flunders.verbs].sort(), subresources: flunders.subresources.filter((sr: any) => sr.subresource !== 'log')
        .map((sr: any) => ({ ...sr, responseKind: { ...sr.responseKind, group: sr.responseKind.group === group ? '<group>' : sr.responseKind.group } }))
        .sort((x: any, y: any) => x.subresource.localeCompare(y.subresource)) };
    };
    assert.deepEqual(subresources('wardle.example.com'), subresources(ORACLE));
  });

  it('OpenAPI publishes the same operations on /status and /scale as for the CRD', async () => {
    const ours = JSON.parse((await cp.kubectl(['get', '--raw', '/openapi/v3/apis/wardle.example.com/v1beta1'])).stdout);
    const theirs = JSON.parse((await cp.kubectl(['get', '--raw', `/openapi/v3/apis/${ORACLE}/v1beta1`])).stdout);
    for (const sub of ['status', 'scale']) {
      const path = (g: string) => `/apis/${g}/v1beta1/namespaces/{namespace}/flunders/{name}/${sub}`;
      assert.deepEqual(operations(ours, path('wardle.example.com'), 'wardle.example.com'), operations(theirs, path(ORACLE), ORACLE), sub);
    }
    assert.ok(ours.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  });

  it('OpenAPI operationIds and tags follow kube-apiserver\'s naming for the CRD (generated clients name methods after them)', async () => {
    const naming = async (group: string) => {
      const doc = JSON.parse((await cp.kubectl(['get', '--raw', `/openapi/v3/apis/${group}/v1beta1`])).stdout);
      const camel = group.split('.').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
      const out: Record<string, unknown> = {};
      for (const [path, item] of Object.entries<any>(doc.paths)) {
        if (!/\/flunders(\/\{name\}(\/(status|scale))?)?$/.test(path)) continue;
        for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
          const op = item[method];
          if (op) out[`${path.replace(group, '<group>')} ${method}`] = { id: op.operationId.replace(camel, '<Group>'), tags: op.tags.map((t: string) => t.replace(camel[0].toLowerCase() + camel.slice(1), '<group>')) };
        }
      }
      return out;
    };
    const ours = await naming('wardle.example.com');
    assert.deepEqual(ours, await naming(ORACLE));
    assert.deepEqual(ours['/apis/<group>/v1beta1/namespaces/{namespace}/flunders delete'], { id: 'delete<Group>V1beta1CollectionNamespacedFlunder', tags: ['<group>_v1beta1'] });
    assert.equal(Object.keys(ours).length, 14);
  });

  it('fieldValidation=Strict: unknown fields listed in the CRD\'s order (create), and a strict merge patch is 422 Invalid on "patch" (as for the CRD)', async () => {
    const admin = { ca: cp.caPem, cert: pki['admin.crt'], key: pki['admin.key'] };
    const call = (base: string, group: string, method: string, path: string, body: unknown, type = 'application/json') => directCall(`${cp.url}${base}${path}`, { ...admin, method, body, headers: { 'content-type': type } })
      .then((r) => ({ status: r.status, reason: r.body?.reason, message: String(r.body?.message ?? '').replaceAll(group, '<group>'), causes: r.body?.details?.causes, warning: r.headers.warning }));
    const answers = async (base: string, group: string) => {
      const body = { apiVersion: `${group}/v1beta1`, kind: 'Flunder', metadata: { name: 'strict' }, spec: { flunderReference: 'x', referenceType: 'Flunder', zeta: 1, alpha: 2 }, extra: true };
      const created = await call(base, group, 'POST', '?fieldValidation=Strict', body);
      const warned = await call(base, group, 'POST', '?fieldValidation=Warn', body);
      assert.equal(warned.status, 201, JSON.stringify(warned));
      const patched = await call(base, group, 'PATCH', '/strict?fieldValidation=Strict', { spec: { bogus: 2 } }, 'application/merge-patch+json');
      await call(base, group, 'DELETE', '/strict', undefined);
      const embedded = /Invalid value: ("(?:[^"\\]|\\.)*")/.exec(patched.message)?.[1];
      assert.ok(embedded, patched.message);
      const object = JSON.parse(JSON.parse(embedded));
      return {
        created, warned: { status: warned.status, warning: warned.warning },
        patched: { status: patched.status, reason: patched.reason, message: patched.message.replace(embedded, '<object>'), cause: { ...patched.causes?.[0], message: patched.causes?.[0]?.message.replaceAll(group, '<group>').replace(embedded, '<object>') }, spec: object.spec, kind: object.kind },
      };
    };
    const ours = await answers(OURS, 'wardle.example.com');
    assert.deepEqual(ours, await answers(THEIRS, ORACLE));
    assert.equal(ours.created.message, 'Flunder in version "v1beta1" cannot be handled as a Flunder: strict decoding error: unknown field "extra", unknown field "spec.alpha", unknown field "spec.zeta"');
    assert.deepEqual([ours.patched.status, ours.patched.reason, ours.patched.message], [422, 'Invalid', ' "" is invalid: patch: Invalid value: <object>: strict decoding error: unknown field "spec.bogus"']);
    assert.deepEqual(ours.patched.spec, { bogus: 2, flunderReference: 'x', referenceType: 'Flunder' });
  });

  it('flunders/log streams with ?follow=true until the client leaves', async () => {
    const once = await cp.kubectl(['get', '--raw', `${OURS}/scaled/log`]);
    assert.equal(once.code, 0, once.stderr);
    assert.match(once.stdout, /^\S+ resourceVersion=\d+ referenceType= reference= replicas=3\n$/);
    const follow = cp.kubectlStream(['get', '--raw', `${OURS}/scaled/log?follow=true`]);
    try {
      await follow.waitFor(/replicas=3\n/);
      assert.equal(await openLogStreams(), 1);
      assert.equal((await cp.kubectl(['scale', 'flunders.wardle.example.com', 'scaled', '-n', NS, '--replicas=4'])).code, 0);
      await follow.waitFor(/replicas=4\n/);
      assert.equal((await cp.kubectl(['scale', 'flunders.wardle.example.com', 'scaled', '-n', NS, '--replicas=5'])).code, 0);
      const text = await follow.waitFor(/replicas=5\n/);
      const versions = [...text.matchAll(/resourceVersion=(\d+)/g)].map((m) => Number(m[1]));
      assert.deepEqual([...versions].sort((a, b) => a - b), versions);
      assert.equal(new Set(versions).size, 3);
    } finally { await follow.stop(); }
    const deadline = Date.now() + 30_000;
    while (await openLogStreams() !== 0) {
      assert.ok(Date.now() < deadline, 'the server ends the stream once the client has left');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  /** Open flunders/log connections, from the server's apiserver_longrunning_requests gauge. */
  async function openLogStreams(): Promise<number> {
    const res = await asAdmin('/metrics');
    const line = String(res.text).split('\n').find((l) => l.startsWith('apiserver_longrunning_requests{') && l.includes('subresource="log"'));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('authorizes flunders/log as its own subresource: allowed flunders but not flunders/log is 403', async () => {
    const user = `reader-${RUN}`;
    const kubeconfig = await cp.mintKubeconfig(user);
    const role = (resources: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ${user}, namespace: ${NS}}
rules: [{apiGroups: [wardle.example.com], resources: [${resources}], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${user}, namespace: ${NS}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${user}}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${user}}]
`;
    assert.equal((await cp.kubectl(['apply', '-f', '-'], { input: role('flunders') })).code, 0);
    const get = await cp.kubectl(['get', 'flunders.wardle.example.com', 'scaled', '-n', NS], { kubeconfig });
    assert.equal(get.code, 0, get.stderr);
    const log = await cp.kubectl(['get', '--raw', `${OURS}/scaled/log`], { kubeconfig });
    assert.notEqual(log.code, 0);
    assert.match(log.stderr, new RegExp(`flunders\\.wardle\\.example\\.com "scaled" is forbidden: User "${user}" cannot get resource "flunders/log" in API group "wardle\\.example\\.com" in the namespace "${NS}"`));
    const direct = await directCall(`${wardle.url}${OURS}/scaled/log`, {
      ca: wardle.ca.certPem, cert: pki['front-proxy-client.crt'], key: pki['front-proxy-client.key'], headers: { 'X-Remote-User': user },
    });
    assert.equal(direct.status, 403, 'the server itself asks for flunders/log in its SubjectAccessReview');
    assert.equal((await cp.kubectl(['apply', '-f', '-'], { input: role('flunders, flunders/log') })).code, 0);
    let allowed = await cp.kubectl(['get', '--raw', `${OURS}/scaled/log`], { kubeconfig });
    for (let i = 0; i < 40 && allowed.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      allowed = await cp.kubectl(['get', '--raw', `${OURS}/scaled/log`], { kubeconfig });
    }
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /replicas=5/);
  });
});
