/**
 * One ValidatingAdmissionPolicy compiled (its expressions compiled once per generation) and run
 * for one request and one param, as k8s.io/apiserver's policy validator: matchConditions first,
 * then every validation with its message (messageExpression, message, or `failed expression:
 * ...`) and reason, then the audit annotations; errors follow the policy's failurePolicy.
 */
import { Optional } from '@marcbachmann/cel-js';
import { AdmissionExpression, aggregateErrors, CompositedVariables, evaluateMatchConditions, type AdmissionCelInput } from '../cel-expressions.ts';
import type { ValidatingAdmissionPolicy, Validation } from './types.ts';

/** kube-apiserver's limit on an evaluated messageExpression (celconfig.MaxEvaluatedMessageExpressionSizeBytes). */
const MAX_MESSAGE_BYTES = 5 * 1024;

/** What one validation decided: admit, or deny with a message (and a reason unless it failed to run). */
export interface PolicyDecision {
  action: 'admit' | 'deny';
  /** True when the decision comes from an error under failurePolicy. */
  error: boolean;
  message: string;
  reason?: string;
}

/** What one audit annotation gave: publish a value, exclude it, or an error (under Fail). */
export type AuditAnnotationResult = { action: 'publish'; key: string; value: string } | { action: 'exclude' } | { action: 'error'; message: string };

/** The outcome of one policy for one param: decisions in validation order, then audit annotations. */
export interface ValidateResult {
  decisions: PolicyDecision[];
  auditAnnotations: AuditAnnotationResult[];
}

interface CompiledValidation {
  validation: Validation;
  expression: AdmissionExpression;
  message?: AdmissionExpression;
}

/** CEL's name of a value's type, as an audit annotation error names it. */
function celTypeName(v: unknown): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Optional) return 'optional_type';
  if (typeof v === 'object' && v !== null && typeof (v as { valueOf(): unknown }).valueOf() === 'bigint') return 'uint';
  return 'map';
}

/** A policy's expressions, compiled. */
export class CompiledPolicy {
  private readonly failOnError: boolean;
  private readonly variables: CompositedVariables;
  private readonly matchConditions: { name: string; expression: AdmissionExpression }[];
  private readonly validations: CompiledValidation[];
  private readonly auditAnnotations: { key: string; source: string; expression: AdmissionExpression }[];

  constructor(policy: ValidatingAdmissionPolicy) {
    const spec = policy.spec ?? {};
    this.failOnError = spec.failurePolicy !== 'Ignore';
    this.variables = new CompositedVariables(spec.variables);
    this.matchConditions = (spec.matchConditions ?? []).map((c) => ({ name: c.name, expression: new AdmissionExpression(c.expression) }));
    this.validations = (spec.validations ?? []).map((v) => ({
      validation: v,
      expression: new AdmissionExpression(v.expression),
      message: v.messageExpression ? new AdmissionExpression(v.messageExpression) : undefined,
    }));
    this.auditAnnotations = (spec.auditAnnotations ?? []).map((a) => ({ key: a.key, source: a.valueExpression, expression: new AdmissionExpression(a.valueExpression) }));
  }

  /** Runs the policy for one input (object, oldObject, request, params, namespaceObject as CEL values). */
  validate(input: AdmissionCelInput): ValidateResult {
    const onError = (message: string): PolicyDecision => ({ action: this.failOnError ? 'deny' : 'admit', error: true, message });
    if (this.matchConditions.length) {
      const matched = evaluateMatchConditions(this.matchConditions, this.variables.activation({ ...input, namespaceObject: null }));
      if (!matched.matches) return { decisions: [], auditAnnotations: [] };
      if ('errors' in matched) return { decisions: [onError(aggregateErrors(matched.errors))], auditAnnotations: [] };
    }
    const activation = this.variables.activation(input);
    const decisions = this.validations.map(({ validation, expression, message }): PolicyDecision => {
      const result = expression.evaluate(activation);
      if (result.error !== undefined) return onError(result.error);
      if (result.value === true) return { action: 'admit', error: false, message: '' };
      return { action: 'deny', error: false, message: failureMessage(validation, message?.evaluate(activation).value), reason: validation.reason ?? 'Invalid' };
    });
    const auditAnnotations = this.auditAnnotations.map(({ key, source, expression }): AuditAnnotationResult => {
      const result = expression.evaluate(activation);
      if (result.error !== undefined) return this.failOnError ? { action: 'error', message: result.error } : { action: 'exclude' };
      if (result.value === null) return { action: 'exclude' };
      if (typeof result.value !== 'string') {
        return { action: 'error', message: `valueExpression '${source}' resulted in unsupported return type: ${celTypeName(result.value)}. Return type must be either string or null.` };
      }
      const value = result.value.trim();
      return value ? { action: 'publish', key, value } : { action: 'exclude' };
    });
    return { decisions, auditAnnotations };
  }
}

/** The message of a failed validation: its messageExpression's string if usable, else message, else `failed expression: <expression>`. */
function failureMessage(validation: Validation, evaluated: unknown): string {
  let message = '';
  if (typeof evaluated === 'string') {
    message = evaluated.trim();
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES || message.includes('\n')) message = '';
  }
  if (!message && validation.message) message = validation.message.trim();
  return message || `failed expression: ${validation.expression.trim()}`;
}
