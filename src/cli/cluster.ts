/**
 * Connecting to the cluster: finds the kubeconfig (flag, $KUBECONFIG, ~/.kube/config, or the
 * pod's service account), refuses what cannot work with one actionable sentence, checks that
 * kube-apiserver answers, and exposes the client plus the kubeconfig's credentials (which
 * `doctor` presents to the extension server when it connects the way the aggregator does).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { kubeClientFromKubeconfig, type KubeClient } from '../kube/client.ts';
import { KubeconfigError, loadKubeconfig, SERVICE_ACCOUNT_DIR, type Kubeconfig } from '../kube/kubeconfig.ts';
import { ActionableError, toActionableError, type ErrorContext } from './errors.ts';
import type { ClusterFlags } from './flags.ts';

/** A connected cluster. */
export interface Cluster {
  client: KubeClient;
  /** kube-apiserver URL. */
  server: string;
  /** kubeconfig context in use ('' in a pod). */
  context: string;
  /** For error messages. */
  errorContext: ErrorContext;
  /** The kubeconfig's client credentials as TLS options: client cert/key and/or an Authorization header. */
  credentials(): Promise<{ cert?: string | Buffer; key?: string | Buffer; headers: Record<string, string> }>;
  /** The user name the cluster knows us by (SelfSubjectReview), or '' when it will not say. */
  whoami(): Promise<string>;
}

const IN_CLUSTER_TOKEN = join(SERVICE_ACCOUNT_DIR, 'token');

/** Which kubeconfig will be used, or why none can be. */
function locateKubeconfig(flags: ClusterFlags, env: NodeJS.ProcessEnv): { path?: string; inCluster?: boolean } {
  if (flags.kubeconfig) {
    if (!existsSync(flags.kubeconfig)) throw new ActionableError(`the kubeconfig ${flags.kubeconfig} does not exist; pass --kubeconfig with the path of an existing file`);
    return { path: flags.kubeconfig };
  }
  if (env.KUBECONFIG) {
    const found = env.KUBECONFIG.split(delimiter).filter(Boolean).find((p) => existsSync(p));
    if (!found) throw new ActionableError(`no file named in KUBECONFIG (${env.KUBECONFIG}) exists; fix KUBECONFIG or pass --kubeconfig`);
    return {};
  }
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return { path: home };
  if (env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) return { inCluster: true };
  throw new ActionableError('no kubeconfig found; pass --kubeconfig <file>, set KUBECONFIG, or create ~/.kube/config (e.g. with your cluster\'s `get-credentials` command)');
}

function loadConfig(flags: ClusterFlags, env: NodeJS.ProcessEnv, path: string | undefined): Kubeconfig {
  let config: Kubeconfig | undefined;
  try {
    config = loadKubeconfig({ path, env });
  } catch (err) {
    if (err instanceof KubeconfigError) throw new ActionableError(err.message, { cause: err });
    throw new ActionableError(`cannot read the kubeconfig${path ? ` ${path}` : ''}: ${(err as Error).message.split('\n')[0]}; fix the file or pass another with --kubeconfig`, { cause: err });
  }
  if (!config) throw new ActionableError('no kubeconfig found; pass --kubeconfig <file>, set KUBECONFIG, or create ~/.kube/config (e.g. with your cluster\'s `get-credentials` command)');
  if (config.contextNames.length === 0 && config.clusterNames.length === 0) {
    throw new ActionableError(`cannot read the kubeconfig${path ? ` ${path}` : ''}: it is empty or not a kubeconfig (a YAML map with clusters, contexts and users); fix the file or pass another with --kubeconfig`);
  }
  if (flags.context) {
    if (!config.contextNames.includes(flags.context)) {
      throw new ActionableError(`the kubeconfig has no context "${flags.context}"; it has ${config.contextNames.length ? config.contextNames.join(', ') : 'none'}`, { exitCode: 2 });
    }
    config = loadKubeconfig({ path, env, context: flags.context })!;
  }
  const cluster = config.cluster;
  if (!cluster) throw new ActionableError('the kubeconfig names no cluster for its current context; pick one with --context or fix current-context');
  if (!cluster.server.startsWith('https://')) {
    throw new ActionableError(`the kubeconfig's cluster "${cluster.name}" uses ${cluster.server}; extapi talks to kube-apiserver over HTTPS only: fix its server URL`);
  }
  return config;
}

/**
 * Connects: locates and loads the kubeconfig, then checks that kube-apiserver answers
 * `/version` within `timeoutMs`. Every failure is an ActionableError.
 */
export async function connectCluster(flags: ClusterFlags, env: NodeJS.ProcessEnv, timeoutMs = 10_000): Promise<Cluster> {
  const where = locateKubeconfig(flags, env);
  const config = loadConfig(flags, env, where.path);
  let client: KubeClient;
  try {
    client = kubeClientFromKubeconfig(config);
  } catch (err) {
    throw new ActionableError(`${(err as Error).message}`, { cause: err });
  }
  const errorContext = { server: client.server, context: config.contextName };
  try {
    await client.request('GET', '/version', { timeoutMs });
  } catch (err) {
    throw toActionableError(err, errorContext);
  }
  return {
    client, server: client.server, context: config.contextName, errorContext,
    credentials: () => config.credentials(),
    async whoami() {
      try {
        const review = await client.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
        });
        return (review?.status?.userInfo?.username as string | undefined) ?? '';
      } catch { return ''; }
    },
  };
}
