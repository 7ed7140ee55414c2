/**
 * The REST paths of the kinds the CLI creates (a fixed table: no discovery round-trips), and
 * short display names of objects.
 */
import type { KubeManifest } from '../manifests/types.ts';

interface Mapping {
  plural: string;
  namespaced: boolean;
}

const KINDS: Record<string, Mapping> = {
  'v1/Namespace': { plural: 'namespaces', namespaced: false },
  'v1/ServiceAccount': { plural: 'serviceaccounts', namespaced: true },
  'v1/Secret': { plural: 'secrets', namespaced: true },
  'v1/Service': { plural: 'services', namespaced: true },
  'v1/PersistentVolumeClaim': { plural: 'persistentvolumeclaims', namespaced: true },
  'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
  'apps/v1/Deployment': { plural: 'deployments', namespaced: true },
  'policy/v1/PodDisruptionBudget': { plural: 'poddisruptionbudgets', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': { plural: 'clusterroles', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { plural: 'clusterrolebindings', namespaced: false },
  'rbac.authorization.k8s.io/v1/RoleBinding': { plural: 'rolebindings', namespaced: true },
  'apiregistration.k8s.io/v1/APIService': { plural: 'apiservices', namespaced: false },
  'cert-manager.io/v1/Issuer': { plural: 'issuers', namespaced: true },
  'cert-manager.io/v1/Certificate': { plural: 'certificates', namespaced: true },
};

/** The minimum of an object needed to address it. */
export type ObjectRef = Pick<KubeManifest, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } };

function mappingOf(ref: Pick<ObjectRef, 'apiVersion' | 'kind'>): Mapping {
  const m = KINDS[`${ref.apiVersion}/${ref.kind}`];
  if (!m) throw new Error(`extapi has no REST mapping for ${ref.apiVersion} ${ref.kind}`);
  return m;
}

/** The resource (plural) and group of a kind, e.g. `clusterrolebindings.rbac.authorization.k8s.io`. */
export function resourceOf(ref: Pick<ObjectRef, 'apiVersion' | 'kind'>): { group: string; resource: string; namespaced: boolean } {
  const m = mappingOf(ref);
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return { group, resource: m.plural, namespaced: m.namespaced };
}

/** `/api/v1/namespaces/<ns>/<plural>` or `/apis/<group>/<version>/<plural>`. */
export function collectionPath(ref: Pick<ObjectRef, 'apiVersion' | 'kind'>, namespace?: string): string {
  const m = mappingOf(ref);
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  return m.namespaced ? `${base}/namespaces/${encodeURIComponent(namespace ?? 'default')}/${m.plural}` : `${base}/${m.plural}`;
}

/** The path of one object. */
export function objectPath(ref: ObjectRef): string {
  return `${collectionPath(ref, ref.metadata.namespace)}/${encodeURIComponent(ref.metadata.name)}`;
}

/** `ClusterRoleBinding wardle:apiserver`, `Deployment wardle/api`. */
export function displayName(ref: ObjectRef): string {
  return `${ref.kind} ${ref.metadata.namespace ? `${ref.metadata.namespace}/` : ''}${ref.metadata.name}`;
}
