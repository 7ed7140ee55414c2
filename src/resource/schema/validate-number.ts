/**
 * kube-openapi's numberValidator: format range checks, multipleOf, minimum, maximum — with
 * its quirks (integer values are compared against truncated bounds; a value out of its format's
 * range is reported as a path-less error).
 */
import { invalid } from '../../apimachinery/validation/field-errors.ts';
import { goFloat, isGoInt } from '../../apimachinery/validation/go-format.ts';
import { addError, addPlainError, fieldOf, isFloat64AJSONInteger, type ValidationContext } from './context.ts';
import type { SchemaNode } from './node.ts';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** `IsValueValidAgainstRange`: the message when `v` does not fit `typeName`/`format`, else null. */
function rangeError(v: number, typeName: string, format: string, prefix: string, name: string): string | null {
  let ok = true;
  if (typeName === 'integer') ok = isGoInt(v) && (format !== 'int32' || (v >= INT32_MIN && v <= INT32_MAX));
  else if (format === 'float') ok = Number.isFinite(Math.fround(v));
  if (ok) return null;
  return format !== ''
    ? `${prefix} value must be of type ${typeName} with format ${format} in ${name}`
    : `${prefix} value must be of type ${typeName} (default format) in ${name}`;
}

function numberKind(node: SchemaNode): [string, string] {
  if (node.types.length !== 1) return ['', ''];
  const t = node.types[0];
  if (t === 'integer') return [t, node.format === 'int32' || node.format === 'int64' ? node.format : ''];
  if (t === 'number') return [t, node.format === 'float' || node.format === 'double' ? node.format : ''];
  return ['', ''];
}

/** Bound `b` as printed and compared: an int64 (truncated) for integer values when the bound fits, else a float64. */
function nativeBound(v: number, b: number, boundOk: boolean): { value: number; text: string } {
  if (boundOk && isGoInt(v)) {
    const t = Math.trunc(b) || 0;
    return { value: t, text: String(t) };
  }
  return { value: b, text: goFloat(b) };
}

function checkMultipleOf(node: SchemaNode, v: number, name: string, ctx: ValidationContext, kind: [string, string]): void {
  const factor = node.multipleOf as number;
  const boundErr = rangeError(factor, kind[0], kind[1], 'MultipleOf', name);
  if (boundErr !== null) addPlainError(ctx, boundErr);
  const field = fieldOf(ctx, name);
  if (boundErr === null && isGoInt(v)) {
    const f = Math.trunc(factor) || 0;
    if (f <= 0) {
      const msg = `factor MultipleOf declared for ${name} must be positive: ${f}`;
      addError(ctx, msg, invalid(field, f, msg));
    } else if (v % f !== 0) {
      const msg = `${name} in body should be a multiple of ${f}`;
      addError(ctx, msg, invalid(field, v, msg));
    }
    return;
  }
  if (factor <= 0) {
    const msg = `factor MultipleOf declared for ${name} must be positive: ${goFloat(factor)}`;
    addError(ctx, msg, invalid(field, factor, msg));
    return;
  }
  const mult = factor < 1 ? (1 / factor) * v : v / factor;
  if (!isFloat64AJSONInteger(mult)) {
    const msg = `${name} in body should be a multiple of ${goFloat(factor)}`;
    addError(ctx, msg, invalid(field, v, msg));
  }
}

function checkBound(v: number, name: string, ctx: ValidationContext, kind: [string, string], isMax: boolean, bound: number, exclusive: boolean): void {
  const boundErr = rangeError(bound, kind[0], kind[1], isMax ? 'Maximum boundary' : 'Minimum boundary', name);
  if (boundErr !== null) addPlainError(ctx, boundErr);
  const b = nativeBound(v, bound, boundErr === null);
  const violated = isMax ? (exclusive ? v >= b.value : v > b.value) : (exclusive ? v <= b.value : v < b.value);
  if (!violated) return;
  const relation = isMax ? (exclusive ? 'less than' : 'less than or equal to') : (exclusive ? 'greater than' : 'greater than or equal to');
  const msg = `${name} in body should be ${relation} ${b.text}`;
  addError(ctx, msg, invalid(fieldOf(ctx, name), v, msg));
}

/** Runs the number checks of `node` on `v`, in kube-openapi's order (range, multipleOf, minimum, maximum). */
export function checkNumber(node: SchemaNode, v: number, name: string, ctx: ValidationContext): void {
  const kind = numberKind(node);
  const checked = rangeError(v, kind[0], kind[1], 'Checked', name);
  if (checked !== null) addPlainError(ctx, checked);
  if (node.multipleOf !== undefined) checkMultipleOf(node, v, name, ctx, kind);
  if (node.minimum !== undefined) checkBound(v, name, ctx, kind, false, node.minimum, node.exclusiveMinimum);
  if (node.maximum !== undefined) checkBound(v, name, ctx, kind, true, node.maximum, node.exclusiveMaximum);
}
