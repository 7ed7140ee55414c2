/**
 * Steps 9-13: the ServiceAccount, its ClusterRole (namespaces for the lifecycle check and
 * namespaceSelector, the cluster's admission webhook configurations and the Services they name,
 * reads of the resources it serves), the ClusterRoleBinding to it, the ClusterRoleBinding to
 * `system:auth-delegator` (TokenReview, SubjectAccessReview) and the RoleBinding in kube-system
 * to `extension-apiserver-authentication-reader`.
 */
import { commonLabels, type ManifestSpec, type StepObject } from './types.ts';

/** The role kube-apiserver ships for reading `kube-system/extension-apiserver-authentication`. */
export const AUTH_READER_ROLE = 'extension-apiserver-authentication-reader';
/** The cluster role kube-apiserver ships for TokenReview and SubjectAccessReview. */
export const AUTH_DELEGATOR_ROLE = 'system:auth-delegator';
const RBAC = 'rbac.authorization.k8s.io';

/** What every extension server reads of the cluster: namespaces, admission webhook configurations, the Services webhooks name. */
export const CLUSTER_READ_RULES: Array<Record<string, string[]>> = [
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get'] },
];

/** The ClusterRole's rules: {@link CLUSTER_READ_RULES}, and get/list/watch of the served resources. */
export function clusterRoleRules(spec: Pick<ManifestSpec, 'target'>): Array<Record<string, string[]>> {
  const rules: Array<Record<string, string[]>> = CLUSTER_READ_RULES.map((r) => ({ ...r }));
  for (const g of spec.target.groups) {
    const resources = g.resources.flatMap((r) => (r.subresources.status ? [r.plural, `${r.plural}/status`] : [r.plural]));
    rules.push({ apiGroups: [g.group], resources, verbs: ['get', 'list', 'watch'] });
  }
  return rules;
}

/** Steps 9-13 as objects, in apply order. */
export function rbacObjects(spec: ManifestSpec): StepObject[] {
  const { namespace, serviceAccount } = spec.target;
  const labels = commonLabels(spec);
  const subjects = [{ kind: 'ServiceAccount', name: serviceAccount, namespace }];
  const n = spec.names;
  return [
    { step: 9, object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccount, namespace, labels } } },
    { step: 10, object: { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: n.clusterRole, labels }, rules: clusterRoleRules(spec) } },
    {
      step: 11, object: {
        apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: n.clusterRoleBinding, labels },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: n.clusterRole }, subjects,
      },
    },
    {
      step: 12, object: {
        apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: n.authDelegatorBinding, labels },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: AUTH_DELEGATOR_ROLE }, subjects,
      },
    },
    {
      step: 13, object: {
        apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name: n.authReaderBinding, namespace: 'kube-system', labels },
        roleRef: { apiGroup: RBAC, kind: 'Role', name: AUTH_READER_ROLE }, subjects,
      },
    },
  ];
}
