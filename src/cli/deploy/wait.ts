/**
 * Waiting for the cluster to catch up: an APIService to become Available (reporting its
 * condition message while it is not), and a Deployment to have available replicas (reporting
 * why pods are not ready: image pulls, crash loops, scheduling).
 */
import type { KubeClient } from '../../kube/client.ts';
import type { GroupPlan } from '../target.ts';
import { describeTrouble, diagnosePods } from '../kube/pod-trouble.ts';

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

/** Why the pods of a Deployment are not ready (see {@link diagnosePods}). */
async function podTrouble(client: KubeClient, namespace: string, selector: Record<string, string>): Promise<string> {
  const trouble = await diagnosePods(client, namespace, selector);
  if (trouble) return describeTrouble(trouble);
  const labelSelector = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await client.request('GET', `/api/v1/namespaces/${namespace}/pods`, { query: { labelSelector } });
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

/** The aggregated discovery document (`kubectl` >= 1.30 reads it to map kinds to resources). */
const AGGREGATED_DISCOVERY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

/** What kubectl still lacks for `group/version`, or '' when it has everything. */
async function kubectlGap(client: KubeClient, group: string, version: string, resources: string[]): Promise<string> {
  const discovery = await client.request('GET', '/apis', { accept: AGGREGATED_DISCOVERY, timeoutMs: 10_000 });
  const entry = (discovery?.items ?? []).find((g: any) => g.metadata?.name === group)?.versions?.find((v: any) => v.version === version);
  const listed = new Set((entry?.resources ?? []).map((r: any) => r.resource));
  const unlisted = resources.filter((r) => !listed.has(r));
  if (unlisted.length > 0) return `aggregated discovery does not list ${unlisted.join(', ')} in ${group}/${version} yet`;
  const index = await client.request('GET', '/openapi/v3', { timeoutMs: 10_000 });
  if (!index?.paths?.[`apis/${group}/${version}`]) return `the OpenAPI v3 index does not list apis/${group}/${version} yet`;
  const doc = await client.request('GET', `/openapi/v3/apis/${group}/${version}`, { timeoutMs: 10_000 });
  if (Object.keys(doc?.paths ?? {}).length === 0) return `OpenAPI v3 of ${group}/${version} has no paths yet`;
  return '';
}

/**
 * Polls until kube-apiserver publishes what kubectl needs for every served group version —
 * aggregated discovery listing the resources and the OpenAPI v3 document (kubectl apply and
 * explain read it) — or `deadline` passes. Available APIServices are not enough: the aggregator
 * fetches discovery and OpenAPI from the server asynchronously afterwards.
 */
export async function waitForKubectlReady(client: KubeClient, groups: GroupPlan[], deadline: number, onUpdate: (m: string) => void): Promise<WaitResult> {
  const groupVersions = groups.flatMap((g) => g.versions.map((version) => ({
    group: g.group, version,
    resources: g.resources.filter((r) => r.versions.some((v) => v.name === version)).map((r) => r.plural),
  })));
  for (;;) {
    let gap = '';
    for (const gv of groupVersions) {
      gap = await kubectlGap(client, gv.group, gv.version, gv.resources).catch((err: Error) => `not served yet: ${err.message}`);
      if (gap) break;
    }
    if (!gap) return { ok: true, message: 'discovery and OpenAPI v3 published' };
    onUpdate(gap);
    if (Date.now() >= deadline) return { ok: false, message: gap };
    await sleep(250);
  }
}
