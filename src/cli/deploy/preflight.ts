/**
 * Setup steps 1-2 before anything is written: is `apiregistration.k8s.io/v1` served, and may
 * the current user create and patch every object the setup applies (SelfSubjectAccessReview)?
 * Missing permissions are named exactly (verb, resource, namespace).
 */
import { KubeApiError, type KubeClient } from '../../kube/client.ts';
import { ActionableError } from '../errors.ts';
import { resourceOf } from '../kube/rest-mapping.ts';
import type { KubeManifest } from '../manifests/types.ts';

/** One permission the setup needs. */
export interface Permission {
  verb: string;
  group: string;
  resource: string;
  /** Undefined for cluster-scoped resources. */
  namespace?: string;
}

/** `create clusterrolebindings.rbac.authorization.k8s.io (cluster-wide)` */
export function describePermission(p: Permission): string {
  const res = p.group ? `${p.resource}.${p.group}` : p.resource;
  return `${p.verb} ${res} ${p.namespace ? `in namespace ${p.namespace}` : '(cluster-wide)'}`;
}

/** Describes permissions with the verbs merged per resource: `create/patch apiservices.apiregistration.k8s.io (cluster-wide)`. */
export function describePermissions(ps: Permission[]): string {
  const merged = new Map<string, string[]>();
  for (const p of ps) {
    const key = describePermission({ ...p, verb: '' }).trimStart();
    merged.set(key, [...(merged.get(key) ?? []), p.verb]);
  }
  return [...merged].map(([key, verbs]) => `${verbs.join('/')} ${key}`).join(', ');
}

/** Step 1: throws an ActionableError when the APIService API is not served. */
export async function checkApiRegistration(client: KubeClient): Promise<void> {
  try {
    await client.request('GET', '/apis/apiregistration.k8s.io/v1');
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) {
      throw new ActionableError('the cluster does not serve apiregistration.k8s.io/v1 (the aggregation layer\'s APIService API); enable it with kube-apiserver --runtime-config=apiregistration.k8s.io/v1=true');
    }
    throw err;
  }
}

/** With `--cert-manager`: throws an ActionableError when cert-manager's API is not served. */
export async function checkCertManager(client: KubeClient): Promise<void> {
  try {
    await client.request('GET', '/apis/cert-manager.io/v1');
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) {
      throw new ActionableError('cert-manager is not installed (cert-manager.io/v1 is not served); install it first (https://cert-manager.io/docs/installation/) or drop --cert-manager to use extapi\'s own CA');
    }
    throw err;
  }
}

/** The distinct create + patch permissions applying `objects` needs. */
export function permissionsFor(objects: KubeManifest[]): Permission[] {
  const seen = new Map<string, Permission>();
  for (const o of objects) {
    const { group, resource, namespaced } = resourceOf(o);
    for (const verb of ['create', 'patch']) {
      const p: Permission = { verb, group, resource, namespace: namespaced ? o.metadata.namespace : undefined };
      seen.set(describePermission(p), p);
    }
  }
  return [...seen.values()];
}

/** Asks kube-apiserver whether the current user may do `p`. */
export async function mayI(client: KubeClient, p: Permission, name?: string): Promise<boolean> {
  const review = await client.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    body: {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: p.verb, group: p.group, resource: p.resource, namespace: p.namespace, name } },
    },
  });
  return review?.status?.allowed === true;
}

/** Step 2: the permissions (of {@link permissionsFor}) the current user lacks. */
export async function missingPermissions(client: KubeClient, objects: KubeManifest[]): Promise<Permission[]> {
  const needed = permissionsFor(objects);
  const allowed = await Promise.all(needed.map((p) => mayI(client, p)));
  return needed.filter((_, i) => !allowed[i]);
}
