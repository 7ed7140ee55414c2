/**
 * The accumulator of one schema validation: errors de-duplicated by their kube-openapi message
 * (as kube-openapi's Result does), and the helpers that map kube-openapi paths to field paths.
 */
import type { FieldError } from '../../errors/status-error.ts';
import { NIL_FIELD_PATH, invalid } from '../../apimachinery/validation/field-errors.ts';
import type { SchemaNode } from './node.ts';

/** Keys the root schema leaves to the caller. */
export const ROOT_META_KEYS: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata']);

/** Accumulates the errors of one validation, de-duplicated by message as kube-openapi's Result. */
export interface ValidationContext {
  /** Path prepended to every field (e.g. `status` when validating a subresource alone); '' for none. */
  prefix: string;
  root: SchemaNode;
  errors: FieldError[];
  keys: string[];
  seen: Set<string>;
  /** kube-openapi's MatchCount, roughly: how much of the schema applied (picks anyOf's best failure). */
  matches: number;
}

/** A fresh context for validating a value against `root`. */
export function newContext(root: SchemaNode, prefix: string): ValidationContext {
  return { prefix, root, errors: [], keys: [], seen: new Set(), matches: 0 };
}

/** The field of an error whose kube-openapi name is `name` (`.x` → `x`, '' → `<nil>`). */
export function fieldOf(ctx: ValidationContext, name: string): string {
  if (name === '' || name === '.') return ctx.prefix || NIL_FIELD_PATH;
  const trimmed = name.charCodeAt(0) === 46 ? name.slice(1) : name;
  return ctx.prefix ? `${ctx.prefix}.${trimmed}` : trimmed;
}

/** Records an error unless one with the same message was already recorded. */
export function addError(ctx: ValidationContext, key: string, err: FieldError): void {
  if (ctx.seen.has(key)) return;
  ctx.seen.add(key);
  ctx.keys.push(key);
  ctx.errors.push(err);
}

/** An error that is not a kube-openapi Validation error: upstream reports it at the nil path with value "". */
export function addPlainError(ctx: ValidationContext, message: string): void {
  addError(ctx, message, invalid(ctx.prefix || NIL_FIELD_PATH, '', message));
}

/** Go's swag.IsFloat64AJSONInteger: integral, or within a relative 1e-9 of an integer (non-negative). */
export function isFloat64AJSONInteger(f: number): boolean {
  if (!Number.isFinite(f) || f < -9007199254740991 || f > 9007199254740991) return false;
  if (Number.isInteger(f)) return true;
  if (f < 0) return false;
  const g = Math.trunc(f);
  const diff = Math.abs(f - g);
  if (g === 0) return diff < 1e-9 * Number.MIN_VALUE;
  return diff / (f + g) < 1e-9;
}
