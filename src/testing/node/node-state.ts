/** What a node cluster records in `state.json` (besides the control plane), so that any process can tear it down. */
import type { NodeNetwork } from './network.ts';

/** The node part of a cluster's `state.json`. */
export interface NodeState {
  /** Node name (`kubectl get nodes`). */
  name: string;
  network: NodeNetwork;
  /** Directory with runc, containerd, the CNI plugins, kubelet, ... */
  binDir: string;
  /** `<cluster dir>/node`. */
  root: string;
  containerdSocket: string;
  /** Process (group) ids of the node components, and of the holder of the host lock ({@link HOST_LOCK_PID}). */
  pids: Record<string, number>;
  /** Log files of the node components. */
  logs: Record<string, string>;
  /** Host sysctls before the node started (restored on teardown). */
  sysctls: Record<string, string>;
  /** Host directories that did not exist before and that the node components create (removed on teardown). */
  createdHostPaths: string[];
}

/** Key of the host lock holder in {@link NodeState.pids} (see host-lock.ts); teardown releases it last. */
export const HOST_LOCK_PID = 'host-lock';
