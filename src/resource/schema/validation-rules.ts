/**
 * Runs a schema's `x-kubernetes-validations` over an object as apiextensions-apiserver's CEL
 * validator does: depth-first from the root (properties, additionalProperties, items), `self`
 * the node's value, `oldSelf` its correlated old value (map keys; list-type map items by key),
 * transition rules only with an old value unless `optionalOldSelf`, messages/messageExpression/
 * reason/fieldPath worded as kube-apiserver, and ratcheting: on update, a failing rule that does
 * not read `oldSelf` on a value equal to its old one becomes a warning instead of an error.
 */
import { Optional } from '@marcbachmann/cel-js';
import type { FieldError } from '../../errors/status-error.ts';
import { CelEvaluationError, toCelValue } from '../../cel/index.ts';
import { childPath, duplicate, forbidden, indexPath, invalid, keyPath, NIL_FIELD_PATH, required, fieldErrorMessage } from '../../apimachinery/validation/field-errors.ts';
import type { SchemaNode } from './node.ts';
import type { ValidationRule } from './validation-rule.ts';

/** What the rules said: errors (422 causes) and ratcheted failures (warnings). */
export interface RuleOutcome {
  errors: FieldError[];
  warnings: string[];
}

/** A value and its old counterpart, when the two correlate (ratcheting); null when they do not. */
interface Correlation { value: unknown; old: unknown }

interface Walk {
  outcome: RuleOutcome;
  /** Whether an old object exists at all (an update). */
  update: boolean;
}

const MAX_MESSAGE_BYTES = 5 * 1024;

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function schemaType(node: SchemaNode): string {
  return node.types.length === 1 ? node.types[0] : '';
}

/** The old list item with the same `x-kubernetes-list-map-keys` values as `item` (or undefined). */
function mapListOld(node: SchemaNode, old: unknown, item: unknown): unknown {
  if (node.listType !== 'map' || !Array.isArray(old) || !isMap(item)) return undefined;
  return old.find((o) => isMap(o) && node.listMapKeys.every((k) => deepEqual(o[k], item[k])));
}

function messageFrom(rule: ValidationRule, activation: Record<string, unknown>): string | undefined {
  if (rule.messageExpression === null) return undefined;
  try {
    const v = rule.messageExpression.evaluate(activation);
    if (typeof v !== 'string') return undefined;
    const text = v.trim();
    if (text === '' || text.includes('\n') || Buffer.byteLength(text) > MAX_MESSAGE_BYTES) return undefined;
    return text;
  } catch {
    return undefined;
  }
}

function ruleText(rule: ValidationRule): string {
  return rule.message.trim() !== '' ? rule.message.trim() : rule.rule.trim();
}

function failure(rule: ValidationRule, node: SchemaNode, path: string, value: unknown, detail: string): FieldError {
  const at = rule.fieldPath === '' ? path : childPath(path, rule.fieldPath);
  const field = at === '' ? NIL_FIELD_PATH : at;
  const t = schemaType(node);
  const omit = t === 'object' || t === 'array' || isMap(value) || Array.isArray(value);
  switch (rule.reason) {
    case 'FieldValueForbidden': return forbidden(field, detail);
    case 'FieldValueRequired': return required(field, detail);
    case 'FieldValueDuplicate': return omit ? { type: 'FieldValueDuplicate', field, detail: 'Duplicate value' } : duplicate(field, value);
    default: return omit ? { type: 'FieldValueInvalid', field, detail: `Invalid value: ${detail}` } : invalid(field, value, detail);
  }
}

function runRules(node: SchemaNode, value: unknown, old: unknown, path: string, corr: Correlation | null, w: Walk): void {
  if (node.validations.length === 0) return;
  const field = path === '' ? NIL_FIELD_PATH : path;
  const self = toCelValue(value, node);
  const oldSelf = old === undefined ? undefined : toCelValue(old, node);
  for (const rule of node.validations) {
    if (rule.usesOldSelf && old === undefined && !rule.optionalOldSelf) continue;
    const activation: Record<string, unknown> = { self, oldSelf: null };
    if (rule.optionalOldSelf) activation.oldSelf = old === undefined ? Optional.none() : Optional.of(oldSelf);
    else if (old !== undefined) activation.oldSelf = oldSelf;
    let result: unknown;
    try {
      result = rule.program.evaluate(activation);
    } catch (err) {
      if (!(err instanceof CelEvaluationError)) throw err;
      const text = err.message === 'no such overload'
        ? `'no such overload': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText(rule)}`
        : `${err.message} evaluating rule: ${ruleText(rule)}`;
      w.outcome.errors.push(invalid(field, schemaType(node), text));
      continue;
    }
    if (result === true) continue;
    const detail = messageFrom(rule, activation) ?? (rule.message.trim() !== '' ? rule.message.trim() : `failed rule: ${rule.rule.trim()}`);
    const error = failure(rule, node, path, value, detail);
    if (!rule.usesOldSelf && w.update && corr !== null && deepEqual(corr.value, corr.old)) w.outcome.warnings.push(fieldErrorMessage(error));
    else w.outcome.errors.push(error);
  }
}

function keyCorrelation(corr: Correlation | null, node: SchemaNode | null, key: string): Correlation | null {
  if (corr === null || node === null || !isMap(corr.value) || !isMap(corr.old)) return null;
  if (!Object.hasOwn(corr.value, key) || !Object.hasOwn(corr.old, key)) return null;
  return { value: corr.value[key], old: corr.old[key] };
}

function walk(node: SchemaNode, value: unknown, old: unknown, path: string, corr: Correlation | null, parent: Correlation | null, w: Walk): void {
  if (value === null || value === undefined) return;
  const ratchet = corr ?? parent;
  runRules(node, value, old, path, ratchet, w);
  if (Array.isArray(value)) {
    if (node.items === null) return;
    value.forEach((item, i) => {
      const oldItem = mapListOld(node, old, item);
      const itemCorr = corr !== null && oldItem !== undefined ? { value: item, old: oldItem } : null;
      walk(node.items!, item, oldItem, indexPath(path, i), itemCorr, ratchet, w);
    });
    return;
  }
  if (!isMap(value)) return;
  const correlatable = node.mapType === '' || node.mapType === 'granular' || node.mapType === 'atomic';
  const oldMap = correlatable && isMap(old) ? old : undefined;
  for (const [k, v] of Object.entries(value)) {
    const prop = node.properties?.get(k);
    const child = prop ?? node.additional;
    if (child === null || child === undefined) continue;
    const childCorr = keyCorrelation(corr, child, k);
    const p = prop !== undefined ? childPath(path, k) : keyPath(path, k);
    walk(child, v, oldMap?.[k], p, childCorr, ratchet, w);
  }
}

/** Whether any node of the schema has `x-kubernetes-validations`. */
export function hasValidationRules(node: SchemaNode | null): boolean {
  if (node === null) return false;
  if (node.validations.length > 0) return true;
  if (hasValidationRules(node.items) || hasValidationRules(node.additional)) return true;
  return [...node.properties?.values() ?? []].some(hasValidationRules);
}

/**
 * Evaluates every rule of `root` over `obj` (the whole object, apiVersion/kind/metadata
 * included), with `old` the stored object on update (undefined on create).
 */
export function evaluateValidationRules(root: SchemaNode, obj: unknown, old: unknown): RuleOutcome {
  const w: Walk = { outcome: { errors: [], warnings: [] }, update: old !== undefined };
  const corr = old === undefined ? null : { value: obj, old };
  walk(root, obj, old, '', corr, null, w);
  return w.outcome;
}
