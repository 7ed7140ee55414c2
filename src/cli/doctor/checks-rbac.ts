/**
 * RBAC checks on behalf of the server's ServiceAccount (SubjectAccessReview as
 * `system:serviceaccount:<ns>:<sa>`): it exists (step 9), may watch namespaces through its
 * ClusterRole (10-11), may create TokenReviews and SubjectAccessReviews (auth-delegator, 12),
 * and may read `kube-system/extension-apiserver-authentication` (auth-reader, 13).
 */
import { AUTH_DELEGATOR_ROLE, AUTH_READER_ROLE, CLUSTER_READ_RULES } from '../manifests/rbac.ts';
import { result, type Check, type CheckResult, type DoctorFacts } from './types.ts';

interface Ask {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

/** Asks whether the ServiceAccount may do each of `asks`; null when we may not ask. */
async function serviceAccountMay(f: DoctorFacts, asks: Ask[]): Promise<boolean[] | string> {
  const { namespace } = f.target;
  try {
    return await Promise.all(asks.map(async (a) => {
      const review = await f.cluster.client.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        body: {
          apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
          spec: {
            user: f.names.serviceAccountUser,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
            resourceAttributes: a,
          },
        },
      });
      return review?.status?.allowed === true;
    }));
  } catch (err) {
    return `cannot ask on its behalf (SubjectAccessReview): ${(err as Error).message}`;
  }
}

/** `get/list/watch namespaces; create tokenreviews.authentication.k8s.io` (verbs merged per resource). */
function describeAsks(asks: Ask[]): string {
  const byTarget = new Map<string, string[]>();
  for (const a of asks) {
    const key = `${a.group ? `${a.resource}.${a.group}` : a.resource}${a.name ? ` ${a.name}` : ''}${a.namespace ? ` in ${a.namespace}` : ''}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), a.verb]);
  }
  return [...byTarget].map(([key, verbs]) => `${verbs.join('/')} ${key}`).join('; ');
}

async function permissionCheck(f: DoctorFacts, id: string, step: number, title: string, asks: Ask[], fix: string): Promise<CheckResult> {
  const answers = await serviceAccountMay(f, asks);
  if (typeof answers === 'string') return result(id, step, title, 'skip', answers);
  const denied = asks.filter((_, i) => !answers[i]);
  if (denied.length === 0) return result(id, step, title, 'pass', `${f.names.serviceAccountUser} may ${describeAsks(asks)}`);
  return result(id, step, title, 'fail', `${f.names.serviceAccountUser} may not ${describeAsks(denied)}`, fix);
}

const serviceAccount: Check = {
  step: 9, title: 'ServiceAccount', namespaced: true,
  async run(f) {
    const title = `ServiceAccount ${f.target.namespace}/${f.target.serviceAccount}`;
    if (f.serviceAccount.error) return [result('service-account', 9, title, 'skip', `cannot read it: ${f.serviceAccount.error}`)];
    if (!f.serviceAccount.obj) return [result('service-account', 9, title, 'fail', 'not found', f.hints.deploy)];
    return [result('service-account', 9, title, 'pass', 'exists')];
  },
};

const clusterRole: Check = {
  step: 11, title: 'ClusterRole and its binding',
  async run(f) {
    const { namespace, serviceAccount: sa } = f.target;
    const asks: Ask[] = CLUSTER_READ_RULES.flatMap((rule) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => ({ verb, group: rule.apiGroups[0], resource }))));
    const fix = `${f.hints.deploy}   (or: kubectl create clusterrolebinding ${f.names.clusterRoleBinding} --clusterrole ${f.names.clusterRole} --serviceaccount ${namespace}:${sa})`;
    return [await permissionCheck(f, 'cluster-role', 11, `ClusterRole ${f.names.clusterRole} bound to the ServiceAccount`, asks, fix)];
  },
};

const authDelegator: Check = {
  step: 12, title: 'auth-delegator',
  async run(f) {
    const { namespace, serviceAccount: sa } = f.target;
    const asks: Ask[] = [
      { verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' },
      { verb: 'create', group: 'authorization.k8s.io', resource: 'subjectaccessreviews' },
    ];
    const fix = `kubectl create clusterrolebinding ${f.names.authDelegatorBinding} --clusterrole ${AUTH_DELEGATOR_ROLE} --serviceaccount ${namespace}:${sa}   (or: ${f.hints.deploy})`;
    return [await permissionCheck(f, 'auth-delegator', 12, `ClusterRoleBinding to ${AUTH_DELEGATOR_ROLE} (delegated authn/authz)`, asks, fix)];
  },
};

const authReader: Check = {
  step: 13, title: 'auth-reader',
  async run(f) {
    const { namespace, serviceAccount: sa } = f.target;
    const asks: Ask[] = ['get', 'list', 'watch'].map((verb) => ({
      verb, group: '', resource: 'configmaps', namespace: 'kube-system', name: 'extension-apiserver-authentication',
    }));
    const fix = `kubectl -n kube-system create rolebinding ${f.names.authReaderBinding} --role ${AUTH_READER_ROLE} --serviceaccount ${namespace}:${sa}   (or: ${f.hints.deploy})`;
    return [await permissionCheck(f, 'auth-reader', 13, `RoleBinding kube-system/${f.names.authReaderBinding} to ${AUTH_READER_ROLE}`, asks, fix)];
  },
};

/** The RBAC checks, in step order. */
export const rbacChecks = { serviceAccount, clusterRole, authDelegator, authReader };
