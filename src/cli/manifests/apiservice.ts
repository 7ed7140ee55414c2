/**
 * Step 14: one APIService per served version, pointing at the Service, with the CA bundle
 * (base64 PEM, never insecureSkipTLSVerify) or cert-manager's CA injection annotation.
 */
import { b64, commonLabels, SERVICE_PORT, type KubeManifest, type ManifestSpec } from './types.ts';

/** groupPriorityMinimum of extension groups: below every built-in group, as upstream's samples. */
export const GROUP_PRIORITY_MINIMUM = 1000;

/** versionPriority of the i-th version in preference order: 100, 90, 80... (at least 1). */
export function versionPriority(index: number): number {
  return Math.max(100 - 10 * index, 1);
}

/** cert-manager's annotation asking cainjector to fill `caBundle` from a Certificate. */
export const INJECT_CA_FROM = 'cert-manager.io/inject-ca-from';

/** Annotation recording the `host:port` of a server outside the cluster (read by doctor). */
export const EXTERNAL_SERVER_ANNOTATION = 'extapi.dev/external-server';

/** The APIServices of every served group/version. */
export function apiServices(spec: ManifestSpec): KubeManifest[] {
  const port = spec.external?.port ?? SERVICE_PORT;
  return spec.target.groups.flatMap((g) => g.versions.map((version, i): KubeManifest => {
    const metadata: KubeManifest['metadata'] = { name: `${version}.${g.group}`, labels: commonLabels(spec) };
    const body: Record<string, unknown> = {
      group: g.group, version, groupPriorityMinimum: GROUP_PRIORITY_MINIMUM, versionPriority: versionPriority(i),
      service: { namespace: spec.target.namespace, name: spec.target.service, port },
    };
    if (spec.tls.kind === 'files') body.caBundle = b64(spec.tls.caBundlePem);
    else metadata.annotations = { [INJECT_CA_FROM]: `${spec.target.namespace}/${spec.names.secret}` };
    if (spec.external) metadata.annotations = { ...metadata.annotations, [EXTERNAL_SERVER_ANNOTATION]: `${spec.external.host}:${spec.external.port}` };
    return { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata, spec: body };
  }));
}
