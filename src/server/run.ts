import { Command, InvalidArgumentError } from 'commander';
import { DirectoryError } from '../fs/make-directory.ts';
import type { Resource } from '../resource/define-resource.ts';
import type { StorageOptions } from './storage-options.ts';
import { runStandalone } from './standalone.ts';
import { runDelegated } from './delegated.ts';
import type { ApiServer, ServingLimits } from './server.ts';
import { AUDIT_FLAG_HELP, auditorFromFlags, type AuditFlags } from '../audit/options.ts';

interface Flags extends AuditFlags {
  securePort: number; bindAddress?: string; tlsCertDir?: string; kubeconfig?: string; standalone?: boolean;
  storage: string; dataDir: string; etcdServers?: string; etcdPrefix: string; etcdCafile?: string; etcdCertfile?: string; etcdKeyfile?: string;
  authenticationConfigMap: string; devDir: string; shutdownDelay: number;
  requestTimeout: number; maxRequestsInflight: number; maxMutatingRequestsInflight: number;
  http2MaxStreamsPerConnection: number; idleConnectionTimeout: number; readHeaderTimeout: number; disableHttp2?: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new InvalidArgumentError('must be a whole number from 1 to 1000000');
  return n;
}

/** The serving limits the flags ask for. */
function servingLimits(flags: Flags): ServingLimits {
  return {
    requestTimeoutMs: flags.requestTimeout * 1000,
    maxInFlight: { readOnly: flags.maxRequestsInflight, mutating: flags.maxMutatingRequestsInflight },
    connectionLimits: { maxConcurrentStreams: flags.http2MaxStreamsPerConnection, idleTimeoutMs: flags.idleConnectionTimeout * 1000, readHeaderTimeoutMs: flags.readHeaderTimeout * 1000 },
    http2: !flags.disableHttp2,
  };
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

/**
 * The command line of a server built on extapi: `runServer(resources)` is a whole main().
 * Without a cluster (no --kubeconfig, not in a pod) it runs standalone on loopback with a
 * development CA; with one, it delegates authentication and authorization to kube-apiserver.
 * Bad flags print one sentence and exit 2; SIGTERM/SIGINT drain and close.
 * @example
 * await runServer([flunders, fischers]);
 */
export async function runServer(resources: Resource[], argv = process.argv): Promise<ApiServer> {
  const program = new Command('server')
    .option('--secure-port <port>', 'HTTPS port', port, 8443)
    .option('--bind-address <ip>', 'address to listen on (standalone: 127.0.0.1; in a cluster: 0.0.0.0)')
    .option('--tls-cert-dir <dir>', 'directory with tls.crt and tls.key (a mounted kubernetes.io/tls Secret); reloaded on change')
    .option('--kubeconfig <file>', 'kubeconfig for reaching kube-apiserver when running outside a cluster')
    .option('--standalone', 'run without a cluster even when one is configured')
    .option('--storage <kind>', 'embedded | etcd | memory', 'embedded')
    .option('--data-dir <dir>', 'embedded storage directory', '.extapi/data')
    .option('--etcd-servers <urls>', 'comma-separated etcd endpoints (with --storage etcd)')
    .option('--etcd-prefix <prefix>', 'key prefix in etcd', '/registry')
    .option('--etcd-cafile <file>').option('--etcd-certfile <file>').option('--etcd-keyfile <file>')
    .option('--authentication-config-map <ns/name>', 'where kube-apiserver publishes the front-proxy trust', 'kube-system/extension-apiserver-authentication')
    .option('--dev-dir <dir>', 'standalone mode: certificates, kubeconfig and data', '.extapi/dev')
    .option('--shutdown-delay <seconds>', 'on SIGTERM, report not-ready for this long before closing', Number, 0)
    .option('--request-timeout <seconds>', 'deadline of non-watch requests (504 beyond; a response its client stopped reading is reset)', positiveInt, 60)
    .option('--max-requests-inflight <n>', 'concurrent read-only requests (429 beyond; health probes exempt)', positiveInt, 400)
    .option('--max-mutating-requests-inflight <n>', 'concurrent mutating requests (429 beyond)', positiveInt, 200)
    .option('--http2-max-streams-per-connection <n>', 'concurrent HTTP/2 streams per connection', positiveInt, 100)
    .option('--disable-http2', 'serve HTTP/1.1 only: a draining server then closes each connection after its response, where an HTTP/2 GOAWAY can refuse a request kube-aggregator cannot replay (rolling Deployments)')
    .option('--read-header-timeout <seconds>', 'time to complete the TLS handshake and send a request\'s headers', positiveInt, 32)
    .option('--idle-connection-timeout <seconds>', 'close connections idle this long (HTTP/1.1 keep-alive, HTTP/2 with no open stream)', positiveInt, 90);
  for (const [flag, help, def] of AUDIT_FLAG_HELP) {
    if (def === undefined) program.option(flag, help);
    else program.option(flag, help, Number, def);
  }
  program
    .exitOverride((err) => { process.exit(err.exitCode === 0 ? 0 : 2); })
    .showHelpAfterError(false);
  const flags = program.parse(argv).opts<Flags>();
  const storage = storageOptions(flags, program);
  let audit;
  try { audit = await auditorFromFlags(flags); } catch (err) { program.error((err as Error).message, { exitCode: 2 }); }
  const inCluster = !!process.env.KUBERNETES_SERVICE_HOST;
  let server: ApiServer;
  try {
    if (flags.standalone || (!flags.kubeconfig && !inCluster)) {
      const explicitStorage = program.getOptionValueSource('storage') === 'cli' ? storage : undefined;
      const dev = await runStandalone({ resources, port: flags.securePort, host: flags.bindAddress, dir: flags.devDir, storage: explicitStorage, limits: servingLimits(flags), audit });
      console.log(`serving ${dev.url} standalone (no cluster): kubectl --kubeconfig ${dev.kubeconfig} get ${resources[0]?.plural ?? 'all'}`);
      server = dev.server;
    } else {
      const [ns, name] = flags.authenticationConfigMap.split('/');
      server = await runDelegated({
        resources, storage, port: flags.securePort, host: flags.bindAddress ?? '0.0.0.0', tlsCertDir: flags.tlsCertDir,
        kubeconfig: flags.kubeconfig, authenticationConfigMap: { namespace: ns, name }, limits: servingLimits(flags), audit,
      });
    }
  } catch (err) {
    if (err instanceof DirectoryError) program.error(`${err.message}; choose a directory you can write with --dev-dir or --data-dir`, { exitCode: 2 });
    throw err;
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.drain();
      setTimeout(() => { void server.close().then(() => process.exit(0)); }, Math.max(0, flags.shutdownDelay) * 1000);
    });
  }
  return server;
}

function storageOptions(flags: Flags, program: Command): StorageOptions {
  if (flags.storage === 'embedded') return { kind: 'embedded', dataDir: flags.dataDir };
  if (flags.storage === 'memory') return { kind: 'memory' };
  if (flags.storage === 'etcd') {
    if (!flags.etcdServers) program.error('--storage etcd needs --etcd-servers, e.g. --etcd-servers https://etcd-0:2379', { exitCode: 2 });
    return { kind: 'etcd', servers: flags.etcdServers!.split(',').map((s) => s.trim()).filter(Boolean), prefix: flags.etcdPrefix, caFile: flags.etcdCafile, certFile: flags.etcdCertfile, keyFile: flags.etcdKeyfile };
  }
  return program.error(`--storage must be embedded, etcd or memory (got "${flags.storage}")`, { exitCode: 2 });
}
