/** Auditing as kube-apiserver does it: an audit.k8s.io/v1 Policy, events, log and webhook backends. */
export { Auditor, AUDIT_ID_HEADER } from './auditor.ts';
export { auditOf } from './context.ts';
export { AuditPolicyChecker, loadAuditPolicyFile, validateAuditPolicy, type AuditDecision } from './policy.ts';
export { LogBackend, type LogBackendOptions } from './log-backend.ts';
export { WebhookBackend, type WebhookBackendOptions } from './webhook-backend.ts';
export type * from './types.ts';
