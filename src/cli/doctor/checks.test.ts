import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError, type KubeClient } from '../../kube/client.ts';
import type { Cluster } from '../cluster.ts';
import { objectNames, planGroups } from '../target.ts';
import { defineResource } from '../../resource/define-resource.ts';
import { availabilityFix, clusterChecks } from './checks-cluster.ts';
import { latencyResult, servingChecks } from './checks-serving.ts';
import { runDoctor } from './run-doctor.ts';
import { storageChecks } from './checks-storage.ts';
import type { DoctorFacts } from './types.ts';

const toys = defineResource({ group: 'toys.example.com', kind: 'Toy', plural: 'toys', namespaced: true, versions: [{ name: 'v1', storage: true, schema: {} }] });
const target = { namespace: 'toys', service: 'api', serviceAccount: 'sa', groups: planGroups([toys]), resources: [toys] };

/** A client answering GETs from a table (404 for anything else). */
function fakeClient(responses: Record<string, unknown>): KubeClient {
  const client: KubeClient = {
    server: 'https://127.0.0.1:6443', contextName: 'test',
    async request(_method, path) {
      if (path in responses) return responses[path] as never;
      throw new KubeApiError(404, 'not found');
    },
    async getOrNull(path) { return (responses[path] ?? null) as never; },
    async watch() { /* unused */ },
  };
  return client;
}

function facts(over: Partial<DoctorFacts> = {}, responses: Record<string, unknown> = {}): DoctorFacts {
  const client = fakeClient(responses);
  const cluster: Cluster = { client, server: client.server, context: 'test', errorContext: {}, credentials: async () => ({ headers: {} }), whoami: async () => 'me' };
  return {
    cluster, target, names: objectNames(target), hints: { deploy: 'extapi deploy -n toys', rotate: 'extapi certs rotate -n toys' },
    apiRegistrationServed: true, namespace: { obj: { status: { phase: 'Active' } } }, service: { obj: null }, serviceAccount: { obj: null },
    secret: { obj: null }, deployment: { obj: null }, apiServices: [{ name: 'v1.toys.example.com', obj: null }], external: false,
    credentials: {}, ...over,
  };
}

const apiService = (spec: Record<string, unknown>, conditions: unknown[] = []) => ({ metadata: { name: 'v1.toys.example.com' }, spec, status: { conditions } });

test('API group disabled: fails with the --runtime-config fix', async () => {
  const [r] = await clusterChecks.apiEnabled.run(facts({ apiRegistrationServed: false }));
  assert.equal(r.status, 'fail');
  assert.match(r.fix!, /--runtime-config=apiregistration\.k8s\.io\/v1=true/);
});

test('APIService: not Available (with the condition\'s reason and message), insecure, owned by another Service', async () => {
  const svc = { namespace: 'toys', name: 'api', port: 443 };
  const cases: Array<[unknown, RegExp]> = [
    [apiService({ service: svc, caBundle: 'eA==' }, [{ type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: 'x509: certificate signed by unknown authority' }]), /not Available: FailedDiscoveryCheck: x509/],
    [apiService({ service: svc, insecureSkipTLSVerify: true }), /insecureSkipTLSVerify/],
    [apiService({ service: { namespace: 'other', name: 'api' }, caBundle: 'eA==' }), /points at other\/api/],
    [apiService({ service: svc }), /no caBundle/],
  ];
  for (const [obj, re] of cases) {
    const [r] = await clusterChecks.apiServices.run(facts({ apiServices: [{ name: 'v1.toys.example.com', obj }] }));
    assert.equal(r.status, 'fail');
    assert.match(r.detail, re);
    assert.ok(r.fix);
  }
});

test('a Terminating namespace is a failure that points at unavailable APIServices', async () => {
  const [r] = await clusterChecks.namespace.run(facts({ namespace: { obj: { status: { phase: 'Terminating' } } } }));
  assert.equal(r.status, 'fail');
  assert.match(r.fix!, /unavailable APIService/);
});

test('a ClusterIP Service without ready endpoints fails', async () => {
  const f = facts({ service: { obj: { spec: { type: 'ClusterIP', ports: [{ port: 443 }] } } } }, {
    '/apis/discovery.k8s.io/v1/namespaces/toys/endpointslices': { items: [{ endpoints: [{ conditions: { ready: false } }] }] },
  });
  const results = await servingChecks.workload.run(f);
  const endpoints = results.find((r) => r.id === 'endpoints')!;
  assert.equal(endpoints.status, 'fail');
  assert.match(endpoints.detail, /no ready endpoint/);
  assert.equal(results.find((r) => r.id === 'service')!.status, 'pass');
});

test('discovery beyond the aggregator\'s 5 s budget fails; over 1 s warns', () => {
  assert.equal(latencyResult('x', 't', 5200).status, 'fail');
  assert.match(latencyResult('x', 't', 5200).detail, /5 s budget/);
  assert.equal(latencyResult('x', 't', 1500).status, 'warn');
  assert.equal(latencyResult('x', 't', 20).status, 'pass');
});

test('unavailable APIServices of others are failures with the delete command', async () => {
  const list = { items: [
    { metadata: { name: 'v1.ok.io' }, status: { conditions: [{ type: 'Available', status: 'True' }] } },
    { metadata: { name: 'v1beta1.metrics.k8s.io' }, status: { conditions: [{ type: 'Available', status: 'False', reason: 'ServiceNotFound', message: 'service/metrics-server in "kube-system" is not present' }] } },
  ] };
  const results = await clusterChecks.clusterApiServices.run(facts({}, { '/apis/apiregistration.k8s.io/v1/apiservices': list }));
  assert.deepEqual(results.map((r) => [r.id, r.status]), [['cluster-apiservices/v1beta1.metrics.k8s.io', 'fail']]);
  assert.match(results[0].detail, /ServiceNotFound/);
  assert.equal(results[0].fix, 'fix its server, or remove it: kubectl delete apiservice v1beta1.metrics.k8s.io');
});

test('runDoctor skips namespaced checks when the namespace is missing and turns a crashing check into a failure', async () => {
  const crash = { step: 99, title: 'boom', run: async () => { throw new Error('kaput'); } };
  const report = await runDoctor(facts({ namespace: { obj: null } }), { colors: { enabled: false } as never }, [clusterChecks.namespace, servingChecks.workload, crash]);
  assert.deepEqual(report.checks.map((c) => c.status), ['fail', 'skip', 'fail']);
  assert.match(report.checks[2].detail, /kaput/);
  assert.equal(report.ok, false);
});

test('the fix of an unavailable APIService follows its condition', () => {
  const hints = { hints: { deploy: 'extapi deploy -n toys', rotate: 'extapi certs rotate -n toys' } };
  const fix = (reason: string, message: string) => availabilityFix(hints, { type: 'Available', status: 'False', reason, message });
  assert.match(fix('ServiceNotFound', 'service/api in "toys" is not present'), /extapi deploy/);
  assert.match(fix('FailedDiscoveryCheck', 'tls: failed to verify certificate: x509: certificate signed by unknown authority'), /extapi certs rotate/);
  assert.match(fix('FailedDiscoveryCheck', 'dial tcp 10.0.0.7:443: i/o timeout'), /--enable-aggregator-routing=true/);
  assert.match(fix('MissingEndpoints', 'endpoints for service/api in "toys" have no addresses'), /no ready pod/);
});

test('stored versions: a version still stored but no longer served warns with the migration; an undeclared one fails; all in the storage version passes', async () => {
  const path = '/apis/toys.example.com/v1/storedversions.extapi.dev';
  const report = (objects: Record<string, number>) => ({ kind: 'StoredVersionsReport', apiVersion: 'extapi.dev/v1', group: 'toys.example.com', resources: [{
    resource: 'toys', kind: 'Toy', storageVersion: 'v1', servedVersions: ['v1'], declaredVersions: ['v1', 'v1alpha1'], storedVersions: Object.keys(objects), objects,
  }] });
  const [warn] = await storageChecks.storedVersions.run(facts({}, { [path]: report({ v1alpha1: 3, v1: 5 }) }));
  assert.equal(warn.status, 'warn');
  assert.equal(warn.detail, 'objects are still stored in v1alpha1, no longer served (v1alpha1: 3, v1: 5)');
  assert.equal(warn.fix, 'run extapi migrate-storage -n toys --resource toys before removing v1alpha1 from the server');
  const [fail] = await storageChecks.storedVersions.run(facts({}, { [path]: report({ v0: 1, v1: 5 }) }));
  assert.equal(fail.status, 'fail');
  assert.match(fail.detail, /stored in v0, which the server no longer declares/);
  const [pass] = await storageChecks.storedVersions.run(facts({}, { [path]: report({ v1: 5 }) }));
  assert.equal(pass.status, 'pass');
  const [skip] = await storageChecks.storedVersions.run(facts({}, {}));
  assert.equal(skip.status, 'skip');
});
