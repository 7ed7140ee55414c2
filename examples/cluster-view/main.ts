/**
 * The cluster-view sample server (see resources.ts): behind the aggregation layer with
 * `--kubeconfig` (or in a pod), it reads the cluster it serves with the same credentials.
 * `--help` lists the flags (those of every extapi server).
 */
import { loadKubeClient, runServer, type KubeClient } from '../../src/index.ts';
import { clusterViewResources } from './resources.ts';

const at = process.argv.indexOf('--kubeconfig');
let client: KubeClient | undefined;
const cluster = () => (client ??= loadKubeClient({ kubeconfig: at > 0 ? process.argv[at + 1] : undefined }));

await runServer(clusterViewResources(cluster));
