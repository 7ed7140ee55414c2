/**
 * Every object of setup steps 3-14, in an order that applies cleanly on a fresh cluster:
 * Namespace, ServiceAccount, TLS Secret (or cert-manager Issuers/Certificates), ClusterRole,
 * ClusterRoleBinding, auth-delegator ClusterRoleBinding, auth-reader RoleBinding,
 * PersistentVolumeClaim, Deployment, Service, PodDisruptionBudget, APIServices.
 * A server outside the cluster (`external`) gets an ExternalName Service and no workload.
 */
import { ActionableError, usageError } from '../errors.ts';
import type { WorkloadFlags } from '../flags.ts';
import { splitHostPort } from '../flags.ts';
import { objectNames, type Target } from '../target.ts';
import { apiServices } from './apiservice.ts';
import { certManagerObjects } from './cert-manager.ts';
import { rbacObjects } from './rbac.ts';
import { commonLabels, type ManifestSpec, type StepObject, type StorageSpec, type TlsSpec } from './types.ts';
import { dataClaim, deployment, disruptionBudget, service, servingSecret } from './workload.ts';

/** Builds the objects, each tagged with its setup step. */
export function buildManifests(spec: ManifestSpec): StepObject[] {
  const ns = spec.target.namespace;
  const out: StepObject[] = [{ step: 3, object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: commonLabels(spec) } } }];
  const rbac = rbacObjects(spec);
  out.push(rbac[0]);
  if (!spec.external) {
    if (spec.tls.kind === 'files') out.push({ step: 6, object: servingSecret(spec, spec.tls) });
    else out.push(...certManagerObjects(spec, spec.tls.days));
  }
  out.push(...rbac.slice(1));
  if (!spec.external) {
    if (spec.storage.kind === 'embedded') out.push({ step: 7, object: dataClaim(spec, spec.storage.size) });
    out.push({ step: 7, object: deployment(spec) });
  }
  out.push({ step: 7, object: service(spec) });
  if (!spec.external) out.push({ step: 7, object: disruptionBudget(spec) });
  out.push(...apiServices(spec).map((object) => ({ step: 14, object })));
  return out;
}

/** The storage a flag set asks for. */
export function storageSpec(flags: Pick<WorkloadFlags, 'storage' | 'etcdServers' | 'etcdSecret'>): StorageSpec {
  if (flags.storage === 'etcd') {
    const servers = (flags.etcdServers ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (servers.length === 0) throw usageError('--storage etcd needs --etcd-servers, e.g. --etcd-servers https://etcd-0.etcd:2379');
    return { kind: 'etcd', servers, ...(flags.etcdSecret ? { clientSecret: flags.etcdSecret } : {}) };
  }
  if (flags.etcdServers) throw usageError('--etcd-servers only applies with --storage etcd');
  if (flags.etcdSecret) throw usageError('--etcd-secret only applies with --storage etcd');
  return flags.storage === 'memory' ? { kind: 'memory' } : { kind: 'embedded', size: '1Gi' };
}

/** Replicas: 2 with etcd (shared storage), 1 otherwise; more than 1 needs etcd. */
export function replicasFor(storage: StorageSpec, requested: number | undefined): number {
  if (requested === undefined) return storage.kind === 'etcd' ? 2 : 1;
  if (requested > 1 && storage.kind !== 'etcd') {
    throw usageError(`--replicas ${requested} needs shared storage: ${storage.kind} storage lives in one pod, so use --storage etcd (or --replicas 1)`);
  }
  return requested;
}

/** Assembles the spec from the target, the workload flags and the TLS source. */
export function manifestSpec(target: Target, flags: WorkloadFlags, tls: TlsSpec): ManifestSpec {
  if (flags.certManager && flags.external) {
    throw usageError('--cert-manager and --external do not mix: a server outside the cluster reads its certificate from files; drop one of them');
  }
  const storage = storageSpec(flags);
  let external: ManifestSpec['external'];
  if (flags.external) {
    external = splitHostPort(flags.external);
    if (external.host.includes(':')) {
      throw new ActionableError('--external needs a host name or IPv4 address: an ExternalName Service cannot hold an IPv6 address', { exitCode: 2 });
    }
  }
  return {
    target, names: objectNames(target), image: flags.image, storage,
    replicas: replicasFor(storage, flags.replicas), external, tls,
  };
}
