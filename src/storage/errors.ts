import type { KubeObject } from '../apimachinery/types.ts';
import { StorageError } from './interface.ts';
import type { Preconditions } from './interface.ts';

/**
 * Constructors for the StorageErrors every backend throws, worded as k8s.io/apiserver's storage
 * layer words them, plus the shared precondition check.
 */

/** KeyNotFound for `key`. */
export function keyNotFound(key: string): StorageError {
  return new StorageError('KeyNotFound', key, `key not found: ${key}`);
}

/** KeyExists for `key`. */
export function keyExists(key: string): StorageError {
  return new StorageError('KeyExists', key, `key exists: ${key}`);
}

/** ResourceVersionTooOld: `requested` is older than `oldest`, the oldest revision still readable. */
export function tooOldResourceVersion(key: string, requested: number, oldest: number): StorageError {
  return new StorageError('ResourceVersionTooOld', key, `too old resource version: ${requested} (${oldest})`,
    { oldestRevision: oldest });
}

/** ResourceVersionTooLarge: `requested` is newer than `current`. */
export function tooLargeResourceVersion(key: string, requested: number, current: number): StorageError {
  return new StorageError('ResourceVersionTooLarge', key, `Too large resource version: ${requested}, current: ${current}`);
}

/** The message kube-apiserver sends with the 410 of a compacted continue token. */
export const INCONSISTENT_CONTINUE_MESSAGE = 'The provided continue parameter is too old to display a consistent list result. '
  + 'You can start a new list without the continue parameter, or use the continue token in this response to retrieve '
  + 'the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that '
  + 'were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** ResourceVersionTooOld for a continue token, carrying the token that restarts at the newest revision. */
export function continueTooOld(key: string, oldest: number, inconsistentContinue: string): StorageError {
  return new StorageError('ResourceVersionTooOld', key, INCONSISTENT_CONTINUE_MESSAGE,
    { oldestRevision: oldest, inconsistentContinue });
}

/** Unavailable: the store has been closed. */
export function storeClosed(key: string): StorageError {
  return new StorageError('Unavailable', key, 'storage is closed');
}

/** Wraps a backend failure (I/O, SQLite error) as StorageError('Internal'), passing StorageErrors through. */
export function internalError(key: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new StorageError('Internal', key, `storage backend error: ${message}`);
}

/**
 * Throws StorageError('PreconditionFailed') unless `current` satisfies `preconditions`.
 * An absent object (null) fails any non-empty precondition, as in kube-apiserver.
 */
export function checkPreconditions(key: string, preconditions: Preconditions | undefined, current: KubeObject | null): void {
  if (!preconditions) return;
  const { uid, resourceVersion } = preconditions;
  if (uid === undefined && resourceVersion === undefined) return;
  if (!current) {
    throw new StorageError('PreconditionFailed', key, `Precondition failed: the object at ${key} does not exist`);
  }
  if (uid !== undefined && uid !== current.metadata.uid) {
    throw new StorageError('PreconditionFailed', key,
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
  }
  if (resourceVersion !== undefined && resourceVersion !== current.metadata.resourceVersion) {
    throw new StorageError('PreconditionFailed', key,
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`);
  }
}
