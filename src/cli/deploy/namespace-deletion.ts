/**
 * A namespace being deleted cannot receive new objects (kube-apiserver answers 403 "unable to
 * create new content in namespace ... because it is being terminated"). Deploy waits for the
 * deletion to finish, saying so, and refuses with one sentence when it does not finish in time.
 */
import type { KubeClient } from '../../kube/client.ts';
import { ActionableError } from '../errors.ts';

/** What blocks a Terminating namespace, from the conditions kube-controller-manager sets. */
export function deletionBlockers(ns: any): string {
  const conditions: Array<{ type: string; status: string; message?: string }> = ns?.status?.conditions ?? [];
  return conditions.filter((c) => c.status === 'True' && c.message).map((c) => `${c.type}: ${c.message}`).join('; ');
}

/** The one sentence deploy refuses with while the namespace is still being deleted. */
export function namespaceBeingDeleted(namespace: string, blockers: string): ActionableError {
  return new ActionableError(`namespace ${namespace} is being deleted${blockers ? ` (${blockers})` : ''}; `
    + `wait for the deletion to finish (\`extapi doctor -n ${namespace}\` names what blocks it), then rerun \`extapi deploy\``);
}

/**
 * Resolves once `namespace` is not Terminating (absent or Active). With `wait`, polls until
 * `deadline` reporting progress through `onWait` (called once the wait starts, then on changes);
 * throws {@link namespaceBeingDeleted} when the namespace is still being deleted at the deadline
 * or when not waiting.
 */
export async function waitUntilNamespaceUsable(
  client: KubeClient, namespace: string, opts: { wait: boolean; deadline: number; onWait: (message: string) => void },
): Promise<'usable' | 'deleted'> {
  let waited = false;
  let last = '';
  for (;;) {
    const ns = await client.getOrNull(`/api/v1/namespaces/${namespace}`);
    if (!ns?.metadata?.deletionTimestamp) return waited ? 'deleted' : 'usable';
    const blockers = deletionBlockers(ns);
    if (!opts.wait || Date.now() >= opts.deadline) throw namespaceBeingDeleted(namespace, blockers);
    const message = `namespace ${namespace} is being deleted; waiting for the deletion to finish${blockers ? ` (${blockers})` : ''}`;
    if (message !== last) opts.onWait(message);
    waited = true;
    last = message;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
