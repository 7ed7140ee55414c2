/**
 * From certificate flags to a certificate directory and specification, and a short
 * human-readable summary of a certificate for command output.
 */
import { resolve } from 'node:path';
import type { CertificateFacts } from '../../certs/index.ts';
import type { CertFlags } from '../flags.ts';
import type { Target } from '../target.ts';
import { keyAlgorithmOf, servingNames, type CertSpec } from './cert-files.ts';

/** The certificate directory: `--cert-dir`, else `.extapi/certs/<namespace>.<service>` under `cwd`. */
export function certDirOf(flags: Pick<CertFlags, 'certDir'>, target: Pick<Target, 'namespace' | 'service'>, cwd: string): string {
  return resolve(cwd, flags.certDir ?? `.extapi/certs/${target.namespace}.${target.service}`);
}

/** The specification of new certificates for `target`. */
export function certSpecOf(flags: CertFlags, target: Pick<Target, 'namespace' | 'service'>): CertSpec {
  return {
    ...servingNames(target.namespace, target.service, flags.extraSan),
    keyAlgorithm: keyAlgorithmOf(flags.keyAlgorithm), days: flags.days, caDays: flags.caDays,
  };
}

/** `names a, b; expires 2027-01-01 (365 days)` */
export function describeCert(facts: CertificateFacts, at = new Date()): string {
  const days = Math.floor((facts.notAfter.getTime() - at.getTime()) / 86_400_000);
  const names = [...facts.dnsNames, ...facts.ipAddresses];
  const expiry = `expires ${facts.notAfter.toISOString().slice(0, 10)} (${days < 0 ? 'expired' : `${days} days`})`;
  return names.length > 0 ? `${names.join(', ')}; ${expiry}` : `${facts.commonNames.join(', ')}; ${expiry}`;
}
