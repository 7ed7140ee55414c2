/**
 * Waiting for the cluster to catch up: an APIService to become Available (reporting its
 * condition message while it is not), and a Deployment to have available replicas (reporting
 * why pods are not ready: image pulls, crash loops, scheduling).
 */
import type { KubeClient } from '../../kube/client.ts';

/** An APIService / Deployment status condition. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The outcome of a wait. */
export interface WaitResult {
  ok: boolean;
  /** The last thing seen (condition message, pod state). */
  message: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The Available condition of an APIService object, if any. */
export function availableCondition(apiService: any): Condition | undefined {
  return (apiService?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Available');
}

/** `False FailedDiscoveryCheck: failing or missing response from ...` */
export function describeCondition(c: Condition | undefined): string {
  if (!c) return 'no Available condition yet';
  return `${c.reason ?? c.status}${c.message ? `: ${c.message}` : ''}`;
}

/** Polls until the APIService is Available=True or `deadline` (epoch ms) passes. */
export async function waitForApiService(client: KubeClient, name: string, deadline: number, onUpdate: (m: string) => void): Promise<WaitResult> {
  let last = '';
  for (;;) {
    const obj = await client.getOrNull(`/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
    const cond = availableCondition(obj);
    last = obj ? describeCondition(cond) : 'APIService not found';
    if (cond?.status === 'True') return { ok: true, message: last };
    onUpdate(last);
    if (Date.now() >= deadline) return { ok: false, message: last };
    await sleep(500);
  }
}

/** Why the pods of a Deployment are not ready, from their container states. */
async function podTrouble(client: KubeClient, namespace: string, selector: Record<string, string>): Promise<string> {
  const labelSelector = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await client.request('GET', `/api/v1/namespaces/${namespace}/pods`, { query: { labelSelector } });
  for (const pod of pods?.items ?? []) {
    for (const cs of pod.status?.containerStatuses ?? []) {
      const waiting = cs.state?.waiting;
      if (waiting?.reason) return `pod ${pod.metadata.name}: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
    }
    const unscheduled = (pod.status?.conditions ?? []).find((c: Condition) => c.type === 'PodScheduled' && c.status === 'False');
    if (unscheduled) return `pod ${pod.metadata.name}: not scheduled: ${unscheduled.message ?? unscheduled.reason}`;
  }
  return (pods?.items ?? []).length === 0 ? 'no pods yet' : 'pods starting';
}

/** Polls until the Deployment has at least one available replica, or `deadline` passes. */
export async function waitForDeployment(client: KubeClient, namespace: string, name: string, deadline: number, onUpdate: (m: string) => void): Promise<WaitResult> {
  let last = '';
  for (;;) {
    const d = await client.getOrNull(`/apis/apps/v1/namespaces/${namespace}/deployments/${name}`);
    if (!d) return { ok: false, message: `Deployment ${namespace}/${name} not found` };
    const available = d.status?.availableReplicas ?? 0;
    const wanted = d.spec?.replicas ?? 1;
    if (available >= 1 && (d.status?.updatedReplicas ?? 0) >= 1) return { ok: true, message: `${available}/${wanted} replicas available` };
    last = `${available}/${wanted} available; ${await podTrouble(client, namespace, d.spec?.selector?.matchLabels ?? {})}`;
    onUpdate(last);
    if (Date.now() >= deadline) return { ok: false, message: last };
    await sleep(1000);
  }
}
