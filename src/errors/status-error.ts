import type { Status, StatusCause, StatusDetails } from '../apimachinery/types.ts';

/** The metav1.StatusReason values extapi answers with. */
export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'AlreadyExists' | 'Conflict'
  | 'Gone' | 'Expired' | 'Invalid' | 'MethodNotAllowed' | 'NotAcceptable' | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge' | 'TooManyRequests' | 'InternalError' | 'ServiceUnavailable' | 'Timeout';

/** Identifies a resource in error messages, e.g. `flunders.wardle.example.com`. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** `resource.group`, or just `resource` for the core group — as Kubernetes prints it. */
export function formatGroupResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

/**
 * An error that knows the metav1.Status it answers with. Handlers throw these; the one
 * boundary in `endpoints/respond.ts` turns them (and anything else) into a Status response.
 */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details?: StatusDetails;
  /** Extra Status.metadata (e.g. the `continue` token of an inconsistent list). */
  readonly listMeta?: Status['metadata'];

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails, listMeta?: Status['metadata']) {
    super(message);
    this.name = 'StatusError';
    this.code = code;
    this.reason = reason;
    this.details = details;
    this.listMeta = listMeta;
  }

  /** The metav1.Status body of this error. */
  toStatus(): Status {
    const status: Status = {
      kind: 'Status', apiVersion: 'v1', metadata: this.listMeta ?? {}, status: 'Failure',
      message: this.message, reason: this.reason, code: this.code,
    };
    if (this.details) status.details = withoutEmptyStrings(this.details);
    return status;
  }
}

/** StatusDetails with the empty name/group/kind/uid left out, as Go's `omitempty` does. */
function withoutEmptyStrings(details: StatusDetails): StatusDetails {
  const out: StatusDetails = { ...details };
  for (const key of ['name', 'group', 'kind', 'uid'] as const) if (out[key] === '' || out[key] === undefined) delete out[key];
  return out;
}

/** True when `err` is a StatusError, optionally with the given reason. */
export function isStatusError(err: unknown, reason?: StatusReason): err is StatusError {
  return err instanceof StatusError && (reason === undefined || err.reason === reason);
}

/** 404 NotFound: `flunders.wardle.example.com "x" not found`. */
export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${formatGroupResource(gr)} "${name}" not found`,
    { name, group: gr.group, kind: gr.resource });
}

/** 409 AlreadyExists: `flunders.wardle.example.com "x" already exists`. */
export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${formatGroupResource(gr)} "${name}" already exists`,
    { name, group: gr.group, kind: gr.resource });
}

/** 409 Conflict: `Operation cannot be fulfilled on flunders.wardle.example.com "x": <why>`. */
export function conflict(gr: GroupResource, name: string, why: string): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${formatGroupResource(gr)} "${name}": ${why}`,
    { name, group: gr.group, kind: gr.resource });
}

/** The message kube-apiserver uses for a stale resourceVersion on update. */
export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

/** A field error, as Kubernetes' field.Error: type is e.g. `FieldValueRequired`. */
export interface FieldError {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueForbidden'
    | 'FieldValueDuplicate' | 'FieldValueTooLong' | 'FieldValueTypeInvalid' | 'FieldValueTooMany' | 'InternalError';
  field: string;
  /** The human part of the message, e.g. `Required value` or `Invalid value: "x": must be ...`. */
  detail: string;
}

/** 422 Invalid with one cause per field error, worded as kube-apiserver words it. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field }));
  const joined = errors.map((e) => `${e.field}: ${e.detail}`);
  const summary = joined.length === 1 ? joined[0] : `[${joined.join(', ')}]`;
  const qualified = group ? `${kind}.${group}` : kind;
  return new StatusError(422, 'Invalid', `${qualified} "${name}" is invalid: ${summary}`,
    { name, group, kind, causes });
}

/** 400 BadRequest with a message. */
export function badRequest(message: string, causes?: StatusCause[]): StatusError {
  return new StatusError(400, 'BadRequest', message, causes ? { causes } : undefined);
}

/** 401 Unauthorized. */
export function unauthorized(message = 'Unauthorized'): StatusError {
  return new StatusError(401, 'Unauthorized', message);
}

/** 403 Forbidden: `<gr> "name" is forbidden: <why>` (name omitted when empty). */
export function forbidden(gr: GroupResource, name: string, why: string): StatusError {
  const subject = name ? `${formatGroupResource(gr)} "${name}"` : formatGroupResource(gr);
  return new StatusError(403, 'Forbidden', `${subject} is forbidden: ${why}`,
    { name: name || undefined, group: gr.group, kind: gr.resource });
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(verb: string, what: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${what}"`);
}

/** 406 NotAcceptable. */
export function notAcceptable(supported: string[]): StatusError {
  return new StatusError(406, 'NotAcceptable', `only the following media types are accepted: ${supported.join(', ')}`);
}

/** 415 UnsupportedMediaType, worded as kube-apiserver words it. */
export function unsupportedMediaType(supported: string[]): StatusError {
  return new StatusError(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')}`);
}

/** 413 RequestEntityTooLarge. */
export function requestEntityTooLarge(limitBytes: number): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limitBytes}`);
}

/** 410 Expired: `too old resource version: <requested> (<oldest>)`. */
export function resourceExpired(message: string, listMeta?: Status['metadata']): StatusError {
  return new StatusError(410, 'Expired', message, undefined, listMeta);
}

/** 429 TooManyRequests with Retry-After seconds in the details. */
export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
}

/** 500 InternalError: the message never includes a stack trace. */
export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`,
    { causes: [{ message }] });
}

/** 503 ServiceUnavailable. */
export function serviceUnavailable(message: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message);
}
