import {
  alreadyExists, badRequest, conflict, internalError, notFound, resourceExpired, serviceUnavailable,
  StatusError, type GroupResource,
} from '../errors/status-error.ts';
import { isStorageError } from '../storage/interface.ts';

/** kube-apiserver's message for a continue token whose revision was compacted. */
export const CONTINUE_EXPIRED_MESSAGE = 'The provided continue parameter is too old to display a consistent list result. '
  + 'You can start a new list without the continue parameter, or use the continue token in this response to retrieve '
  + 'the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that '
  + 'were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/**
 * The one place where storage errors become metav1.Status errors (as k8s.io/apiserver's
 * storage.InterpretXError functions do). Non-storage errors pass through unchanged.
 */
export function toStatusError(err: unknown, gr: GroupResource, name: string, op: 'get' | 'list' | 'write' | 'watch' = 'get'): unknown {
  if (!isStorageError(err)) return err;
  switch (err.code) {
    case 'KeyNotFound': return notFound(gr, name);
    case 'KeyExists': return alreadyExists(gr, name);
    case 'PreconditionFailed': return conflict(gr, name, err.message);
    case 'ResourceVersionTooOld':
      if (err.inconsistentContinue !== undefined) return resourceExpired(CONTINUE_EXPIRED_MESSAGE, { continue: err.inconsistentContinue });
      if (op === 'list') return resourceExpired('The resourceVersion for the provided list is too old.');
      return resourceExpired(err.message.startsWith('too old resource version') ? err.message : `too old resource version: ${err.message}`);
    case 'ResourceVersionTooLarge':
      return tooLargeResourceVersion(err.message.startsWith('Too large resource version') ? err.message : `Too large resource version: ${err.message}`);
    case 'InvalidContinue': return badRequest(err.message);
    case 'Unavailable': return serviceUnavailable(err.message);
    default: return internalError(err.message);
  }
}

/**
 * kube-apiserver's answer to a resourceVersion newer than its store (storage.NewTooLargeResourceVersionError):
 * 504 Timeout, "Timeout: " + `message`, a ResourceVersionTooLarge cause, retry after 1 s.
 */
export function tooLargeResourceVersion(message: string): StatusError {
  return new StatusError(504, 'Timeout', `Timeout: ${message}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
}
