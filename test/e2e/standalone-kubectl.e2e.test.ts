/**
 * The README's main job: the wardle sample standalone on the embedded store, driven by the real
 * kubectl (built from the same Kubernetes version as the test control plane) through the
 * kubeconfig the server writes. Ends with a `kill -9` and a restart: the data must survive.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveControlPlaneBinaries } from '../../src/testing/binaries.ts';
import { runKubectl, type KubectlResult } from '../../src/testing/kubectl.ts';
import { freeLoopbackPorts } from '../../src/testing/ports.ts';

const FLUNDER = (name: string, reference: string) => `apiVersion: wardle.example.com/v1alpha1
kind: Flunder
metadata: {name: ${name}}
spec: {reference: ${reference}, referenceType: Flunder}
`;

/** The v1alpha1 form (kubectl otherwise uses the preferred version, v1beta1). */
const ALPHA = 'flunders.v1alpha1.wardle.example.com';

describe('kubectl against the standalone wardle server (embedded storage)', () => {
  let dir: string;
  let port: number;
  let server: ChildProcess | undefined;
  let kubectl: (args: string[], input?: string, timeoutMs?: number) => Promise<KubectlResult>;

  const start = async () => {
    server = spawn(process.execPath, ['--import', 'tsx', 'examples/wardle/main.ts', '--standalone', '--dev-dir', dir, '--secure-port', String(port)],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: '' } });
    let output = '';
    server.stdout!.on('data', (d) => { output += d; });
    server.stderr!.on('data', (d) => { output += d; });
    for (let i = 0; i < 150; i++) {
      if (server.exitCode !== null) throw new Error(`server exited: ${output}`);
      if (existsSync(join(dir, 'kubeconfig')) && (await kubectl(['get', '--raw', '/readyz'])).stdout === 'ok') return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`server not ready: ${output}`);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'extapi-standalone-'));
    [port] = await freeLoopbackPorts(1);
    const binDir = await resolveControlPlaneBinaries();
    kubectl = (args, input, timeoutMs) => runKubectl({ binDir, kubeconfig: join(dir, 'kubeconfig'), cacheDir: join(dir, 'kubectl-cache') }, args, { input, timeoutMs });
    await start();
  });

  after(async () => {
    server?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('says "No resources found" before anything is created', async () => {
    const res = await kubectl(['get', 'flunders']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr.trim(), 'No resources found in default namespace.');
  });

  it('creates, replaces and patches with all three patch types', async () => {
    const created = await kubectl(['create', '-f', '-'], FLUNDER('alpha', 'one'));
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'flunder.wardle.example.com/alpha created');
    const current = JSON.parse((await kubectl(['get', ALPHA, 'alpha', '-o', 'json'])).stdout);
    assert.equal(current.apiVersion, 'wardle.example.com/v1alpha1');
    current.spec.reference = 'two';
    const replaced = await kubectl(['replace', '-f', '-'], JSON.stringify(current));
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.equal(replaced.stdout.trim(), 'flunder.wardle.example.com/alpha replaced');
    for (const [type, patch, expected] of [
      ['merge', '{"spec":{"reference":"three"}}', 'three'],
      ['json', '[{"op":"replace","path":"/spec/reference","value":"four"}]', 'four'],
      ['strategic', '{"spec":{"reference":"five"}}', 'five'],
    ]) {
      const res = await kubectl(['patch', ALPHA, 'alpha', `--type=${type}`, '-p', patch]);
      assert.equal(res.code, 0, `${type}: ${res.stderr}`);
      assert.equal(res.stdout.trim(), 'flunder.wardle.example.com/alpha patched');
      const got = JSON.parse((await kubectl(['get', ALPHA, 'alpha', '-o', 'json'])).stdout);
      assert.equal(got.spec.reference, expected, type);
    }
    const beta = JSON.parse((await kubectl(['get', 'flunder', 'alpha', '-o', 'json'])).stdout);
    assert.equal(beta.apiVersion, 'wardle.example.com/v1beta1');
    assert.equal(beta.spec.flunderReference, 'five', 'the same object read in the preferred version');
    const stale = await kubectl(['replace', '-f', '-'], JSON.stringify(current));
    assert.notEqual(stale.code, 0);
    assert.match(stale.stderr, /the object has been modified; please apply your changes to the latest version and try again/);
  });

  it('labels and annotates, and selects by label', async () => {
    assert.equal((await kubectl(['label', 'flunder', 'alpha', 'tier=gold'])).stdout.trim(), 'flunder.wardle.example.com/alpha labeled');
    assert.equal((await kubectl(['annotate', 'flunder', 'alpha', 'note=hello'])).stdout.trim(), 'flunder.wardle.example.com/alpha annotated');
    const got = JSON.parse((await kubectl(['get', 'flunders', '-l', 'tier=gold', '-o', 'json'])).stdout);
    assert.deepEqual(got.items.map((i: any) => i.metadata.name), ['alpha']);
    assert.equal(got.items[0].metadata.annotations.note, 'hello');
    const none = await kubectl(['get', 'flunders', '-l', 'tier=silver']);
    assert.equal(none.stderr.trim(), 'No resources found in default namespace.');
  });

  it('streams changes to kubectl get -w', async () => {
    const watcher = kubectl(['get', 'flunders', '--watch-only', '-o', 'name'], undefined, 4000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await kubectl(['create', '-f', '-'], FLUNDER('beta', 'one'))).code, 0);
    const res = await watcher;
    assert.match(res.stdout, /flunder.wardle.example.com\/beta/);
  });

  it('deletes', async () => {
    const res = await kubectl(['delete', 'flunder', 'alpha']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), 'flunder.wardle.example.com "alpha" deleted from default namespace');
    assert.match((await kubectl(['get', 'flunder', 'alpha'])).stderr, /flunders.wardle.example.com "alpha" not found/);
  });

  it('keeps every acknowledged object across kill -9 and a restart', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await kubectl(['create', '-f', '-'], FLUNDER(`keep-${i}`, 'x'))).code, 0);
    server!.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    await start();
    const got = JSON.parse((await kubectl(['get', 'flunders', '-o', 'json'])).stdout);
    assert.deepEqual(got.items.map((i: any) => i.metadata.name).sort(), ['beta', 'keep-0', 'keep-1', 'keep-2', 'keep-3', 'keep-4']);
  });
});
