/**
 * One `x-kubernetes-validations` entry (rule, message, messageExpression, reason, fieldPath,
 * optionalOldSelf), compiled once with the schema. A rule that does not compile makes the schema
 * invalid, as kube-apiserver refuses such a CRD.
 */
import { CelCompileError, compileCel, type CelProgram } from '../../cel/index.ts';

/** The reasons a rule may give its field error (apiextensions' FieldValueErrorReason). */
export type RuleReason = 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';

const REASONS: ReadonlySet<string> = new Set(['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate']);

/** A compiled validation rule. */
export interface ValidationRule {
  rule: string;
  message: string;
  messageExpression: CelProgram | null;
  messageExpressionSource: string;
  reason: RuleReason | null;
  /** The rule's `fieldPath` without its leading dot (`spec.x`, `items[0]`), '' when absent. */
  fieldPath: string;
  optionalOldSelf: boolean;
  program: CelProgram;
  /** Whether the rule reads `oldSelf` (a transition rule: only run on update unless optionalOldSelf). */
  usesOldSelf: boolean;
}

const RULE_VARIABLES = ['self', 'oldSelf'];

type Fail = (path: string, msg: string) => never;

function str(v: unknown, key: string, path: string, fail: Fail): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(path, `${key} must be a string`);
  return v;
}

function compileOne(raw: unknown, path: string, fail: Fail): ValidationRule {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(path, 'a validation rule must be an object');
  const r = raw as Record<string, unknown>;
  const rule = str(r.rule, 'rule', path, fail);
  if (rule.trim() === '') fail(`${path}.rule`, 'rule must not be empty');
  const reason = str(r.reason, 'reason', path, fail);
  if (reason !== '' && !REASONS.has(reason)) fail(`${path}.reason`, `unsupported reason ${JSON.stringify(reason)}`);
  const compile = (source: string, at: string): CelProgram => {
    try { return compileCel(source, RULE_VARIABLES); } catch (err) {
      if (err instanceof CelCompileError) fail(at, `compilation failed: ${err.message}`);
      throw err;
    }
  };
  const program = compile(rule, `${path}.rule`);
  const messageExpressionSource = str(r.messageExpression, 'messageExpression', path, fail);
  const fieldPath = str(r.fieldPath, 'fieldPath', path, fail);
  return {
    rule,
    message: str(r.message, 'message', path, fail),
    messageExpression: messageExpressionSource === '' ? null : compile(messageExpressionSource, `${path}.messageExpression`),
    messageExpressionSource,
    reason: reason === '' ? null : (reason as RuleReason),
    fieldPath: fieldPath.startsWith('.') ? fieldPath.slice(1) : fieldPath,
    optionalOldSelf: r.optionalOldSelf === true,
    program,
    usesOldSelf: program.uses('oldSelf'),
  };
}

/** Compiles a schema's `x-kubernetes-validations` (absent → none); `fail` throws for the schema path. */
export function compileValidationRules(raw: unknown, path: string, fail: Fail): ValidationRule[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail(path, 'x-kubernetes-validations must be a list');
  return raw.map((r, i) => compileOne(r, `${path}[${i}]`, fail));
}
