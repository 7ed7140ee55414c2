/**
 * The first step of a JSON or merge patch under fieldValidation Warn/Strict, as kube-apiserver's
 * patch handler takes it: the patch body is decoded strictly (into `[]handlers.jsonPatchOp` or
 * `map[string]interface{}`) before it is applied, so a malformed patch answers
 * 400 `error decoding patch: <Go's decoding error>`, and the patch's own duplicate fields become
 * strict decoding problems (reported before the patched object's).
 */
import { invalid as invalidField } from '../apimachinery/validation/field-errors.ts';
import { badRequest, invalid, type StatusError } from '../errors/status-error.ts';
import { JsonParseError, parseJsonDetectingDuplicates } from '../resource/schema/index.ts';
import type { BodyType } from './negotiation.ts';

/** Go's name for a JSON value's kind in `json: cannot unmarshal <kind> into ...`. */
function goJsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

const decodeError = (detail: string) => badRequest(`error decoding patch: ${detail}`);

/** `json: cannot unmarshal ...` of a JSON patch decoded into `[]handlers.jsonPatchOp` (op, path, from are strings). */
function jsonPatchShapeError(value: unknown): string | undefined {
  if (value === null) return undefined;
  if (!Array.isArray(value)) return `json: cannot unmarshal ${goJsonKind(value)} into Go value of type []handlers.jsonPatchOp`;
  for (const op of value) {
    if (op === null) continue;
    if (typeof op !== 'object' || Array.isArray(op)) return `json: cannot unmarshal ${goJsonKind(op)} into Go value of type handlers.jsonPatchOp`;
    for (const field of ['op', 'path', 'from']) {
      const v = (op as Record<string, unknown>)[field];
      if (v !== undefined && v !== null && typeof v !== 'string') return `json: cannot unmarshal ${goJsonKind(v)} into Go struct field jsonPatchOp.${field} of type string`;
    }
  }
  return undefined;
}

/**
 * Decodes a JSON patch or merge patch body strictly, as kube-apiserver does before applying it
 * under fieldValidation Warn or Strict (other patch types: nothing to do, `[]`). Returns the patch's duplicate fields (merge patch only:
 * a JSON patch's are the operations'), in document order.
 * @throws StatusError 400 `error decoding patch: unexpected end of JSON input`,
 *   `error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp`, ...
 */
export function decodePatchStrictly(type: BodyType, patchText: string): string[] {
  if (type !== 'json-patch' && type !== 'merge-patch') return [];
  let parsed: { value: unknown; duplicateFields: string[] };
  try {
    parsed = parseJsonDetectingDuplicates(patchText, { detectDuplicates: type === 'merge-patch' });
  } catch (err) {
    if (err instanceof JsonParseError) throw decodeError(err.message);
    throw err;
  }
  if (type === 'json-patch') {
    const shape = jsonPatchShapeError(parsed.value);
    if (shape) throw decodeError(shape);
    return [];
  }
  const v = parsed.value;
  if (v !== null && (typeof v !== 'object' || Array.isArray(v))) throw decodeError(`json: cannot unmarshal ${goJsonKind(v)} into Go value of type map[string]interface {}`);
  return parsed.duplicateFields;
}

/**
 * The 422 a patch gets under fieldValidation=Strict when the patched object has unknown or
 * duplicate fields, as kube-apiserver's patch handler words it:
 * ` "" is invalid: patch: Invalid value: "<patched>": strict decoding error: unknown field "spec.bogus"`,
 * one cause {reason: FieldValueInvalid, field: patch}. `patched` is the patched object as JSON
 * (JSON and merge patches) or the patch in Go's `%+v` form (strategic merge patches).
 */
export function strictPatchError(patched: string, problems: readonly string[]): StatusError {
  return invalid('', '', '', [invalidField('patch', patched, `strict decoding error: ${problems.join(', ')}`)]);
}

/** Go's `%+v` of a decoded JSON value (`map[spec:map[bogus:2]]`), as kube-apiserver prints a strategic merge patch in its 422. */
export function goValueString(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValueString).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.keys(v as object).sort().map((k) => `${k}:${goValueString((v as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  if (typeof v === 'number') return goFloatString(v);
  return String(v);
}

/** Go's `%v` of a float64: shortest form, exponent from 1e21 (`1e+21`) and below 1e-4 (`1e-05`). */
function goFloatString(n: number): string {
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [mantissa, exp] = n.toExponential().split('e');
    const e = Number(exp);
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return String(n);
}
