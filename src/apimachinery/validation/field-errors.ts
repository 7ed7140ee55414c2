/**
 * Builders for {@link FieldError}, worded as k8s.io/apimachinery's `field.Required`,
 * `field.Invalid`, ... print them (`field.Error.ErrorBody()`), plus field-path helpers that
 * print like `field.Path.String()`.
 */
import type { FieldError } from '../../errors/status-error.ts';
import { formatBadValue, goQuote } from './go-format.ts';

/** What `field.Path.String()` prints for a nil path (e.g. schema errors without a field). */
export const NIL_FIELD_PATH = '<nil>';

/** `parent.name` (or just `name` at the root), as `field.Path.Child`. */
export function childPath(parent: string, name: string): string {
  return parent ? `${parent}.${name}` : name;
}

/** `parent[index]`, as `field.Path.Index`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** `parent[key]`, as `field.Path.Key` (map keys are not quoted). */
export function keyPath(parent: string, key: string): string {
  return `${parent}[${key}]`;
}

function withDetail(body: string, detail: string): string {
  return detail ? `${body}: ${detail}` : body;
}

/** `field.Required`: `<field>: Required value[: detail]`. */
export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, detail: withDetail('Required value', detail) };
}

/** `field.Invalid`: `<field>: Invalid value: <value>[: detail]`. */
export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, detail: withDetail(`Invalid value: ${formatBadValue(value)}`, detail) };
}

/** `field.TypeInvalid`: printed like Invalid (`Invalid value: <value>: detail`), reason FieldValueTypeInvalid. */
export function typeInvalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueTypeInvalid', field, detail: withDetail(`Invalid value: ${formatBadValue(value)}`, detail) };
}

/** `field.NotSupported`: `<field>: Unsupported value: <value>: supported values: "a", "b"`. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length > 0 ? `supported values: ${supported.map((v) => goQuote(v)).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, detail: withDetail(`Unsupported value: ${formatBadValue(value)}`, detail) };
}

/** `field.Forbidden`: `<field>: Forbidden[: detail]`. */
export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, detail: withDetail('Forbidden', detail) };
}

/** `field.TooLong`: `<field>: Too long: may not be more than <n> bytes` (`value is too long` when n < 0). */
export function tooLong(field: string, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return { type: 'FieldValueTooLong', field, detail: withDetail('Too long', detail) };
}

/** `field.TooMany`: `<field>: Too many: <actual>: must have at most <max> items` (actual omitted when < 0). */
export function tooMany(field: string, actual: number, max: number): FieldError {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
  const body = actual >= 0 ? `Too many: ${actual}` : 'Too many';
  return { type: 'FieldValueTooMany', field, detail: withDetail(body, detail) };
}

/** `field.Duplicate`: `<field>: Duplicate value: <value>`. */
export function duplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, detail: `Duplicate value: ${formatBadValue(value)}` };
}

/** `field.InternalError`: `<field>: Internal error: <message>`. */
export function internalError(field: string, message: string): FieldError {
  return { type: 'InternalError', field, detail: withDetail('Internal error', message) };
}

/** The whole message of a field error, `<field>: <detail>`, as `field.Error.Error()`. */
export function fieldErrorMessage(e: FieldError): string {
  return `${e.field}: ${e.detail}`;
}
