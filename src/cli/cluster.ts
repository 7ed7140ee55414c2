/**
 * Connecting to the cluster: finds the kubeconfig (flag, $KUBECONFIG, ~/.kube/config, or the
 * pod's service account), refuses what cannot work with one actionable sentence, checks that
 * kube-apiserver answers, and exposes the client plus the kubeconfig's credentials (which
 * `doctor` presents to the extension server when it connects the way the aggregator does).
 */
import { kubeClientFromKubeconfig, type KubeClient } from '../kube/client.ts';
import { KubeconfigError, loadKubeconfig, type Kubeconfig } from '../kube/kubeconfig.ts';
import { ActionableError, ExitCode, toActionableError, type ErrorContext } from './errors.ts';
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

/** The kubeconfig the flags and environment name (read once), or an ActionableError saying what to do. */
function loadConfig(flags: ClusterFlags, env: NodeJS.ProcessEnv): Kubeconfig {
  const path = flags.kubeconfig;
  let config: Kubeconfig | undefined;
  try {
    config = loadKubeconfig({ path, env, context: flags.context });
  } catch (err) {
    if (err instanceof KubeconfigError) throw new ActionableError(err.message, { cause: err, exitCode: err.unknownContext ? ExitCode.usage : undefined });
    throw new ActionableError(`cannot read the kubeconfig${path ? ` ${path}` : ''}: ${(err as Error).message.split('\n')[0]}; fix the file or pass another with --kubeconfig`, { cause: err });
  }
  if (!config) throw new ActionableError('no kubeconfig found; pass --kubeconfig <file>, set KUBECONFIG, or create ~/.kube/config (e.g. with your cluster\'s `get-credentials` command)');
  if (config.contextNames.length === 0 && config.clusterNames.length === 0) {
    throw new ActionableError(`cannot read the kubeconfig${path ? ` ${path}` : ''}: it is empty or not a kubeconfig (a YAML map with clusters, contexts and users); fix the file or pass another with --kubeconfig`);
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
  const config = loadConfig(flags, env);
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
