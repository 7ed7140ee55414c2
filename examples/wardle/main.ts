/**
 * The wardle sample server. `npm start` runs it standalone (no cluster): https://127.0.0.1:8443,
 * embedded storage and a kubeconfig under .extapi/dev, so that
 * `kubectl --kubeconfig .extapi/dev/kubeconfig get flunders` works. In a cluster (a pod, or
 * `--kubeconfig`) it serves behind the aggregation layer with delegated auth; `--help` lists flags.
 */
import { runServer } from '../../src/index.ts';
import { wardleResources } from './resources.ts';

await runServer(wardleResources);
