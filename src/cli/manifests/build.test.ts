import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments, parse } from 'yaml';
import { defineResource } from '../../resource/define-resource.ts';
import { ActionableError } from '../errors.ts';
import type { WorkloadFlags } from '../flags.ts';
import { planGroups, type Target } from '../target.ts';
import { buildManifests, manifestSpec } from './build.ts';
import { EXTERNAL_SERVER_ANNOTATION, INJECT_CA_FROM } from './apiservice.ts';
import type { KubeManifest, TlsSpec } from './types.ts';
import { fileNameOf, kustomization, toYamlStream } from './write.ts';

const schema = { type: 'object', properties: { spec: { type: 'object' } } };
const widgets = defineResource({
  group: 'toys.example.com', kind: 'Widget', plural: 'widgets', namespaced: true, subresources: { status: true },
  versions: [
    { name: 'v1alpha1', schema, toStorage: (o) => o, fromStorage: (o) => o },
    { name: 'v1', storage: true, schema },
    { name: 'v1beta2', schema, toStorage: (o) => o, fromStorage: (o) => o },
  ],
});
const gadgets = defineResource({ group: 'toys.example.com', kind: 'Gadget', plural: 'gadgets', namespaced: false, versions: [{ name: 'v1', storage: true, schema }] });

const target: Target = { namespace: 'toys', service: 'api', serviceAccount: 'toys-server', groups: planGroups([widgets, gadgets]), resources: [widgets, gadgets] };
const tls: TlsSpec = { kind: 'files', caBundlePem: 'CA-BUNDLE\n', certPem: 'CERT\n', keyPem: 'KEY\n', caPem: 'CA\n' };
const flags = (over: Partial<WorkloadFlags> = {}): WorkloadFlags => ({ image: 'example/toys:1', storage: 'embedded', ...over });
const kinds = (objs: KubeManifest[]) => objs.map((o) => o.kind);
const find = (objs: KubeManifest[], kind: string, name?: string) => objs.find((o) => o.kind === kind && (!name || o.metadata.name === name))!;
const build = (f: WorkloadFlags, t: TlsSpec = tls) => buildManifests(manifestSpec(target, f, t)).map((s) => s.object);

test('objects come in an order that applies cleanly on a fresh cluster', () => {
  assert.deepEqual(kinds(build(flags())), [
    'Namespace', 'ServiceAccount', 'Secret', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRoleBinding', 'RoleBinding',
    'PersistentVolumeClaim', 'Deployment', 'Service', 'PodDisruptionBudget', 'APIService', 'APIService', 'APIService',
  ]);
});

test('RBAC: ClusterRole for namespaces, webhook configurations, services and the served resources, auth-delegator, auth-reader in kube-system', () => {
  const objs = build(flags());
  const role = find(objs, 'ClusterRole');
  assert.equal(role.metadata.name, 'toys:toys-server');
  assert.deepEqual(role.rules, [
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['services'], verbs: ['get'] },
    { apiGroups: ['toys.example.com'], resources: ['widgets', 'widgets/status', 'gadgets'], verbs: ['get', 'list', 'watch'] },
  ]);
  const subjects = [{ kind: 'ServiceAccount', name: 'toys-server', namespace: 'toys' }];
  const bindings = objs.filter((o) => o.kind === 'ClusterRoleBinding');
  assert.deepEqual(bindings.map((b) => (b.roleRef as { name: string }).name), ['toys:toys-server', 'system:auth-delegator']);
  for (const b of bindings) assert.deepEqual(b.subjects, subjects);
  const reader = find(objs, 'RoleBinding');
  assert.equal(reader.metadata.namespace, 'kube-system');
  assert.deepEqual(reader.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' });
  assert.deepEqual(reader.subjects, subjects);
});

test('Deployment mounts the Secret, passes --tls-cert-dir, probes /livez and /readyz over HTTPS, runs as non-root', () => {
  const d = find(build(flags()), 'Deployment') as any;
  const pod = d.spec.template.spec;
  const c = pod.containers[0];
  assert.equal(c.image, 'example/toys:1');
  assert.equal(pod.serviceAccountName, 'toys-server');
  const certVolume = pod.volumes.find((v: any) => v.secret);
  assert.equal(certVolume.secret.secretName, 'api-serving-cert');
  const mount = c.volumeMounts.find((m: any) => m.name === certVolume.name);
  assert.ok(c.args.includes(`--tls-cert-dir=${mount.mountPath}`));
  assert.equal(mount.readOnly, true);
  assert.deepEqual(c.livenessProbe.httpGet, { path: '/livez', port: 'https', scheme: 'HTTPS' });
  assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'https', scheme: 'HTTPS' });
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
  assert.deepEqual(d.spec.selector.matchLabels, (find(build(flags()), 'Service') as any).spec.selector);
});

test('embedded storage: 1 replica on a PVC, Recreate; etcd: 2 replicas, PDB minAvailable 1; memory: 1 replica, no PVC', () => {
  const embedded = build(flags()) as any[];
  const dE = find(embedded, 'Deployment') as any;
  assert.equal(dE.spec.replicas, 1);
  assert.equal(dE.spec.strategy.type, 'Recreate');
  assert.ok(dE.spec.template.spec.volumes.some((v: any) => v.persistentVolumeClaim?.claimName === find(embedded, 'PersistentVolumeClaim').metadata.name));
  assert.ok(dE.spec.template.spec.containers[0].args.includes('--storage=embedded'));
  const etcd = build(flags({ storage: 'etcd', etcdServers: 'https://etcd-0:2379,https://etcd-1:2379' })) as any[];
  const dX = find(etcd, 'Deployment') as any;
  assert.equal(dX.spec.replicas, 2);
  assert.ok(dX.spec.template.spec.containers[0].args.includes('--etcd-servers=https://etcd-0:2379,https://etcd-1:2379'));
  assert.equal(etcd.some((o) => o.kind === 'PersistentVolumeClaim'), false);
  assert.deepEqual((find(etcd, 'PodDisruptionBudget') as any).spec.minAvailable, 1);
  assert.ok(dX.spec.template.spec.affinity.podAntiAffinity);
  assert.ok(dX.spec.template.spec.containers[0].args.includes('--shutdown-delay=10'), 'a rolling server keeps serving while it leaves the endpoints');
  assert.ok(dX.spec.template.spec.containers[0].args.includes('--disable-http2'), 'a rolling server drains over HTTP/1.1, which the aggregator\'s proxy survives');
  assert.equal(dE.spec.template.spec.containers[0].args.some((a: string) => a.startsWith('--shutdown-delay') || a === '--disable-http2'), false);
  const memory = build(flags({ storage: 'memory' }));
  assert.equal((find(memory, 'Deployment') as any).spec.replicas, 1);
  assert.equal(memory.some((o) => o.kind === 'PersistentVolumeClaim'), false);
});

test('--etcd-secret: the etcd client Secret is mounted read-only and passed as --etcd-cafile/--etcd-certfile/--etcd-keyfile', () => {
  const d = find(build(flags({ storage: 'etcd', etcdServers: 'https://10.0.0.1:2379', etcdSecret: 'etcd-client' })), 'Deployment') as any;
  const c = d.spec.template.spec.containers[0];
  assert.deepEqual(d.spec.template.spec.volumes.find((v: any) => v.name === 'etcd-client'), { name: 'etcd-client', secret: { secretName: 'etcd-client' } });
  assert.deepEqual(c.volumeMounts.find((m: any) => m.name === 'etcd-client'), { name: 'etcd-client', mountPath: '/var/run/extapi/etcd-client', readOnly: true });
  for (const [flag, file] of [['cafile', 'ca.crt'], ['certfile', 'tls.crt'], ['keyfile', 'tls.key']]) {
    assert.ok(c.args.includes(`--etcd-${flag}=/var/run/extapi/etcd-client/${file}`), flag);
  }
  const plain = find(build(flags({ storage: 'etcd', etcdServers: 'http://10.0.0.1:2379' })), 'Deployment') as any;
  assert.equal(plain.spec.template.spec.volumes.some((v: any) => v.name === 'etcd-client'), false);
  assert.equal(plain.spec.template.spec.containers[0].args.some((a: string) => a.startsWith('--etcd-cafile')), false);
});

test('flag combinations that cannot work are refused with a usage error', () => {
  const usage = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof ActionableError && e.exitCode === 2 && re.test(e.message));
  usage(() => build(flags({ replicas: 3 })), /needs shared storage/);
  usage(() => build(flags({ storage: 'etcd' })), /--etcd-servers/);
  usage(() => build(flags({ etcdServers: 'x' })), /only applies with --storage etcd/);
  usage(() => build(flags({ etcdSecret: 'x' })), /--etcd-secret only applies with --storage etcd/);
  usage(() => build(flags({ certManager: true, external: '127.0.0.1:8443' })), /do not mix/);
  usage(() => build(flags({ external: '[::1]:8443' })), /IPv6/);
});

test('one APIService per version: caBundle, never insecureSkipTLSVerify, preferred version highest', () => {
  const apis = build(flags()).filter((o) => o.kind === 'APIService') as any[];
  assert.deepEqual(apis.map((a) => a.metadata.name), ['v1.toys.example.com', 'v1beta2.toys.example.com', 'v1alpha1.toys.example.com']);
  const priorities = apis.map((a) => a.spec.versionPriority);
  assert.deepEqual([...priorities].sort((a, b) => b - a), priorities);
  assert.ok(priorities[0] > priorities[1]);
  for (const a of apis) {
    assert.equal(a.spec.caBundle, Buffer.from('CA-BUNDLE\n').toString('base64'));
    assert.equal(a.spec.insecureSkipTLSVerify, undefined);
    assert.equal(a.spec.groupPriorityMinimum, 1000);
    assert.deepEqual(a.spec.service, { namespace: 'toys', name: 'api', port: 443 });
  }
});

test('--external: ExternalName Service, APIService port = the external port, no workload objects', () => {
  const objs = build(flags({ external: '127.0.0.1:18443' })) as any[];
  assert.deepEqual(kinds(objs), ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRoleBinding', 'RoleBinding', 'Service', 'APIService', 'APIService', 'APIService']);
  assert.deepEqual(find(objs, 'Service').spec, { type: 'ExternalName', externalName: '127.0.0.1' });
  const api = find(objs, 'APIService') as any;
  assert.equal(api.spec.service.port, 18443);
  assert.equal(api.metadata.annotations[EXTERNAL_SERVER_ANNOTATION], '127.0.0.1:18443');
});

test('--cert-manager: Issuers and Certificates instead of the Secret, CA injected by annotation', () => {
  const objs = build(flags({ certManager: true }), { kind: 'cert-manager', days: 90 }) as any[];
  assert.equal(objs.some((o) => o.kind === 'Secret'), false);
  const certs = objs.filter((o) => o.kind === 'Certificate');
  assert.equal(certs.length, 2);
  const ca = certs.find((c) => c.spec.isCA);
  const serving = certs.find((c) => !c.spec.isCA);
  assert.equal(serving.metadata.name, 'api-serving-cert');
  assert.equal(serving.spec.secretName, 'api-serving-cert');
  assert.deepEqual(serving.spec.dnsNames, ['api.toys.svc', 'api.toys.svc.cluster.local', 'api.toys', 'api']);
  assert.equal(serving.spec.issuerRef.name, objs.find((o) => o.kind === 'Issuer' && o.spec.ca).metadata.name);
  assert.equal(objs.find((o) => o.kind === 'Issuer' && o.spec.ca).spec.ca.secretName, ca.spec.secretName);
  assert.equal(serving.spec.duration, `${90 * 24}h`);
  for (const a of objs.filter((o) => o.kind === 'APIService')) {
    assert.equal(a.spec.caBundle, undefined);
    assert.equal(a.metadata.annotations[INJECT_CA_FROM], 'toys/api-serving-cert');
  }
  assert.ok(objs.findIndex((o) => o.kind === 'Certificate') < objs.findIndex((o) => o.kind === 'Deployment'));
});

test('YAML stream and kustomization round-trip, in order', () => {
  const steps = buildManifests(manifestSpec(target, flags(), tls));
  const docs = parseAllDocuments(toYamlStream(steps)).map((d) => d.toJSON());
  assert.deepEqual(docs, steps.map((s) => s.object));
  const files = steps.map(fileNameOf);
  assert.equal(new Set(files).size, files.length);
  assert.match(files[0], /^01-namespace-toys\.yaml$/);
  const k = parse(kustomization(files));
  assert.deepEqual(k.resources, files);
  assert.equal(k.kind, 'Kustomization');
});
