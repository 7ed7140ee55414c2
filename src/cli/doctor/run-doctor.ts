/**
 * Runs the doctor's checks in setup-step order, printing each result (with its fix) as it
 * comes, or collecting them for `--output json`. Checks of objects inside a missing namespace
 * are skipped rather than repeated as failures.
 */
import type { Checklist } from '../checklist.ts';
import { toActionableError } from '../errors.ts';
import type { Colors } from '../output.ts';
import { clusterChecks } from './checks-cluster.ts';
import { rbacChecks } from './checks-rbac.ts';
import { servingChecks } from './checks-serving.ts';
import { storageChecks } from './checks-storage.ts';
import { tlsChecks } from './checks-tls.ts';
import { result, type Check, type CheckResult, type DoctorFacts } from './types.ts';

/** Every check, in the order of the setup steps; the cluster-wide APIService check last. */
export const ALL_CHECKS: Check[] = [
  clusterChecks.apiEnabled, clusterChecks.permissions, clusterChecks.namespace,
  tlsChecks.caBundle, tlsChecks.servingCert, tlsChecks.secret,
  servingChecks.workload, servingChecks.serving,
  rbacChecks.serviceAccount, rbacChecks.clusterRole, rbacChecks.authDelegator, rbacChecks.authReader,
  clusterChecks.apiServices, clusterChecks.resources, storageChecks.storedVersions, clusterChecks.clusterApiServices,
];

/** The doctor's report. */
export interface DoctorReport {
  /** False when any check failed. */
  ok: boolean;
  summary: Record<CheckResult['status'], number>;
  checks: CheckResult[];
}

/** Where results go while the checks run (text mode), or nowhere (JSON mode). */
export interface DoctorOutput {
  checklist?: Checklist;
  colors: Colors;
}

function printResults(out: DoctorOutput, label: string, results: CheckResult[], pending: ReturnType<Checklist['start']> | undefined): void {
  if (!out.checklist) return;
  results.forEach((r, i) => {
    const handle = i === 0 && pending ? pending : out.checklist!.start(label, r.title);
    handle.done(r.status, r.detail, r.title);
    if (r.fix && (r.status === 'fail' || r.status === 'warn')) out.checklist!.note(`      ${out.colors.yellow('fix:')} ${r.fix}`);
  });
  if (results.length === 0) pending?.done('skip', 'nothing to check');
}

/** Runs `checks` against `facts`; a check that throws becomes a failed result, not a crash. */
export async function runDoctor(facts: DoctorFacts, out: DoctorOutput, checks: Check[] = ALL_CHECKS): Promise<DoctorReport> {
  const all: CheckResult[] = [];
  const nsMissing = !facts.namespace.obj && !facts.namespace.error;
  for (const check of checks) {
    const label = check.step === 0 ? '*' : String(check.step);
    let results: CheckResult[];
    const pending = out.checklist?.start(label, check.title);
    if (check.namespaced && nsMissing) {
      results = [result(`${check.title.toLowerCase().replace(/\W+/g, '-')}`, check.step, check.title, 'skip', `namespace ${facts.target.namespace} does not exist`)];
    } else {
      try {
        results = await check.run(facts);
      } catch (err) {
        results = [result(`error/${check.step}`, check.step, check.title, 'fail', `the check itself failed: ${toActionableError(err, facts.cluster.errorContext).message}`)];
      }
    }
    printResults(out, label, results, pending);
    all.push(...results);
  }
  const summary = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const r of all) summary[r.status]++;
  return { ok: summary.fail === 0, summary, checks: all };
}
