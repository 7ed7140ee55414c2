/**
 * Runs the wardle sample as a real separate process in delegated mode, the way it runs in a
 * cluster (serving certificate from a directory, kube-apiserver reached through a kubeconfig),
 * listening on 127.0.0.1, and registers it behind the aggregator with an ExternalName Service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueServingCertificate, type CertificateAndKey } from '../../../src/certs/index.ts';
import type { ControlPlane } from '../../../src/testing/control-plane-state.ts';
import { freeLoopbackPorts } from '../../../src/testing/ports.ts';
import { directCall } from './https-client.ts';

/** A running wardle server process. */
export interface WardleProcess {
  port: number;
  url: string;
  ca: CertificateAndKey;
  certDir: string;
  /** Everything the process printed. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Issues a serving certificate for `dnsName` + localhost + 127.0.0.1 and installs it in `dir` the
 * way a Secret volume does: files in a timestamped directory, `..data` a symlink to it swapped
 * atomically (rename), `tls.crt`/`tls.key` symlinks through `..data`.
 */
export async function writeServingCert(dir: string, ca: CertificateAndKey, dnsName: string, opts: { validityDays?: number; dnsNames?: string[] } = {}): Promise<CertificateAndKey> {
  const serving = await issueServingCertificate(ca, { dnsNames: opts.dnsNames ?? [dnsName, 'localhost'], ipAddresses: ['127.0.0.1'], validityDays: opts.validityDays ?? 30 });
  await installSecretFiles(dir, { 'tls.crt': serving.certPem, 'tls.key': serving.keyPem });
  return serving;
}

/** Writes `files` as a Secret volume update: new data directory, atomic `..data` swap, old directory removed. */
export async function installSecretFiles(dir: string, files: Record<string, string>): Promise<void> {
  const stamp = `..${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  await mkdir(join(dir, stamp));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, stamp, name), content);
  const previous = await readlink(join(dir, '..data')).catch(() => undefined);
  await symlink(stamp, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const name of Object.keys(files)) {
    await symlink(join('..data', name), join(dir, name)).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
  }
  if (previous) await rm(join(dir, previous), { recursive: true, force: true });
}

/**
 * Starts `examples/wardle/main.ts` (or another example's `main`) with `--kubeconfig <kubeconfig>
 * --tls-cert-dir <dir>` on a free loopback port and waits for /readyz. `extraArgs` are appended
 * (e.g. an authentication ConfigMap).
 */
export async function startWardle(opts: { kubeconfig: string; serviceDnsName: string; extraArgs?: string[]; main?: string }): Promise<WardleProcess> {
  const certDir = await mkdtemp(join(tmpdir(), 'extapi-wardle-'));
  const ca = await createCertificateAuthority({ commonName: 'wardle-e2e-ca' });
  await writeServingCert(certDir, ca, opts.serviceDnsName);
  const [port] = await freeLoopbackPorts(1);
  const child = spawn(process.execPath, ['--import', 'tsx', opts.main ?? 'examples/wardle/main.ts', '--kubeconfig', opts.kubeconfig,
    '--tls-cert-dir', certDir, '--secure-port', String(port), '--bind-address', '127.0.0.1', '--storage', 'memory', ...(opts.extraArgs ?? [])],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: '' } });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const url = `https://127.0.0.1:${port}`;
  await waitReady(url, ca.certPem, child, () => output);
  return {
    port, url, ca, certDir, output: () => output,
    stop: async () => { await stopChild(child); await rm(certDir, { recursive: true, force: true }); },
  };
}

/** Generous: on a loaded machine (2 cores, several suites at once) tsx alone can take most of a minute. */
const READY_MS = 90_000;

async function waitReady(url: string, caPem: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wardle exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await directCall(`${url}/readyz`, { ca: caPem })).status === 200) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`wardle did not become ready in ${READY_MS / 1000} s:\n${output()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The RBAC a delegating server needs (steps 10-13: its ClusterRole, auth-delegator, auth-reader), for user `user`. */
export function serverRbacYaml(user: string, name: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${name}}
rules:
- {apiGroups: [""], resources: [namespaces], verbs: [get, list, watch]}
- {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations, validatingwebhookconfigurations, validatingadmissionpolicies, validatingadmissionpolicybindings], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [services], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${user}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${name}:auth-delegator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:auth-delegator}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${user}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${name}:auth-reader, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${user}}]
`;
}

/** An API group a test registers: its name and its versions with their versionPriority. */
export interface RegisteredGroup {
  group: string;
  versions: [version: string, priority: number][];
}

/** The wardle sample's group. */
export const WARDLE_API: RegisteredGroup = { group: 'wardle.example.com', versions: [['v1beta1', 20], ['v1alpha1', 15]] };

/**
 * Namespace (unless `withNamespace` is false), ExternalName Service and one APIService per
 * version of `api` (default wardle), pointing at `port` on localhost.
 */
export function registrationYaml(namespace: string, service: string, port: number, caPem: string, withNamespace = true, api: RegisteredGroup = WARDLE_API): string {
  const caBundle = Buffer.from(caPem).toString('base64');
  const apiService = (version: string, priority: number) => `---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: ${version}.${api.group}}
spec:
  group: ${api.group}
  version: ${version}
  groupPriorityMinimum: 1000
  versionPriority: ${priority}
  service: {namespace: ${namespace}, name: ${service}, port: ${port}}
  caBundle: ${caBundle}
`;
  const ns = withNamespace ? `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${namespace}}\n---\n` : '';
  return `${ns}apiVersion: v1
kind: Service
metadata: {name: ${service}, namespace: ${namespace}}
spec: {type: ExternalName, externalName: localhost}
${api.versions.map(([v, p]) => apiService(v, p)).join('')}`;
}

/** Waits until every APIService of `api` (default wardle) reports Available=True and its OpenAPI is served; throws with the condition message otherwise. */
export async function waitAvailable(cp: ControlPlane, timeoutMs = 60_000, api: RegisteredGroup = WARDLE_API): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await cp.kubectl(['get', 'apiservice', ...api.versions.map(([v]) => `${v}.${api.group}`), '-o', 'json']);
    last = res.stdout + res.stderr;
    const parsed = res.code === 0 ? JSON.parse(res.stdout) : { items: [] };
    const services: { status?: { conditions?: { type: string; status: string; message?: string }[] } }[] = parsed.items ?? [parsed];
    const available = services.map((s) => s.status?.conditions?.find((c) => c.type === 'Available'));
    last = available.map((c) => `${c?.status} ${c?.message ?? ''}`).join('; ') || last;
    if (available.length === api.versions.length && available.every((c) => c?.status === 'True') && await openApiServed(cp, api)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${api.group} APIServices not Available: ${last}`);
}

/** True once the aggregator serves the OpenAPI v3 document of every version of `api` (kubectl validates with it). */
async function openApiServed(cp: ControlPlane, api: RegisteredGroup): Promise<boolean> {
  for (const [version] of api.versions) {
    const res = await cp.kubectl(['get', '--raw', `/openapi/v3/apis/${api.group}/${version}`]);
    if (res.code !== 0) return false;
  }
  return true;
}
