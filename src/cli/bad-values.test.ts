/**
 * Issue 18, item 8: every flag and argument of every `extapi` command, given a bad value, exits
 * non-zero with one sentence that says what is wrong and what to do — never a stack trace, a
 * raw TypeError, a hang, or a success that wrote something broken. Runs the CLI in process
 * (runCli) in a scratch directory, without a cluster: each case fails before one is needed.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COMMANDS, runCli } from './cli.ts';
import type { CliIo, TextStream } from './output.ts';

interface Case {
  argv: string[];
  /** What the sentence must say. */
  says: RegExp;
  /** Environment beyond HOME (values naming '@files' are replaced by their paths). */
  env?: Record<string, string>;
}

/** Flags of several commands, each with bad values and what the sentence must say. */
const PLACEMENT: Case[] = [
  { argv: ['--namespace', 'Bad_Name'], says: /"Bad_Name" is not a valid name: use lower-case/ },
  { argv: ['-n', ''], says: /"" is not a valid name/ },
  { argv: ['--service', 'x'.repeat(64)], says: /is not a valid name: .*at most 63/ },
];
const CERT: Case[] = [
  { argv: ['--key-algorithm', 'dsa'], says: /--key-algorithm.*ecdsa, rsa/ },
  { argv: ['--days', '0'], says: /"0" must be a whole number of days from 1 to 36500/ },
  { argv: ['--days', '1e9'], says: /"1e9" must be a whole number of days/ },
  { argv: ['--days', '36501'], says: /"36501" must be a whole number of days from 1 to 36500/ },
  { argv: ['--days', '-3'], says: /must be a whole number of days/ },
  { argv: ['--ca-days', 'ten'], says: /"ten" must be a whole number of days/ },
  { argv: ['--extra-san', 'not a name!'], says: /"not a name!" is neither an IP address nor a DNS name: use e\.g\./ },
  { argv: ['--extra-san', 'ok.example.com,bad_name'], says: /"bad_name" is neither an IP address nor a DNS name/ },
  { argv: ['--extra-san', ','], says: /names no DNS name or IP/ },
];
const TARGET: Case[] = [
  ...PLACEMENT,
  { argv: ['--service-account', 'Nope!'], says: /"Nope!" is not a valid name/ },
  { argv: ['--group', 'Not A Group'], says: /"Not A Group" is not an API group: use a lower-case DNS name/ },
];
const WORKLOAD: Case[] = [
  { argv: ['--image', ''], says: /"" is not an image reference: use e\.g\./ },
  { argv: ['--image', 'my image'], says: /"my image" is not an image reference/ },
  { argv: ['--storage', 'disk'], says: /--storage.*embedded, memory, etcd/ },
  { argv: ['--etcd-servers', 'etcd-0:2379'], says: /"etcd-0:2379" is not an etcd URL: use e\.g\. https:\/\/etcd-0:2379/ },
  { argv: ['--etcd-secret', 'Bad_Name'], says: /"Bad_Name" is not a valid name/ },
  { argv: ['--replicas', '0'], says: /"0" must be a positive whole number/ },
  { argv: ['--replicas', '1.5'], says: /"1.5" must be a positive whole number/ },
  { argv: ['--replicas', '99999999999'], says: /at most 2147483647/ },
  { argv: ['--external', 'localhost'], says: /"localhost" is not host:port/ },
  { argv: ['--external', 'h:70000'], says: /is not host:port/ },
];
const CLUSTER: Case[] = [
  { argv: ['--kubeconfig', '@missing'], says: /the kubeconfig .*missing does not exist; pass --kubeconfig with the path of an existing file/ },
  { argv: ['--kubeconfig', '@empty'], says: /cannot read the kubeconfig .*empty: it is empty or not a kubeconfig .*; fix the file or pass another with --kubeconfig/ },
  { argv: ['--kubeconfig', '@list'], says: /cannot read the kubeconfig .*list: it is empty or not a kubeconfig/ },
  { argv: ['--kubeconfig', '@dir'], says: /cannot read the kubeconfig .*dir: it is a directory, not a file/ },
  { argv: ['--kubeconfig', '@one-context', '--context', 'other'], says: /the kubeconfig has no context "other"; pick one of: only/ },
  { argv: [], env: { KUBECONFIG: '@missing' }, says: /no file named in KUBECONFIG \(.*missing\) exists; fix KUBECONFIG or pass --kubeconfig/ },
];
const timeout: Case[] = [
  { argv: ['--timeout', 'soon'], says: /"soon" is not a duration: use e\.g\. 90s/ },
  { argv: ['--timeout', '99999999m'], says: /"99999999m" is too long: use at most 24 days/ },
];

/** Every command with the cases of each of its flags and arguments. */
const TABLE: Record<string, Case[]> = {
  'init': [
    { argv: ['Bad_Project', '--group', 'a.example.com'], says: /project name "Bad_Project" must be lower-case/ },
    { argv: ['ok', '--group', 'nodot'], says: /--group "nodot" must be a lower-case DNS name with a dot/ },
    { argv: ['ok', '--group', 'a.example.com', '--kind', 'widget'], says: /kind "widget" must be UpperCamelCase/ },
    { argv: ['ok', '--group', 'a.example.com', '--version', '1'], says: /--version "1" must look like v1/ },
    { argv: ['ok'], says: /API group is required: add --group/ },
    { argv: [], says: /project name is required/ },
  ],
  'add resource': [
    { argv: ['gadget'], says: /kind "gadget" must be UpperCamelCase/ },
    { argv: ['Gadget', '--version', 'beta'], says: /--version "beta" must look like v1/ },
  ],
  'certs': [...PLACEMENT, ...CERT, { argv: ['--cert-dir', '/proc/x/certs'], says: /cannot create directory \/proc\/x\/certs: .*; choose a directory you can write/ }],
  'certs rotate': [...CLUSTER, ...PLACEMENT, ...CERT, ...timeout, { argv: ['--propagation-delay', '5 s'], says: /"5 s" is not a duration/ },
    { argv: ['--offline', '--cert-dir', '/proc/x/certs'], says: /\/proc\/x\/certs.*(does not|cannot|no CA)/ }],
  'manifests': [...TARGET, ...WORKLOAD, ...CERT, { argv: ['--out-dir', '/proc/x/out'], says: /cannot create directory \/proc\/x\/out: .*; choose a directory you can write/ },
    { argv: ['--cert-dir', '/proc/x/certs'], says: /cannot create directory \/proc\/x\/certs/ }],
  'deploy': [...CLUSTER, ...TARGET, ...WORKLOAD, ...CERT, ...timeout],
  'doctor': [...CLUSTER, ...TARGET, { argv: ['--address', 'nowhere'], says: /"nowhere" is not host:port/ }, { argv: ['-o', 'yaml'], says: /-o, --output.*text, json/ }],
  'uninstall': [...CLUSTER, ...TARGET],
  'migrate-storage': [...CLUSTER, ...TARGET],
};

interface Captured extends CliIo {
  out: () => string;
  err: () => string;
}

function io(cwd: string, home: string, env: Record<string, string> = {}): Captured {
  let out = '';
  let err = '';
  const stdout: TextStream = { write: (s: string) => { out += s; return true; } };
  const stderr: TextStream = { write: (s: string) => { err += s; return true; } };
  return { stdout, stderr, env: { NO_COLOR: '1', HOME: home, ...env }, cwd, out: () => out, err: () => err };
}

describe('every bad CLI value: one sentence and a non-zero exit (issue 18, item 8)', () => {
  let root: string;
  const files: Record<string, string> = {};
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'extapi-bad-values-'));
    files['@missing'] = join(root, 'missing');
    files['@empty'] = join(root, 'empty');
    await writeFile(files['@empty'], '');
    files['@list'] = join(root, 'list');
    await writeFile(files['@list'], '- a\n- b\n');
    files['@dir'] = join(root, 'dir');
    await mkdir(files['@dir']);
    files['@one-context'] = join(root, 'one-context');
    await writeFile(files['@one-context'], 'apiVersion: v1\nkind: Config\ncurrent-context: only\ncontexts:\n- name: only\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {token: t}\n');
  });
  after(async () => { await rm(root, { recursive: true, force: true }); });

  it('covers every command', () => {
    assert.deepEqual(Object.keys(TABLE).sort(), COMMANDS.map((c) => c.name).sort());
  });

  for (const [command, cases] of Object.entries(TABLE)) {
    it(`extapi ${command}`, async () => {
      for (const c of cases) {
        const cwd = await mkdtemp(join(root, 'cwd-'));
        const argv = [...command.split(' '), ...c.argv.map((a) => files[a] ?? a)];
        const env = Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, files[v] ?? v]));
        const a = io(cwd, root, env);
        const code = await Promise.race([runCli(argv, a), new Promise<string>((r) => setTimeout(() => r('hang'), 120_000).unref())]);
        const shown = `extapi ${argv.join(' ')} → ${code}: ${a.err()}`;
        assert.notEqual(code, 'hang', `no answer within 120 s (the old mkdir never answered): ${shown}`);
        assert.ok(typeof code === 'number' && code !== 0, `non-zero exit: ${shown}`);
        assert.match(a.err(), /^error: /, shown);
        assert.equal(a.err().trim().split('\n').length, 1, `one line: ${shown}`);
        assert.doesNotMatch(a.err(), /\n\s+at |TypeError|Cannot read properties|undefined/, shown);
        assert.match(a.err(), c.says, shown);
        if (command === 'certs' || command === 'manifests') assert.deepEqual(await readdir(cwd), [], `nothing written: ${shown}`);
      }
    });
  }
});
