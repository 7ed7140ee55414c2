/**
 * One control plane shared by every e2e test file of a run.
 *
 * Node 20's test runner has no global setup, and runs each test file in its own process. So the
 * sharing happens one level up:
 *
 * 1. The e2e command is wrapped by `cluster-cli exec`, which starts ONE plane (owned by the
 *    wrapper, guarded by its watchdog), exports `EXTAPI_E2E_CLUSTER=<dir>/state.json`, runs the
 *    command, then stops the plane:
 *
 *    ```sh
 *    tsx src/testing/cluster-cli.ts exec -- node --import tsx --test test/e2e/*.e2e.test.ts
 *    ```
 *
 *    (`npm run cluster:up` does the same for a long-lived plane: export
 *    `EXTAPI_E2E_CLUSTER=.extapi/cluster/state.json` yourself.)
 * 2. Each test file calls {@link getSharedControlPlane}. With `EXTAPI_E2E_CLUSTER` set it
 *    attaches to that plane (its `stop()` is a no-op: the wrapper owns the processes); without
 *    it, it starts a private plane for this process, so a single file also runs on its own
 *    (`node --import tsx --test test/e2e/aggregation.e2e.test.ts`).
 *
 * Tests on a shared plane must not collide: use unique namespaces, API groups and names per
 * file/run, and delete what they create.
 */
import { controlPlaneHandle, readControlPlaneState } from './control-plane-state.ts';
import type { ControlPlane } from './control-plane-state.ts';
import { startControlPlane } from './control-plane.ts';
import type { ControlPlaneOptions } from './control-plane.ts';
import { commandLineIncludes, isAlive } from './processes.ts';

/** Environment variable holding the `state.json` path of the shared control plane. */
export const SHARED_CLUSTER_ENV = 'EXTAPI_E2E_CLUSTER';

let shared: Promise<ControlPlane> | undefined;

/**
 * Attaches to the plane described by a `state.json` (from `cluster-cli up` or `exec`). The
 * handle's `stop()` does nothing. Throws when its processes are gone.
 */
export async function attachControlPlane(stateFile: string): Promise<ControlPlane> {
  const state = await readControlPlaneState(stateFile);
  for (const [name, pid] of Object.entries(state.pids)) {
    if (!isAlive(pid) || !commandLineIncludes(pid, state.dir)) throw new Error(`control plane ${stateFile}: ${name} (pid ${pid}) is not running`);
  }
  return controlPlaneHandle(state, async () => { /* owned by whoever started it */ });
}

/**
 * The control plane for this test process: the shared one named by `EXTAPI_E2E_CLUSTER`, else
 * a private one started on first call (same instance for later calls in this process). Call
 * `stop()` in an `after` hook either way — it only stops what this process owns.
 */
export function getSharedControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  if (!shared) {
    const stateFile = process.env[SHARED_CLUSTER_ENV];
    shared = stateFile ? attachControlPlane(stateFile) : startControlPlane(opts);
    shared.catch(() => { shared = undefined; });
  }
  return shared;
}
