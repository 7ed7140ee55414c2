/**
 * The `fieldValidation` query parameter (Ignore / Warn / Strict) and the words kube-apiserver
 * uses for its outcomes: warnings `unknown field "spec.foo"` / `duplicate field "spec.a"`, or a
 * 400 `Flunder in version "v1" cannot be handled as a Flunder: strict decoding error: ...`.
 */
import { badRequest, type StatusError } from '../../errors/status-error.ts';
import type { FieldError } from '../../errors/status-error.ts';
import { notSupported } from '../../apimachinery/validation/field-errors.ts';
import { goQuote } from '../../apimachinery/validation/go-format.ts';
import { MAX_STRICT_ERRORS } from './json-parse.ts';

/** A fieldValidation directive; kube-apiserver defaults to Warn when the parameter is absent. */
export type FieldValidationDirective = 'Ignore' | 'Warn' | 'Strict';

/**
 * The strict decoding problems of one request, in kube-apiserver's order and spelling:
 * duplicates first (`duplicate field "spec.a"`, Go-quoted), then unknown fields
 * (`unknown field "spec.foo"`, quoted verbatim), at most 100 duplicates as upstream.
 * Pass the unknown fields of metadata before the schema's, as kube-apiserver reports them.
 */
export function strictDecodingProblems(duplicateFields: readonly string[], unknownFields: readonly string[]): string[] {
  return [
    ...duplicateFields.slice(0, MAX_STRICT_ERRORS).map((p) => `duplicate field ${goQuote(p)}`),
    ...unknownFields.map((p) => `unknown field "${p}"`),
  ];
}

/** What a request gets for its strict decoding problems under a directive. */
export interface FieldValidationOutcome {
  /** Warning headers to send (Warn only), one per problem. */
  warnings: string[];
  /** The 400 BadRequest to answer with instead (Strict with problems). */
  error?: StatusError;
}

/**
 * Applies a directive to the problems from {@link strictDecodingProblems}: Ignore drops them,
 * Warn turns each into a warning, Strict refuses with 400 BadRequest
 * `<Kind> in version "<version>" cannot be handled as a <Kind>: strict decoding error: <p1>, <p2>`.
 */
export function applyFieldValidation(directive: FieldValidationDirective, problems: readonly string[], kind: string, version: string): FieldValidationOutcome {
  if (directive === 'Ignore' || problems.length === 0) return { warnings: [] };
  if (directive === 'Warn') return { warnings: [...problems] };
  return { warnings: [], error: badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${problems.join(', ')}`) };
}

function toBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** kube-apiserver's summarizeData: a JSON object's first 30 bytes, else hex; ` ...` when cut. */
export function summarizeBody(body: string | Uint8Array, maxLength = 30): string {
  const bytes = toBytes(body);
  if (bytes.length === 0) return '<empty>';
  const cut = bytes.length > maxLength;
  const head = Buffer.from(bytes.subarray(0, maxLength));
  const text = bytes[0] === 0x7b ? head.toString('utf8') : head.toString('hex');
  return cut ? `${text} ...` : text;
}

/**
 * The 400 for a body that is not JSON, as kube-apiserver words it:
 * `the object provided is unrecognized (must be of type Flunder): couldn't get version/kind; json parse error: unexpected end of JSON input ({"a" ...)`.
 * `parseMessage` is a {@link JsonParseError}'s message.
 */
export function malformedBodyError(kind: string, body: string | Uint8Array, parseMessage: string): StatusError {
  return badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${parseMessage} (${summarizeBody(body)})`);
}

/**
 * The 400 for a body without `kind` decoded as a custom resource:
 * `the object provided is unrecognized (must be of type Flunder): Object 'Kind' is missing in '<body>' (<summary>)`.
 */
export function missingKindError(kind: string, body: string | Uint8Array): StatusError {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  return badRequest(`the object provided is unrecognized (must be of type ${kind}): Object 'Kind' is missing in '${text}' (${summarizeBody(body)})`);
}

/**
 * Reads the fieldValidation query parameter: '' or absent → Warn (kube-apiserver's default);
 * anything else but Ignore/Warn/Strict → null (the caller answers 422 on CreateOptions/UpdateOptions/PatchOptions).
 */
export function parseFieldValidation(value: string | null | undefined): FieldValidationDirective | null {
  if (value === undefined || value === null || value === '') return 'Warn';
  return value === 'Ignore' || value === 'Warn' || value === 'Strict' ? value : null;
}

/**
 * The field error for an unsupported fieldValidation value, as ValidateFieldValidation words it
 * (`fieldValidation: Unsupported value: "x": supported values: "", "Ignore", "Strict", "Warn"`);
 * kube-apiserver wraps it with `invalid('CreateOptions', 'meta.k8s.io', '', [err])` (or Update/PatchOptions).
 */
export function fieldValidationValueError(value: string): FieldError {
  return notSupported('fieldValidation', value, ['', 'Ignore', 'Strict', 'Warn']);
}
