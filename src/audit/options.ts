import { Auditor } from './auditor.ts';
import { LogBackend } from './log-backend.ts';
import { loadAuditPolicyFile } from './policy.ts';
import type { AuditBackend } from './types.ts';
import { WebhookBackend } from './webhook-backend.ts';

/** The `--audit-*` flags a server takes (kube-apiserver's names and defaults). */
export interface AuditFlags {
  auditPolicyFile?: string;
  auditLogPath?: string;
  auditLogMaxsize?: number;
  auditLogMaxbackup?: number;
  auditLogMaxage?: number;
  auditWebhookConfigFile?: string;
  auditWebhookBatchBufferSize?: number;
  auditWebhookBatchMaxSize?: number;
  auditWebhookBatchMaxWait?: number;
  auditWebhookInitialBackoff?: number;
}

/** The flag definitions, for a commander program: [flags, description, default?]. */
export const AUDIT_FLAG_HELP: [string, string, number?][] = [
  ['--audit-policy-file <file>', 'audit.k8s.io/v1 Policy; without it nothing is audited'],
  ['--audit-log-path <file>', 'write audit events as JSON lines to this file (- for standard output)'],
  ['--audit-log-maxsize <MB>', 'rotate the audit log when it reaches this size (0: never)', 0],
  ['--audit-log-maxbackup <n>', 'keep at most this many rotated audit logs (0: all)', 0],
  ['--audit-log-maxage <days>', 'remove rotated audit logs older than this (0: never)', 0],
  ['--audit-webhook-config-file <kubeconfig>', 'send audit events to the webhook this kubeconfig names'],
  ['--audit-webhook-batch-buffer-size <n>', 'events buffered for the webhook before new ones are dropped', 10000],
  ['--audit-webhook-batch-max-size <n>', 'events per webhook request', 400],
  ['--audit-webhook-batch-max-wait <seconds>', 'send a partial batch after this long', 30],
  ['--audit-webhook-initial-backoff <seconds>', 'first retry delay of a failed webhook request', 10],
];

/**
 * The Auditor the flags ask for, or undefined when there is no policy. A policy without any
 * backend, or a backend without a policy, is refused with one sentence saying what to add; so is
 * a log path whose file or directory cannot be made.
 */
export async function auditorFromFlags(flags: AuditFlags): Promise<Auditor | undefined> {
  const backends: AuditBackend[] = [];
  if (flags.auditLogPath) {
    backends.push(await LogBackend.open({ path: flags.auditLogPath, maxSizeMB: flags.auditLogMaxsize, maxBackups: flags.auditLogMaxbackup, maxAgeDays: flags.auditLogMaxage }));
  }
  if (flags.auditWebhookConfigFile) {
    backends.push(new WebhookBackend({
      configFile: flags.auditWebhookConfigFile, bufferSize: flags.auditWebhookBatchBufferSize, maxBatchSize: flags.auditWebhookBatchMaxSize,
      maxBatchWaitMs: seconds(flags.auditWebhookBatchMaxWait), initialBackoffMs: seconds(flags.auditWebhookInitialBackoff),
    }));
  }
  if (!flags.auditPolicyFile) {
    if (backends.length > 0) throw new Error('an audit backend is configured but no --audit-policy-file: add a policy, or nothing is audited');
    return undefined;
  }
  const policy = loadAuditPolicyFile(flags.auditPolicyFile);
  if (backends.length === 0) throw new Error('--audit-policy-file needs a backend: add --audit-log-path <file> or --audit-webhook-config-file <kubeconfig>');
  return new Auditor(policy, backends);
}

function seconds(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1000;
}
