import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKubeconfig, createCertificateAuthority } from '../certs/index.ts';
import { runCli } from './cli.ts';
import type { CliIo, TextStream } from './output.ts';
import { colorsEnabled } from './output.ts';

interface Captured extends CliIo {
  out: () => string;
  err: () => string;
}

function io(env: NodeJS.ProcessEnv = {}, cwd = tmpdir()): Captured {
  let out = '';
  let err = '';
  const stdout: TextStream = { write: (s: string) => { out += s; return true; } };
  const stderr: TextStream = { write: (s: string) => { err += s; return true; } };
  return { stdout, stderr, env: { NO_COLOR: '1', ...env }, cwd, out: () => out, err: () => err };
}

/** One sentence: a single `error:` line, no stack frames. */
function assertOneSentence(text: string, re: RegExp): void {
  assert.match(text, /^error: /);
  assert.equal(text.trim().split('\n').length, 1, text);
  assert.doesNotMatch(text, /\n\s+at /);
  assert.match(text, re);
}

test('--help lists every command; no command at all is a usage error', async () => {
  const a = io();
  assert.equal(await runCli(['--help'], a), 0);
  for (const name of ['certs', 'certs rotate', 'manifests', 'deploy', 'doctor', 'uninstall']) assert.match(a.out(), new RegExp(`\\n  ${name} `));
  assert.equal(await runCli([], io()), 2);
});

test('a command\'s --help shows its flags and exits 0', async () => {
  const a = io();
  assert.equal(await runCli(['deploy', '--help'], a), 0);
  for (const flag of ['--external', '--kubeconfig', '--server-module', '--namespace', '--timeout', '--cert-manager']) assert.match(a.out(), new RegExp(flag));
});

test('unknown command, unknown flag, bad flag values: exit 2 and one sentence saying what to do', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['deploi'], /unknown command "deploi".*extapi --help/],
    [['deploy', '--bogus'], /unknown option '--bogus'.*extapi deploy --help/],
    [['certs', '--namespace', 'Bad_Name'], /not a valid name/],
    [['manifests', '--storage', 'disk'], /--storage.*embedded, memory, etcd/],
    [['deploy', '--external', 'localhost'], /host:port/],
    [['deploy', '--timeout', 'soon'], /not a duration/],
    [['certs', '--days', '-3'], /whole number of days from 1 to 36500/],
  ];
  for (const [argv, re] of cases) {
    const a = io();
    assert.equal(await runCli(argv, a), 2, argv.join(' '));
    assertOneSentence(a.err(), re);
  }
});

test('no kubeconfig anywhere: exit 1 and how to provide one', async () => {
  const home = await mkdtemp(join(tmpdir(), 'extapi-cli-home-'));
  try {
    const a = io({ HOME: home });
    assert.equal(await runCli(['doctor'], a), 1);
    assertOneSentence(a.err(), /no kubeconfig found; pass --kubeconfig/);
    const b = io({ HOME: home });
    assert.equal(await runCli(['deploy', '--kubeconfig', join(home, 'missing')], b), 1);
    assertOneSentence(b.err(), /does not exist/);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

test('an unreachable cluster: exit 1, names the server, says what to check', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'extapi-cli-kc-'));
  const closed = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const port = (s.address() as { port: number }).port; s.close(() => resolve(port)); });
  });
  try {
    const ca = await createCertificateAuthority();
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, buildKubeconfig({ server: `https://127.0.0.1:${closed}`, caPem: ca.certPem, credentials: { token: 'x' } }));
    const a = io({ HOME: dir }, dir);
    assert.equal(await runCli(['uninstall', '--kubeconfig', kubeconfig], a), 1);
    assertOneSentence(a.err(), new RegExp(`cannot reach the cluster at https://127\\.0\\.0\\.1:${closed}.*connection refused`));
    const b = io({ HOME: dir }, dir);
    assert.equal(await runCli(['doctor', '--kubeconfig', kubeconfig, '--context', 'nope'], b), 2);
    assertOneSentence(b.err(), /no context "nope"; pick one of: extapi/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('certs writes files, reuses them on a second run, and prints no colours to a pipe', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'extapi-cli-certs-'));
  try {
    const a = io({}, dir);
    assert.equal(await runCli(['certs', '-n', 'toys', '--service', 'api'], a), 0);
    assert.match(a.out(), /created .*\.extapi\/certs\/toys\.api\/ca\.crt/);
    assert.match(a.out(), /api\.toys\.svc, api\.toys\.svc\.cluster\.local, api\.toys, api/);
    assert.ok(!a.out().includes('\u001b['), 'no escape codes');
    const b = io({}, dir);
    assert.equal(await runCli(['certs', '-n', 'toys', '--service', 'api'], b), 0);
    assert.equal(b.out().match(/reused/g)?.length, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('colours: on for a TTY, off for pipes, NO_COLOR and TERM=dumb', () => {
  assert.equal(colorsEnabled({ write: () => true, isTTY: true }, {}), true);
  assert.equal(colorsEnabled({ write: () => true }, {}), false);
  assert.equal(colorsEnabled({ write: () => true, isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(colorsEnabled({ write: () => true, isTTY: true }, { TERM: 'dumb' }), false);
  assert.equal(colorsEnabled({ write: () => true }, { FORCE_COLOR: '1' }), true);
});
