import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadKubeconfig } from './kubeconfig.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('loadKubeconfig', () => {
  let dir: string;
  const env = (extra: Record<string, string>) => ({ HOME: join(dir, 'no-home'), ...extra });
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'extapi-kubeconfig-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('merges the files of $KUBECONFIG as kubectl does: the first current-context and the first entry of each name win', async () => {
    await writeFile(join(dir, 'a.yaml'), `apiVersion: v1
kind: Config
clusters: [{name: shared, cluster: {server: "https://first:6443/", certificate-authority-data: "${b64('CA-A')}"}}]
users: [{name: u, user: {token: from-a}}]
contexts: [{name: ctx-a, context: {cluster: shared, user: u}}]
`);
    await writeFile(join(dir, 'b.yaml'), `apiVersion: v1
kind: Config
current-context: ctx-a
clusters: [{name: shared, cluster: {server: "https://second:6443"}}]
users: [{name: u, user: {token: from-b}}]
contexts: [{name: ctx-b, context: {cluster: shared, user: u}}]
`);
    const config = loadKubeconfig({ env: env({ KUBECONFIG: [join(dir, 'missing.yaml'), join(dir, 'a.yaml'), join(dir, 'b.yaml')].join(delimiter) }) })!;
    assert.equal(config.contextName, 'ctx-a');
    assert.deepEqual(config.contextNames, ['ctx-a', 'ctx-b']);
    assert.deepEqual(config.clusterNames, ['shared']);
    assert.deepEqual(config.cluster, { name: 'shared', server: 'https://first:6443', caPem: 'CA-A', insecureSkipTlsVerify: false, tlsServerName: undefined });
    assert.deepEqual(await config.credentials(), { cert: undefined, key: undefined, headers: { authorization: 'Bearer from-a' } });
  });

  it('reads certificate, key, CA and token files relative to the kubeconfig that names them', async () => {
    const sub = join(dir, 'sub');
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, 'ca.crt'), 'CA-FILE');
    await writeFile(join(sub, 'client.crt'), 'CERT-FILE');
    await writeFile(join(sub, 'client.key'), 'KEY-FILE');
    await writeFile(join(sub, 'token'), 'tok-from-file\n');
    await writeFile(join(sub, 'config'), `clusters: [{name: c, cluster: {server: "https://x", certificate-authority: ca.crt, tls-server-name: api.internal}}]
users:
- {name: certs, user: {client-certificate: client.crt, client-key: client.key}}
- {name: tokenfile, user: {tokenFile: token}}
- {name: basic, user: {username: admin, password: "p:w"}}
- {name: data, user: {client-certificate-data: "${b64('CERT-DATA')}", client-key-data: "${b64('KEY-DATA')}"}}
contexts:
- {name: certs, context: {cluster: c, user: certs}}
- {name: tokenfile, context: {cluster: c, user: tokenfile}}
- {name: basic, context: {cluster: c, user: basic}}
- {name: data, context: {cluster: c, user: data}}
current-context: certs
`);
    const path = join(sub, 'config');
    const certs = loadKubeconfig({ path })!;
    assert.equal(certs.cluster?.caPem, 'CA-FILE');
    assert.equal(certs.cluster?.tlsServerName, 'api.internal');
    assert.deepEqual(await certs.credentials(), { cert: 'CERT-FILE', key: 'KEY-FILE', headers: {} });
    assert.deepEqual((await loadKubeconfig({ path, context: 'tokenfile' })!.credentials()).headers, { authorization: 'Bearer tok-from-file' });
    assert.deepEqual((await loadKubeconfig({ path, context: 'basic' })!.credentials()).headers, { authorization: `Basic ${b64('admin:p:w')}` });
    const data = await loadKubeconfig({ path, context: 'data' })!.credentials();
    assert.deepEqual([data.cert, data.key], ['CERT-DATA', 'KEY-DATA']);
  });

  it('hands exec users to client-node: the credential plugin\'s token is presented', async () => {
    const plugin = join(dir, 'plugin.mjs');
    await writeFile(plugin, `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'from-plugin' } }));\n`);
    await writeFile(join(dir, 'exec.yaml'), `clusters: [{name: c, cluster: {server: "https://x"}}]
users: [{name: e, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: "${process.execPath}", args: ["${plugin}"], interactiveMode: Never}}}]
contexts: [{name: e, context: {cluster: c, user: e}}]
current-context: e
`);
    const creds = await loadKubeconfig({ path: join(dir, 'exec.yaml') })!.credentials();
    assert.equal(creds.headers.Authorization ?? creds.headers.authorization, 'Bearer from-plugin');
  });

  it('says what is wrong with a file that is not a kubeconfig, a missing file and an unknown context; answers undefined when nothing is configured', async () => {
    await writeFile(join(dir, 'list.yaml'), '- a\n- b\n');
    assert.throws(() => loadKubeconfig({ path: join(dir, 'list.yaml') }), /cannot read the kubeconfig .*list\.yaml: it is empty or not a kubeconfig/);
    await writeFile(join(dir, 'empty.yaml'), '');
    assert.throws(() => loadKubeconfig({ path: join(dir, 'empty.yaml') }), /it is empty or not a kubeconfig/);
    assert.throws(() => loadKubeconfig({ path: dir }), /cannot read the kubeconfig .*: it is a directory, not a file/);
    assert.throws(() => loadKubeconfig({ path: join(dir, 'nope') }), /the kubeconfig .*nope does not exist; pass --kubeconfig with the path of an existing file/);
    await writeFile(join(dir, 'one.yaml'), 'contexts: [{name: only, context: {}}]\n');
    assert.throws(() => loadKubeconfig({ path: join(dir, 'one.yaml'), context: 'other' }), /has no context "other"; pick one of: only/);
    assert.equal(loadKubeconfig({ env: env({}) }), undefined);
    // As kubectl: a set $KUBECONFIG replaces ~/.kube/config, even when none of its files exists.
    await mkdir(join(dir, 'home', '.kube'), { recursive: true });
    await writeFile(join(dir, 'home', '.kube', 'config'), 'current-context: home\ncontexts: [{name: home, context: {}}]\n');
    assert.equal(loadKubeconfig({ env: { HOME: join(dir, 'home') } })?.contextName, 'home');
    assert.throws(() => loadKubeconfig({ env: { HOME: join(dir, 'home'), KUBECONFIG: join(dir, 'gone.yaml') } }), /no file named in KUBECONFIG \(.*gone\.yaml\) exists; fix KUBECONFIG or pass --kubeconfig/);
  });
});
