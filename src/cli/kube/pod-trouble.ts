/**
 * Why the pods behind a selector do not serve, read the way `kubectl describe pod` shows it: a
 * waiting container's reason (ErrImageNeverPull, ImagePullBackOff, CrashLoopBackOff, ...), a volume
 * that cannot be mounted (a missing Secret: FailedMount events), a failing readiness probe
 * (Unhealthy events), or a pod that is not scheduled — each with the fix.
 */
import type { KubeClient } from '../../kube/client.ts';

/** One diagnosed pod problem. */
export interface PodTrouble {
  pod: string;
  /** The kubelet's reason: `ErrImageNeverPull`, `FailedMount`, `Unhealthy`, `Unschedulable`, ... */
  reason: string;
  message: string;
  fix: string;
}

const IMAGE_REASONS = new Set(['ErrImageNeverPull', 'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName']);

/** The fix of one pod problem (kubelet reason and message), naming what to do in one sentence. */
export function podTroubleFix(reason: string, message: string, namespace: string, pod: string, image: string): string {
  if (IMAGE_REASONS.has(reason)) {
    return `the node cannot get image ${image}: push it to a registry the node pulls from, or load it into the node's container runtime, then rerun \`extapi deploy --image <ref>\``;
  }
  const missing = /volume "([^"]+)".*secret "([^"]+)" not found/i.exec(message);
  if (reason === 'FailedMount' && missing) {
    const [, volume, secret] = missing;
    if (volume === 'etcd-client') return `the etcd client Secret ${secret} is missing: create it in namespace ${namespace} with ca.crt, tls.crt and tls.key (see --etcd-secret); the pod then starts by itself`;
    if (volume !== 'serving-cert') return `Secret ${secret} (volume ${volume}) is missing: create it in namespace ${namespace}; the pod then starts by itself`;
  }
  if (reason === 'FailedMount' && /secret .* not found/i.test(message)) {
    return 'the serving Secret is missing: rerun `extapi deploy` (it recreates the Secret from --cert-dir)';
  }
  if (reason === 'Unhealthy') return `the server is running but not ready: see \`kubectl -n ${namespace} logs ${pod}\` and \`kubectl -n ${namespace} describe pod ${pod}\``;
  if (reason === 'CrashLoopBackOff' || reason === 'Error') return `the server exits: see \`kubectl -n ${namespace} logs ${pod} --previous\``;
  return `see \`kubectl -n ${namespace} describe pod ${pod}\``;
}

async function latestEvent(client: KubeClient, namespace: string, pod: string, reasons: string[]): Promise<{ reason: string; message: string } | undefined> {
  const events = await client.request('GET', `/api/v1/namespaces/${namespace}/events`, {
    query: { fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod}` },
  });
  const matching = (events?.items ?? []).filter((e: any) => reasons.includes(e.reason));
  matching.sort((a: any, b: any) => String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')));
  const e = matching.at(-1);
  return e ? { reason: e.reason, message: String(e.message ?? '').trim() } : undefined;
}

/** The first problem among the pods matching `selector`, or undefined when none is found. */
export async function diagnosePods(client: KubeClient, namespace: string, selector: Record<string, string>): Promise<PodTrouble | undefined> {
  const labelSelector = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await client.request('GET', `/api/v1/namespaces/${namespace}/pods`, { query: { labelSelector } });
  for (const pod of pods?.items ?? []) {
    const name: string = pod.metadata.name;
    const trouble = (reason: string, message: string, image = ''): PodTrouble => ({ pod: name, reason, message, fix: podTroubleFix(reason, message, namespace, name, image) });
    const unscheduled = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled' && c.status === 'False');
    if (unscheduled) return trouble(unscheduled.reason ?? 'Unschedulable', unscheduled.message ?? 'not scheduled');
    for (const cs of pod.status?.containerStatuses ?? []) {
      const waiting = cs.state?.waiting;
      if (waiting?.reason && waiting.reason !== 'ContainerCreating' && waiting.reason !== 'PodInitializing') {
        return trouble(waiting.reason, waiting.message ?? '', cs.image ?? pod.spec?.containers?.[0]?.image ?? '');
      }
      if (waiting?.reason === 'ContainerCreating') {
        const mount = await latestEvent(client, namespace, name, ['FailedMount']);
        if (mount) return trouble(mount.reason, mount.message);
      }
      if (cs.state?.running && !cs.ready) {
        const probe = await latestEvent(client, namespace, name, ['Unhealthy']);
        if (probe) return trouble(probe.reason, probe.message);
      }
    }
  }
  return undefined;
}

/** `pod api-x: ErrImageNeverPull (Container image "..." is not present with pull policy of Never)` */
export function describeTrouble(t: PodTrouble): string {
  return `pod ${t.pod}: ${t.reason}${t.message ? ` (${t.message})` : ''}`;
}
