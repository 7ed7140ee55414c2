/**
 * The node harness itself: a node cluster comes up (kubelet registered and Ready, the controllers
 * and scheduler running), a pod is scheduled, gets an IP on the harness's bridge and runs; the
 * `kubernetes` Service reaches kube-apiserver through kube-proxy; and teardown leaves no process,
 * mount, cgroup, bridge, nft table, route or changed sysctl behind.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodeCluster, type NodeCluster } from '../../src/testing/node/node-cluster.ts';
import { PAUSE_IMAGE } from '../../src/testing/node/configs.ts';
import { nodeLeftovers } from '../../src/testing/node/teardown.ts';
import { kubectlJson, makeKubectl, waitUntil } from './support.ts';

let cluster: NodeCluster;
let kubectl: ReturnType<typeof makeKubectl>;

before(async () => {
  cluster = await startNodeCluster();
  kubectl = makeKubectl(cluster);
});

after(async () => { await cluster?.stop(); });

test('the node is Ready and a pod runs on the bridge', async () => {
  const node = await kubectlJson(kubectl, ['get', 'node', cluster.node.name]);
  assert.ok(node.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'));
  assert.equal(node.status.addresses.find((a: any) => a.type === 'InternalIP').address, cluster.node.network.gateway);
  await kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sleeper', namespace: 'default' },
    spec: { containers: [{ name: 'pause', image: PAUSE_IMAGE, imagePullPolicy: 'Never' }], terminationGracePeriodSeconds: 1 },
  }));
  await waitUntil('pod sleeper Running', 120_000, async () => (await kubectlJson(kubectl, ['get', 'pod', 'sleeper'])).status.phase === 'Running');
  const pod = await kubectlJson(kubectl, ['get', 'pod', 'sleeper']);
  assert.ok(pod.status.podIP.startsWith(cluster.node.network.podCidr.replace(/0\/24$/, '')), pod.status.podIP);
  // the kubernetes Service's endpoint is kube-apiserver on the bridge; kube-proxy programs it
  const eps = await kubectlJson(kubectl, ['get', 'endpointslices', '-n', 'default', '-l', 'kubernetes.io/service-name=kubernetes']);
  assert.equal(eps.items[0].endpoints[0].addresses[0], cluster.node.network.gateway);
});

test('teardown leaves no process, mount, cgroup, bridge, nft table, route or changed sysctl', async () => {
  const state = cluster.state;
  await cluster.stop();
  assert.deepEqual(nodeLeftovers(state), []);
});
