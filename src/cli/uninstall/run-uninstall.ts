/**
 * Removing a setup in the order that never breaks the cluster: first the APIServices (so
 * discovery and namespace deletion stop depending on the server), then the workload, the
 * RBAC objects and finally the namespace. Objects already gone are reported, not failed on,
 * so it is safe to repeat.
 */
import { KubeApiError } from '../../kube/client.ts';
import type { Checklist } from '../checklist.ts';
import type { Cluster } from '../cluster.ts';
import { ActionableError, toActionableError } from '../errors.ts';
import { deleteIfExists } from '../kube/apply.ts';
import { displayName, objectPath, type ObjectRef } from '../kube/rest-mapping.ts';
import { objectNames, type Target } from '../target.ts';

/** Options of {@link runUninstall}. */
export interface UninstallOptions {
  cluster: Cluster;
  target: Target;
  keepNamespace: boolean;
  checklist: Checklist;
}

/** What uninstall did. */
export interface UninstallResult {
  deleted: string[];
  absent: string[];
}

const ref = (apiVersion: string, kind: string, name: string, namespace?: string): ObjectRef => ({ apiVersion, kind, metadata: { name, namespace } });

/** The APIServices to remove: ours by name, plus any other pointing at our Service. */
async function apiServiceRefs(cluster: Cluster, target: Target): Promise<ObjectRef[]> {
  const names = new Set(objectNames(target).apiServices);
  const list = await cluster.client.request('GET', '/apis/apiregistration.k8s.io/v1/apiservices');
  for (const a of list?.items ?? []) {
    const svc = a.spec?.service;
    if (svc?.namespace === target.namespace && svc?.name === target.service) names.add(a.metadata.name);
  }
  return [...names].map((n) => ref('apiregistration.k8s.io/v1', 'APIService', n));
}

/** Every object of the setup except the APIServices, in removal order. */
export function removalOrder(target: Target, keepNamespace: boolean): ObjectRef[] {
  const n = objectNames(target);
  const ns = target.namespace;
  const rbac = 'rbac.authorization.k8s.io/v1';
  const refs = [
    ref('policy/v1', 'PodDisruptionBudget', n.pdb, ns),
    ref('v1', 'Service', target.service, ns),
    ref('apps/v1', 'Deployment', n.deployment, ns),
    ref('v1', 'PersistentVolumeClaim', n.pvc, ns),
    ref('v1', 'Secret', n.secret, ns),
    ref('cert-manager.io/v1', 'Certificate', n.secret, ns),
    ref('cert-manager.io/v1', 'Issuer', `${target.service}-ca`, ns),
    ref('cert-manager.io/v1', 'Certificate', `${target.service}-ca`, ns),
    ref('v1', 'Secret', `${target.service}-ca`, ns),
    ref('cert-manager.io/v1', 'Issuer', `${target.service}-selfsigned`, ns),
    ref(rbac, 'RoleBinding', n.authReaderBinding, 'kube-system'),
    ref(rbac, 'ClusterRoleBinding', n.authDelegatorBinding),
    ref(rbac, 'ClusterRoleBinding', n.clusterRoleBinding),
    ref(rbac, 'ClusterRole', n.clusterRole),
    ref('v1', 'ServiceAccount', target.serviceAccount, ns),
  ];
  if (!keepNamespace) refs.push(ref('v1', 'Namespace', ns));
  return refs;
}

/** Objects only a `--cert-manager` setup has. */
function isCertManagerOnly(r: ObjectRef, target: Target): boolean {
  return r.apiVersion.startsWith('cert-manager.io/') || (r.kind === 'Secret' && r.metadata.name === `${target.service}-ca`);
}

async function removeOne(cluster: Cluster, r: ObjectRef): Promise<'deleted' | 'absent' | 'terminating'> {
  if (r.kind === 'Namespace') {
    const current = await cluster.client.getOrNull(objectPath(r));
    if (!current) return 'absent';
    if (current.metadata?.deletionTimestamp) return 'terminating';
  }
  try {
    return (await deleteIfExists(cluster.client, objectPath(r))) ? 'deleted' : 'absent';
  } catch (err) {
    // a namespace already being deleted answers 409 Conflict
    if (r.kind === 'Namespace' && err instanceof KubeApiError && err.code === 409) return 'terminating';
    throw err;
  }
}

/** Removes the setup; throws ActionableError naming what was removed when a deletion fails. */
export async function runUninstall(o: UninstallOptions): Promise<UninstallResult> {
  const out: UninstallResult = { deleted: [], absent: [] };
  const refs = [...await apiServiceRefs(o.cluster, o.target), ...removalOrder(o.target, o.keepNamespace)];
  for (const r of refs) {
    const name = displayName(r);
    const label = r.kind === 'APIService' ? '14' : '-';
    let outcome: Awaited<ReturnType<typeof removeOne>>;
    try {
      outcome = await removeOne(o.cluster, r);
    } catch (err) {
      const e = toActionableError(err, o.cluster.errorContext);
      o.checklist.start(label, name).done('fail', e.message);
      throw new ActionableError(`deleting ${name} failed: ${e.message}`, {
        cause: err,
        details: [out.deleted.length ? `removed before the failure: ${out.deleted.join(', ')}` : 'nothing was removed', 'fix the cause and rerun `extapi uninstall` (safe to repeat)'],
      });
    }
    if (outcome === 'absent' && isCertManagerOnly(r, o.target)) continue;
    if (outcome === 'deleted') out.deleted.push(name); else out.absent.push(name);
    o.checklist.start(label, name).done(outcome === 'deleted' ? 'pass' : 'skip', outcome === 'absent' ? 'not found' : outcome === 'terminating' ? 'already being deleted' : 'deleted');
  }
  return out;
}
