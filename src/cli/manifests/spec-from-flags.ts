/**
 * The manifest specification a command's flags describe: target, workload and the TLS source
 * (cert-manager, or the certificate directory, created when missing as `extapi certs` does).
 */
import { certDirOf, certSpecOf } from '../certs/cert-options.ts';
import { ensureCertificates, type EnsuredCertificates } from '../certs/cert-files.ts';
import type { CertFlags, TargetFlags, WorkloadFlags } from '../flags.ts';
import { resolveTarget } from '../target.ts';
import { manifestSpec } from './build.ts';
import type { ManifestSpec } from './types.ts';

/** Flags every manifest-producing command has. */
export type ManifestFlags = TargetFlags & CertFlags & WorkloadFlags;

/** The spec, and the certificate files when extapi (not cert-manager) provides them. */
export interface ResolvedManifestSpec {
  spec: ManifestSpec;
  certs?: EnsuredCertificates;
}

/** Resolves the flags into a manifest spec (loading the server module, ensuring certificates). */
export async function specFromFlags(flags: ManifestFlags, cwd: string): Promise<ResolvedManifestSpec> {
  const target = await resolveTarget(flags, cwd);
  if (flags.certManager) {
    return { spec: manifestSpec(target, flags, { kind: 'cert-manager', days: flags.days }) };
  }
  manifestSpec(target, flags, { kind: 'cert-manager', days: flags.days }); // validates the flags before touching files
  const certs = await ensureCertificates(certDirOf(flags, target, cwd), certSpecOf(flags, target));
  const tls = { kind: 'files' as const, caBundlePem: certs.caBundlePem, certPem: certs.serving.certPem, keyPem: certs.serving.keyPem, caPem: certs.ca.pem };
  return { spec: manifestSpec(target, flags, tls), certs };
}
