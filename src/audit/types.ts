/** audit.k8s.io/v1 types as kube-apiserver writes and reads them. */
import type { UserInfo } from '../resource/define-resource.ts';

/** How much of a request is recorded, least to most. */
export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';

/** When in a request's life an event is emitted. */
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

/** The levels in increasing order (for "at least" comparisons). */
export const AUDIT_LEVELS: readonly AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];

/** The stages kube-apiserver knows. */
export const AUDIT_STAGES: readonly AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

/** True when `level` records at least as much as `atLeast`. */
export function levelAtLeast(level: AuditLevel, atLeast: AuditLevel): boolean {
  return AUDIT_LEVELS.indexOf(level) >= AUDIT_LEVELS.indexOf(atLeast);
}

/** One `resources` entry of a policy rule. */
export interface PolicyGroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

/** One rule of an audit Policy; the first rule that matches a request decides its level. */
export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: PolicyGroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

/** An audit.k8s.io/v1 Policy (the `--audit-policy-file`). */
export interface AuditPolicy {
  apiVersion: 'audit.k8s.io/v1';
  kind: 'Policy';
  rules: PolicyRule[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

/** audit.k8s.io/v1 ObjectReference, in kube-apiserver's field order. */
export interface AuditObjectRef {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** The bounded copy of a metav1.Status kept in `responseStatus`. */
export interface AuditResponseStatus {
  metadata: Record<string, never>;
  status?: string;
  message?: string;
  reason?: string;
  details?: unknown;
  code: number;
}

/** An audit.k8s.io/v1 Event, in kube-apiserver's field order. */
export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: AuditLevel;
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  verb: string;
  user: Partial<UserInfo>;
  impersonatedUser?: UserInfo;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: AuditObjectRef;
  responseStatus?: AuditResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** Where events go (log file, webhook); `process` must never block or throw into the request. */
export interface AuditBackend {
  readonly name: string;
  process(events: AuditEvent[]): void;
  /** Flushes what is buffered and releases resources. */
  shutdown(): Promise<void>;
}
