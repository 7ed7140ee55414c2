/**
 * Flags shared by several commands, declared (and typed) once: which cluster, which server
 * and where it is installed, certificate files, how the workload runs, and output format.
 * Each `addXFlags` adds a group to a commander command; the matching `XFlags` interface is
 * what `opts()` then holds.
 */
import { isIP } from 'node:net';
import { InvalidArgumentError, Option, type Command } from 'commander';

/** Which cluster: a kubeconfig file and context (else $KUBECONFIG, ~/.kube/config). */
export interface ClusterFlags {
  kubeconfig?: string;
  context?: string;
}

/** Which server, and where it is installed. */
export interface TargetFlags {
  namespace: string;
  service: string;
  serviceAccount: string;
  /** TS/JS module exporting `resources` (or a default array) of Resource. */
  serverModule?: string;
  /** Only the resources of this API group. */
  group?: string;
}

/** The certificate files (CA, serving pair) and how new ones are made. */
export interface CertFlags {
  /** Directory holding ca.crt, ca.key, tls.crt, tls.key (default `.extapi/certs/<ns>.<svc>`). */
  certDir?: string;
  keyAlgorithm: 'ecdsa' | 'rsa';
  /** Serving certificate validity, days. */
  days: number;
  /** CA validity, days. */
  caDays: number;
  /** Extra SANs (DNS names or IPs) for the serving certificate. */
  extraSan: string[];
}

/** How the server runs in the cluster (manifests, deploy). */
export interface WorkloadFlags {
  image: string;
  storage: 'embedded' | 'memory' | 'etcd';
  etcdServers?: string;
  /** Secret (in the server's namespace) with etcd client credentials: ca.crt, tls.crt, tls.key. */
  etcdSecret?: string;
  replicas?: number;
  /** `host:port` of a server running outside the cluster. */
  external?: string;
  certManager?: boolean;
}

/** Defaults of the target flags: the wardle sample, as sample-apiserver installs it. */
export const TARGET_DEFAULTS = { namespace: 'wardle', service: 'api', serviceAccount: 'apiserver', image: 'extapi/wardle:dev' } as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A commander argument parser for a DNS-1123 label (namespace, service, ServiceAccount names). */
export function dnsLabel(value: string): string {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not a valid name: use lower-case letters, digits and '-', at most 63 characters`);
  }
  return value;
}

/** The largest count a flag takes (a Kubernetes int32, e.g. replicas). */
const MAX_INT32 = 2_147_483_647;

/** A commander argument parser for a positive integer (at most 2147483647, Kubernetes' int32). */
export function positiveInt(value: string): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n <= 0 || n > MAX_INT32) throw new InvalidArgumentError(`"${value}" must be a positive whole number (digits only, at most ${MAX_INT32})`);
  return n;
}

/** The longest validity a new certificate may have, days (100 years; X.509 dates end in 9999). */
export const MAX_VALIDITY_DAYS = 36_500;

/** A commander argument parser for a certificate validity in days: a whole number from 1 to MAX_VALIDITY_DAYS. */
export function validityDays(value: string): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n <= 0 || n > MAX_VALIDITY_DAYS) throw new InvalidArgumentError(`"${value}" must be a whole number of days from 1 to ${MAX_VALIDITY_DAYS} (100 years)`);
  return n;
}

/** The longest duration a flag takes, ms: what a Node timer can wait (about 24.8 days). */
const MAX_DURATION_MS = 2_147_483_647;

/** A commander argument parser for a duration: `90s`, `2m`, `500ms`, or plain seconds (at most about 24 days). */
export function duration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`"${value}" is not a duration: use e.g. 90s, 2m or 500ms`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (ms > MAX_DURATION_MS) throw new InvalidArgumentError(`"${value}" is too long: use at most 24 days (e.g. 2m)`);
  return ms;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True when `name` is a DNS-1123 subdomain (at most 253 characters). */
function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}

/** A commander argument parser for an API group: a lower-case DNS subdomain. */
export function apiGroup(value: string): string {
  if (!isDnsSubdomain(value)) throw new InvalidArgumentError(`"${value}" is not an API group: use a lower-case DNS name, e.g. wardle.example.com`);
  return value;
}

/** A commander argument parser for a container image reference: non-empty, no spaces or control characters. */
export function imageRef(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (value.trim() === '' || /[\s\u0000-\u001f\u007f]/.test(value)) throw new InvalidArgumentError(`"${value}" is not an image reference: use e.g. registry.example.com/my-api:v1`);
  return value;
}

/** Parses `host:port` (IPv6 in brackets); throws InvalidArgumentError otherwise. */
export function hostPort(value: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new InvalidArgumentError(`"${value}" is not host:port, e.g. 127.0.0.1:8443`);
  }
  return value;
}

/** Splits `host:port` (already validated by {@link hostPort}). */
export function splitHostPort(value: string): { host: string; port: number } {
  const i = value.lastIndexOf(':');
  return { host: value.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(value.slice(i + 1)) };
}

function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** Collects `--extra-san` values: each an IP address or a DNS name (a leading `*.` allowed). */
function collectSans(value: string, previous: string[] = []): string[] {
  const sans = collectList(value);
  for (const san of sans) {
    if (isIP(san) === 0 && !isDnsSubdomain(san.replace(/^\*\./, '').toLowerCase())) {
      throw new InvalidArgumentError(`"${san}" is neither an IP address nor a DNS name: use e.g. api.example.com or 10.0.0.1`);
    }
  }
  if (sans.length === 0) throw new InvalidArgumentError(`"${value}" names no DNS name or IP: use e.g. api.example.com,10.0.0.1`);
  return [...previous, ...sans];
}

/** A commander argument parser for `--etcd-servers`: comma-separated http(s) URLs. */
export function etcdServers(value: string): string {
  const urls = collectList(value);
  const bad = urls.find((u) => { try { return !/^https?:$/.test(new URL(u).protocol); } catch { return true; } });
  if (urls.length === 0 || bad !== undefined) throw new InvalidArgumentError(`"${bad ?? value}" is not an etcd URL: use e.g. https://etcd-0:2379 (comma-separated)`);
  return value;
}

/** Adds `--kubeconfig` and `--context`. */
export function addClusterFlags(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: its current-context)');
}

/** Adds `--namespace` and `--service` (and `--service-account` unless `serviceAccount` is false). */
export function addPlacementFlags(cmd: Command, opts: { serviceAccount?: boolean } = {}): Command {
  cmd
    .option('-n, --namespace <name>', 'namespace the server runs in', dnsLabel, TARGET_DEFAULTS.namespace)
    .option('--service <name>', 'Service name (the serving certificate is for <service>.<namespace>.svc)', dnsLabel, TARGET_DEFAULTS.service);
  if (opts.serviceAccount !== false) cmd.option('--service-account <name>', 'ServiceAccount the server runs as', dnsLabel, TARGET_DEFAULTS.serviceAccount);
  return cmd;
}

/** Adds the placement flags and `--server-module`, `--group`: everything {@link TargetFlags} holds. */
export function addTargetFlags(cmd: Command): Command {
  return addPlacementFlags(cmd)
    .option('--server-module <path>', 'TS/JS module exporting `resources` (or a default array) of the server (default: ./src/resources.ts if present, else the wardle example)')
    .option('--group <name>', 'only the resources of this API group', apiGroup);
}

/** Adds the certificate file flags. */
export function addCertFlags(cmd: Command): Command {
  return cmd
    .option('--cert-dir <dir>', 'directory with ca.crt, ca.key, tls.crt, tls.key (default: .extapi/certs/<namespace>.<service>)')
    .addOption(new Option('--key-algorithm <alg>', 'key algorithm of new keys').choices(['ecdsa', 'rsa']).default('ecdsa'))
    .option('--days <n>', 'validity of a new serving certificate, days', validityDays, 365)
    .option('--ca-days <n>', 'validity of a new CA, days', validityDays, 3650)
    .addOption(new Option('--extra-san <names>', 'extra DNS names or IPs for the serving certificate (comma-separated, repeatable)').argParser(collectSans).default([], 'none'));
}

/** Adds the workload flags (image, storage, replicas, external server, cert-manager). */
export function addWorkloadFlags(cmd: Command): Command {
  return cmd
    .option('--image <ref>', 'container image of the server', imageRef, TARGET_DEFAULTS.image)
    .addOption(new Option('--storage <kind>', 'storage of the server: embedded (1 replica, PVC), etcd (2 replicas), memory').choices(['embedded', 'memory', 'etcd']).default('embedded'))
    .option('--etcd-servers <urls>', 'etcd endpoints for --storage etcd (comma-separated)', etcdServers)
    .option('--etcd-secret <name>', 'Secret in the namespace with etcd\'s client TLS credentials (ca.crt, tls.crt, tls.key), mounted read-only for --storage etcd', dnsLabel)
    .option('--replicas <n>', 'replicas (default: 2 with etcd, else 1)', positiveInt)
    .option('--external <host:port>', 'register a server running outside the cluster (ExternalName Service, no Deployment)', hostPort)
    .option('--cert-manager', 'let cert-manager issue the certificates and inject the caBundle');
}

/** Adds `--output text|json`. */
export function addOutputFlag(cmd: Command): Command {
  return cmd.addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'));
}

/** `180000` → `3m`, `5000` → `5s`: a duration as flags take it. */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Adds a duration flag (value in ms) whose help shows the default as a duration. */
export function addDurationFlag(cmd: Command, flags: string, description: string, defaultMs: number): Command {
  return cmd.addOption(new Option(flags, description).argParser(duration).default(defaultMs, formatDuration(defaultMs)));
}

/** Adds `--timeout <duration>`. */
export function addTimeoutFlag(cmd: Command, defaultMs: number, what: string): Command {
  return addDurationFlag(cmd, '--timeout <duration>', `how long to wait for ${what} (e.g. 90s, 2m)`, defaultMs);
}
