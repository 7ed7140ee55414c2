/**
 * The node harness itself: a node cluster comes up (kubelet registered and Ready, the controllers
 * and scheduler running), a pod is scheduled, gets an IP on the harness's bridge and runs; the
 * `kubernetes` Service reaches kube-apiserver through kube-proxy. The cluster is owned by a child
 * process (test/node/node-owner.ts) that is then SIGKILLed: the owner-death watchdog must tear the
 * node down by itself and leave no process, mount, cgroup, bridge, nft table, route, changed
 * sysctl or host lock behind. (wardle-on-node.e2e.test.ts checks the same after an ordinary stop.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readControlPlaneState } from '../../src/testing/control-plane-state.ts';
import { REPO_ROOT } from '../../src/testing/binaries.ts';
import { isAlive } from '../../src/testing/processes.ts';
import { nodeClusterHandle, type NodeCluster, type NodeClusterState } from '../../src/testing/node/node-cluster.ts';
import { PAUSE_IMAGE } from '../../src/testing/node/configs.ts';
import { HOST_LOCK_PID } from '../../src/testing/node/node-state.ts';
import { teardownNodeCluster } from '../../src/testing/node/teardown.ts';
import { kubectlJson, leftoversUnderHostLock, makeKubectl, waitUntil } from './support.ts';

let owner: ChildProcess;
let cluster: NodeCluster;
let kubectl: ReturnType<typeof makeKubectl>;

before(async () => {
  owner = spawn(process.execPath, ['--import', 'tsx', 'test/node/node-owner.ts'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const stateFile = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the owner process did not start a node cluster in 10 min')), 600_000);
    createInterface({ input: owner.stdout! }).once('line', (line) => { clearTimeout(timer); resolve(line.trim()); });
    owner.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the owner process exited (${code}) before its node cluster was up`)); });
  });
  cluster = await nodeClusterHandle(await readControlPlaneState(stateFile) as NodeClusterState, false);
  kubectl = makeKubectl(cluster);
});

after(async () => {
  if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL');
  if (cluster) await teardownNodeCluster(cluster.state); // idempotent: a no-op after the watchdog's teardown
});

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

test('the owner dies (SIGKILL): the watchdog tears the node down and leaves nothing, host lock included', async () => {
  const state = cluster.state;
  const lockPid = state.node.pids[HOST_LOCK_PID];
  assert.ok(lockPid && isAlive(lockPid), 'a running node cluster holds the host lock');
  owner.kill('SIGKILL');
  // teardown releases the host lock last
  await waitUntil('the watchdog to finish the teardown (host lock released)', 180_000, async () => !isAlive(lockPid));
  assert.deepEqual(await leftoversUnderHostLock(state), []);
});
