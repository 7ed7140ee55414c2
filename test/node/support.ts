/** Helpers of the node e2e tests: kubectl that throws, JSON output, polling, request load through the aggregator, leftovers. */
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { acquireNodeHostLock } from '../../src/testing/node/host-lock.ts';
import type { NodeClusterState } from '../../src/testing/node/node-cluster.ts';
import { nodeLeftovers } from '../../src/testing/node/teardown.ts';

/** kubectl against the cluster as admin; rejects with stderr on a non-zero exit. */
export function makeKubectl(cp: ControlPlane): (args: string[], input?: string) => Promise<string> {
  return async (args, input) => {
    const r = await cp.kubectl(args, { input, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
}

/** `kubectl ... -o json`, parsed. */
export async function kubectlJson(kubectl: (args: string[]) => Promise<string>, args: string[]): Promise<any> {
  return JSON.parse(await kubectl([...args, '-o', 'json']));
}

/** Polls `check` every 500 ms until it is true; throws naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try { if (await check()) return; } catch (err) { last = (err as Error).message; }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
}

/** Counts of a load run. */
export interface LoadCounts { ok: number; failed: number; errors: string[] }

/**
 * Lists flunders in `namespace` through kube-apiserver (the aggregator, over the Service) in two
 * loops until stopped: each request is a fresh kubectl-free HTTPS call with the admin client cert.
 */
export function startLoad(cp: ControlPlane, namespace: string): { stop(): Promise<LoadCounts> } {
  const counts: LoadCounts = { ok: 0, failed: 0, errors: [] };
  let stopped = false;
  const once = async (): Promise<void> => {
    const r = await cp.kubectl(['get', '--raw', `/apis/wardle.example.com/v1beta1/namespaces/${namespace}/flunders`], { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(r.stderr.trim());
  };
  const loop = async (): Promise<void> => {
    while (!stopped) {
      try { await once(); counts.ok++; } catch (err) {
        counts.failed++;
        if (counts.errors.length < 10) counts.errors.push((err as Error).message);
      }
    }
  };
  const loops = [loop(), loop()];
  return { stop: async () => { stopped = true; await Promise.all(loops); return counts; } };
}

/**
 * What a torn-down node cluster left on the host, read while holding the host lock: another node
 * cluster waiting for the lock would otherwise create the host-wide nft tables and sysctls again.
 */
export async function leftoversUnderHostLock(state: NodeClusterState): Promise<string[]> {
  const lock = await acquireNodeHostLock({ log: (m) => process.stderr.write(`[node-e2e] ${m}\n`) });
  try {
    return nodeLeftovers(state);
  } finally {
    await lock.release();
  }
}
