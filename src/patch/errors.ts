import type { Status } from '../apimachinery/types.ts';
import { StatusError } from '../errors/status-error.ts';

/**
 * The Status.message kube-apiserver sends for a 422 built with NewGenericServerResponse: it
 * deliberately drops the underlying text (json-patch failures, lists of lists, ...).
 */
export const UNPROCESSABLE_PATCH_MESSAGE = 'the server rejected our request due to an error in our request';

/** HTTP status codes a patch can fail with. */
export type PatchErrorCode = 400 | 413 | 422 | 500;

/**
 * A patch that could not be applied. `message` is the underlying error text as upstream
 * produces it (useful for logs); `code` and `statusMessage` are what kube-apiserver answers
 * with. Call {@link PatchError.toStatusError} to get the exact response.
 */
export class PatchError extends Error {
  readonly code: PatchErrorCode;
  /** The Status.reason upstream answers with; '' is metav1.StatusReasonUnknown (an unwrapped Go error). */
  readonly reason: 'BadRequest' | 'RequestEntityTooLarge' | 'Invalid' | '';
  /** The Status.message upstream answers with (differs from `message` for 413 and 422). */
  readonly statusMessage: string;

  constructor(code: PatchErrorCode, message: string) {
    super(message);
    this.name = 'PatchError';
    this.code = code;
    this.reason = code === 400 ? 'BadRequest' : code === 413 ? 'RequestEntityTooLarge' : code === 422 ? 'Invalid' : '';
    this.statusMessage = code === 413 ? `Request entity too large: ${message}`
      : code === 422 ? UNPROCESSABLE_PATCH_MESSAGE : message;
  }

  /**
   * The StatusError kube-apiserver answers with: 400 BadRequest, 413 RequestEntityTooLarge,
   * 422 Invalid (generic message, `details: {}`), or 500 with no reason (a plain Go error
   * such as `map: map[image:nginx] does not contain declared merge key: name`).
   */
  toStatusError(): StatusError {
    switch (this.code) {
      case 400: return new StatusError(400, 'BadRequest', this.statusMessage);
      case 413: return new StatusError(413, 'RequestEntityTooLarge', this.statusMessage);
      case 422: return new StatusError(422, 'Invalid', this.statusMessage, {});
      case 500: return new ReasonlessStatusError(500, 'InternalError', this.statusMessage);
    }
  }
}

/** A StatusError whose wire form omits `reason`, as Go's ErrorToAPIStatus does for plain errors. */
class ReasonlessStatusError extends StatusError {
  override toStatus(): Status {
    const status = super.toStatus();
    delete status.reason;
    return status;
  }
}

/** True when `err` is a {@link PatchError}. */
export function isPatchError(err: unknown): err is PatchError {
  return err instanceof PatchError;
}
