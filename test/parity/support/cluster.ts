/**
 * The cluster side of running both wardle servers: the RBAC of steps 10-13 for the servers'
 * identity, and registering one server at a time behind the aggregator (ExternalName Service +
 * the two wardle APIServices), since both claim the group wardle.example.com.
 */
import { registrationYaml as wardleRegistrationYaml } from '../../e2e/support/wardle-server.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControlPlane } from '../../../src/testing/control-plane-state.ts';
import { httpsTarget, waitFor, type HttpsTarget } from './http.ts';

/** The wardle APIService names. */
export const WARDLE_APISERVICES = ['v1alpha1.wardle.example.com', 'v1beta1.wardle.example.com'];

/**
 * Steps 10-13 for user `user`: a ClusterRole with what sample-apiserver's informers read
 * (artifacts/example/rbac.yaml, plus the 1.36 admission policy kinds), bound to the user;
 * `system:auth-delegator`; and `extension-apiserver-authentication-reader` in kube-system.
 */
export function serverRbacYaml(user: string, name: string): string {
  const subjects = `subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${user}}]`;
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${name}}
rules:
- {apiGroups: [""], resources: [namespaces], verbs: [get, watch, list]}
- {apiGroups: [""], resources: [services], verbs: [get]}
- apiGroups: [admissionregistration.k8s.io]
  resources: [mutatingwebhookconfigurations, validatingwebhookconfigurations, validatingadmissionpolicies, validatingadmissionpolicybindings, mutatingadmissionpolicies, mutatingadmissionpolicybindings]
  verbs: [get, watch, list]
- {apiGroups: [flowcontrol.apiserver.k8s.io], resources: [prioritylevelconfigurations, flowschemas], verbs: [list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
${subjects}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${name}:auth-delegator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:auth-delegator}
${subjects}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${name}:auth-reader, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
${subjects}
`;
}

/** Deletes what {@link serverRbacYaml} created. */
export async function deleteServerRbac(cp: ControlPlane, name: string): Promise<void> {
  await cp.kubectl(['delete', 'clusterrole', name, '--ignore-not-found']);
  await cp.kubectl(['delete', 'clusterrolebinding', name, `${name}:auth-delegator`, '--ignore-not-found']);
  await cp.kubectl(['delete', 'rolebinding', `${name}:auth-reader`, '-n', 'kube-system', '--ignore-not-found']);
}

/** The admin client pair of the control plane (CN=extapi-admin, O=system:masters). */
export async function adminPair(cp: ControlPlane): Promise<{ cert: string; key: string }> {
  const pki = join(cp.dir, 'pki');
  return { cert: await readFile(join(pki, 'admin.crt'), 'utf8'), key: await readFile(join(pki, 'admin.key'), 'utf8') };
}

/** An HTTPS target for kube-apiserver as the admin. */
export async function aggregatorTarget(cp: ControlPlane): Promise<HttpsTarget> {
  return httpsTarget(cp.url, { ca: cp.caPem, ...(await adminPair(cp)) });
}

/** ExternalName Service `service` in `namespace` (the namespace must exist) and both wardle APIServices at `port`. */
export function registrationYaml(namespace: string, service: string, port: number, caPem: string): string {
  return wardleRegistrationYaml(namespace, service, port, caPem, false);
}

/**
 * Registers the server at `port` (serving `<service>.<namespace>.svc`, signed by `caPem`) and
 * waits until both APIServices are Available and kube-apiserver serves their OpenAPI v3.
 */
export async function registerWardle(cp: ControlPlane, namespace: string, service: string, port: number, caPem: string): Promise<void> {
  const applied = await cp.kubectl(['apply', '-f', '-'], { input: registrationYaml(namespace, service, port, caPem) });
  if (applied.code !== 0) throw new Error(`registering wardle: ${applied.stderr}`);
  let last = '';
  await waitFor(async () => {
    const res = await cp.kubectl(['get', 'apiservice', ...WARDLE_APISERVICES, '-o',
      'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Available")].status} {.status.conditions[?(@.type=="Available")].message}{"\\n"}{end}']);
    last = res.stdout + res.stderr;
    const lines = res.stdout.trim().split('\n');
    if (lines.length !== 2 || !lines.every((l) => l.startsWith('True'))) return false;
    for (const v of ['v1alpha1', 'v1beta1']) {
      if ((await cp.kubectl(['get', '--raw', `/openapi/v3/apis/wardle.example.com/${v}`])).code !== 0) return false;
    }
    return true;
  }, 90_000, `wardle APIServices Available (${last.trim()})`, 250);
}

/** Deletes the wardle APIServices and waits until the aggregator no longer serves the group. */
export async function unregisterWardle(cp: ControlPlane, namespace: string, service: string): Promise<void> {
  await cp.kubectl(['delete', 'apiservice', ...WARDLE_APISERVICES, '--ignore-not-found']);
  await cp.kubectl(['delete', 'service', service, '-n', namespace, '--ignore-not-found']);
  await waitFor(async () => (await cp.kubectl(['get', '--raw', '/apis/wardle.example.com/v1alpha1'])).code !== 0, 30_000, 'wardle unregistered');
}
