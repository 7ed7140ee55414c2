/** Getting the node binaries by running `scripts/build-node.sh` (cached by version under ~/.cache/extapi/node). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runBuildScript } from '../binaries.ts';

/** Binaries a node needs, all in one directory. */
export const NODE_BINARIES = [
  'runc', 'containerd', 'ctr', 'containerd-shim-runc-v2', 'bridge', 'host-local', 'loopback',
  'kubelet', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'pause',
];

/**
 * The bin dir from `EXTAPI_NODE_BIN` when set, else built by scripts/build-node.sh (first run:
 * several minutes; it also installs the Debian packages a node needs, as root).
 */
export async function resolveNodeBinaries(): Promise<string> {
  const fromEnv = process.env.EXTAPI_NODE_BIN;
  const binDir = fromEnv ?? await runBuildScript(join(REPO_ROOT, 'scripts', 'build-node.sh'), {});
  const missing = NODE_BINARIES.filter((b) => !existsSync(join(binDir, b)));
  if (missing.length > 0) throw new Error(`${binDir} lacks ${missing.join(', ')}; run scripts/build-node.sh`);
  return binDir;
}
