/** admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding, as much as extapi reads. */
import type { LabelSelectorSpec, WebhookRule } from '../webhooks/types.ts';

/** A NamedRuleWithOperations: a webhook rule narrowed to some object names. */
export interface NamedRule extends WebhookRule {
  resourceNames?: string[];
}

/** MatchResources of a policy (matchConstraints) or of a binding. */
export interface MatchResources {
  namespaceSelector?: LabelSelectorSpec;
  objectSelector?: LabelSelectorSpec;
  resourceRules?: NamedRule[];
  excludeResourceRules?: NamedRule[];
  matchPolicy?: 'Exact' | 'Equivalent';
}

/** A CEL expression with a name (matchConditions, variables). */
export interface NamedExpression {
  name: string;
  expression: string;
}

/** One validation of a policy. */
export interface Validation {
  expression: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
}

/** One auditAnnotation of a policy. */
export interface AuditAnnotation {
  key: string;
  valueExpression: string;
}

/** The kind of a policy's parameter objects. */
export interface ParamKind {
  apiVersion?: string;
  kind?: string;
}

/** A ValidatingAdmissionPolicy. */
export interface ValidatingAdmissionPolicy {
  metadata?: { name?: string; resourceVersion?: string; generation?: number };
  spec?: {
    paramKind?: ParamKind;
    matchConstraints?: MatchResources;
    validations?: Validation[];
    failurePolicy?: 'Fail' | 'Ignore';
    auditAnnotations?: AuditAnnotation[];
    matchConditions?: NamedExpression[];
    variables?: NamedExpression[];
  };
  [key: string]: unknown;
}

/** Where a binding finds its parameter objects. */
export interface ParamRef {
  name?: string;
  namespace?: string;
  selector?: LabelSelectorSpec;
  parameterNotFoundAction?: 'Allow' | 'Deny';
}

/** What a binding does with a failed validation. */
export type ValidationAction = 'Deny' | 'Warn' | 'Audit';

/** A ValidatingAdmissionPolicyBinding. */
export interface ValidatingAdmissionPolicyBinding {
  metadata?: { name?: string; resourceVersion?: string };
  spec?: {
    policyName?: string;
    paramRef?: ParamRef;
    matchResources?: MatchResources;
    validationActions?: ValidationAction[];
  };
  [key: string]: unknown;
}
