/**
 * The cluster-view example behind the real aggregator: a computed read-only resource derived
 * live from the cluster's own namespaces and ConfigMaps (list, get, selectors, Table columns,
 * `kubectl get -w` showing changes, 405 for writes with discovery agreeing), and a resource
 * whose custom storage is the cluster's ConfigMaps (resourceVersion and conflicts kept).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { registrationYaml, serverRbacYaml, startWardle, waitAvailable, type RegisteredGroup, type WardleProcess } from './support/wardle-server.ts';

const RUN = Math.random().toString(36).slice(2, 7);
const NS = `view-e2e-${RUN}`;
const SERVER_USER = `cluster-view-${RUN}`;
const VIEW: RegisteredGroup = { group: 'view.example.com', versions: [['v1alpha1', 15]] };
const SUMMARIES = '/apis/view.example.com/v1alpha1/namespacesummaries';

/** What the server reads of the cluster: ConfigMaps (its Notes' storage and the summaries' counts). */
const configMapsRbac = (user: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${user}:configmaps}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list, watch, create, update, delete]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${user}:configmaps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${user}:configmaps}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${user}}]
`;

after(async () => { await (await getSharedControlPlane()).stop(); });

describe('cluster-view behind the aggregator', () => {
  let cp: ControlPlane;
  let server: WardleProcess;

  before(async () => {
    cp = await getSharedControlPlane();
    const rbac = await cp.kubectl(['apply', '-f', '-'], { input: `${serverRbacYaml(SERVER_USER, SERVER_USER)}---\n${configMapsRbac(SERVER_USER)}` });
    assert.equal(rbac.code, 0, rbac.stderr);
    server = await startWardle({ kubeconfig: await cp.mintKubeconfig(SERVER_USER), serviceDnsName: `api.${NS}.svc`, main: 'examples/cluster-view/main.ts' });
    const registered = await cp.kubectl(['apply', '-f', '-'], { input: registrationYaml(NS, 'api', server.port, server.ca.certPem, true, VIEW) });
    assert.equal(registered.code, 0, registered.stderr);
    await waitAvailable(cp, 60_000, VIEW);
  });

  after(async () => {
    await cp?.kubectl(['delete', 'apiservice', 'v1alpha1.view.example.com', '--ignore-not-found']);
    await server?.stop();
    await cp?.kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
    await cp?.kubectl(['delete', 'clusterrole,clusterrolebinding', SERVER_USER, `${SERVER_USER}:configmaps`, '--ignore-not-found']);
  });

  it('computed: kubectl get prints a row per namespace of the cluster with its columns', async () => {
    const res = await cp.kubectl(['get', 'namespacesummaries', 'kube-system', NS]);
    assert.equal(res.code, 0, res.stderr);
    const [header, ...rows] = res.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(header, ['NAME', 'PHASE', 'CONFIGMAPS', 'AGE']);
    assert.deepEqual(rows.map((r) => [r[0], r[1]]), [['kube-system', 'Active'], [NS, 'Active']]);
    const kubeSystem = JSON.parse((await cp.kubectl(['get', 'configmaps', '-n', 'kube-system', '-o', 'json'])).stdout);
    assert.equal(Number(rows[0][2]), kubeSystem.items.length);
  });

  it('computed: label and field selectors filter through the aggregator', async () => {
    const byLabel = await cp.kubectl(['get', '--raw', `${SUMMARIES}?labelSelector=${encodeURIComponent(`kubernetes.io/metadata.name=${NS}`)}`]);
    assert.equal(byLabel.code, 0, byLabel.stderr);
    assert.deepEqual(JSON.parse(byLabel.stdout).items.map((o: { metadata: { name: string } }) => o.metadata.name), [NS]);
    const byField = await cp.kubectl(['get', 'nss', '--field-selector', 'status.phase=Terminating', '-o', 'name']);
    assert.equal(byField.code, 0, byField.stderr);
    assert.equal(byField.stdout.includes(`namespacesummary.view.example.com/${NS}`), false);
    const bad = await cp.kubectl(['get', 'nss', '--field-selector', 'status.bogus=x']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /"status\.bogus" is not a known field selector: only "metadata\.name", "metadata\.namespace", "status\.phase"/);
  });

  it('computed: kubectl get -w shows a ConfigMap created in the namespace as a changed count', async () => {
    const watch = cp.kubectlStream(['get', 'namespacesummaries', NS, '-w', '--output-watch-events']);
    try {
      const first = await watch.waitFor(new RegExp(`ADDED\\s+${NS}\\s+Active\\s+\\d+\\s`));
      const count = Number(new RegExp(`ADDED\\s+${NS}\\s+Active\\s+(\\d+)`).exec(first)![1]);
      const created = await cp.kubectl(['create', 'configmap', 'counted', '-n', NS, '--from-literal=a=b']);
      assert.equal(created.code, 0, created.stderr);
      await watch.waitFor(new RegExp(`MODIFIED\\s+${NS}\\s+Active\\s+${count + 1}\\s`), 30_000);
    } finally { await watch.stop(); }
  });

  it('computed: writes answer 405 MethodNotAllowed and discovery lists only get, list, watch', async () => {
    const del = await cp.kubectl(['delete', 'namespacesummary', NS]);
    assert.notEqual(del.code, 0);
    assert.match(del.stderr, /the server does not allow this method on the requested resource/);
    const raw = await cp.kubectl(['create', '--raw', SUMMARIES, '-f', '-'], { input: JSON.stringify({ apiVersion: 'view.example.com/v1alpha1', kind: 'NamespaceSummary', metadata: { name: 'x' } }) });
    assert.notEqual(raw.code, 0);
    assert.match(raw.stderr, /MethodNotAllowed|the server does not allow this method/);
    const discovery = JSON.parse((await cp.kubectl(['get', '--raw', '/apis/view.example.com/v1alpha1'])).stdout);
    assert.deepEqual(discovery.resources.find((r: { name: string }) => r.name === 'namespacesummaries').verbs, ['get', 'list', 'watch']);
    const wide = await cp.kubectl(['api-resources', '--api-group=view.example.com', '-o', 'wide', '--no-headers']);
    assert.match(wide.stdout, /namespacesummaries\s+nss\s+view\.example\.com\/v1alpha1\s+false\s+NamespaceSummary\s+get,list,watch/);
  });

  it('custom storage: notes live in ConfigMaps and keep resourceVersion and conflict semantics', async () => {
    const created = await cp.kubectl(['create', '-f', '-', '-o', 'json'], { input: `apiVersion: view.example.com/v1alpha1\nkind: Note\nmetadata: {name: first, namespace: ${NS}, labels: {kind: memo}}\nspec: {text: hello}\n` });
    assert.equal(created.code, 0, created.stderr);
    const note = JSON.parse(created.stdout);
    const cm = JSON.parse((await cp.kubectl(['get', 'configmap', 'note-first', '-n', NS, '-o', 'json'])).stdout);
    assert.equal(note.metadata.resourceVersion, cm.metadata.resourceVersion);
    assert.deepEqual(JSON.parse(cm.data.spec), { text: 'hello' });
    assert.match(note.metadata.uid, /^[0-9a-f-]{36}$/);
    const listed = await cp.kubectl(['get', 'notes', '-n', NS, '-l', 'kind=memo', '-o', 'name']);
    assert.equal(listed.stdout.trim(), 'note.view.example.com/first');

    const patched = await cp.kubectl(['patch', 'note', 'first', '-n', NS, '--type=merge', '-p', '{"spec":{"text":"changed"}}', '-o', 'json']);
    assert.equal(patched.code, 0, patched.stderr);
    assert.ok(Number(JSON.parse(patched.stdout).metadata.resourceVersion) > Number(note.metadata.resourceVersion));

    const stale = await cp.kubectl(['replace', '-f', '-'], { input: JSON.stringify({ ...note, spec: { text: 'stale' } }) });
    assert.notEqual(stale.code, 0);
    assert.match(stale.stderr, /Operation cannot be fulfilled on notes\.view\.example\.com "first": the object has been modified; please apply your changes to the latest version and try again/);

    const behind = await cp.kubectl(['annotate', 'configmap', 'note-first', '-n', NS, 'touched=yes']);
    assert.equal(behind.code, 0, behind.stderr);
    const afterTouch = await cp.kubectl(['patch', 'note', 'first', '-n', NS, '--type=merge', '-p', '{"spec":{"text":"again"}}', '-o', 'json']);
    assert.equal(afterTouch.code, 0, afterTouch.stderr);
    assert.equal(JSON.parse(afterTouch.stdout).spec.text, 'again');

    const dup = await cp.kubectl(['create', '-f', '-'], { input: `apiVersion: view.example.com/v1alpha1\nkind: Note\nmetadata: {name: first, namespace: ${NS}}\nspec: {text: twice}\n` });
    assert.match(dup.stderr, /notes\.view\.example\.com "first" already exists/);
    const deleted = await cp.kubectl(['delete', 'note', 'first', '-n', NS]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal((await cp.kubectl(['get', 'configmap', 'note-first', '-n', NS])).code, 1);
    const gone = await cp.kubectl(['get', 'note', 'first', '-n', NS]);
    assert.match(gone.stderr, /notes\.view\.example\.com "first" not found/);
  });
});
