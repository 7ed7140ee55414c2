import { StorageError } from '../interface.ts';
import { internalError } from '../errors.ts';
import { GrpcError, GrpcStatus } from './wire/grpc.ts';

/**
 * How the etcd backend classifies the errors of its gRPC client (gRPC status + etcd's error
 * strings) and turns them into StorageErrors.
 */

/** gRPC codes after which a retry (on the same or another member) may succeed. */
const TRANSIENT_CODES = new Set<number>([GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.RESOURCE_EXHAUSTED, GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE]);

/** etcd's error for a read at (or a watch/compaction below) a compacted revision. */
export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && err.message.includes('required revision has been compacted');
}

/** etcd's error for a read at a revision newer than the store's. */
export function isFutureRevisionError(err: unknown): boolean {
  return err instanceof Error && err.message.includes('required revision is a future revision');
}

/**
 * True for failures that may go away on retry or on another endpoint: connection problems,
 * deadlines, leader elections, overload (gRPC DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL,
 * UNAVAILABLE, and etcd's own transient errors).
 */
export function isTransientError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof GrpcError && TRANSIENT_CODES.has(err.code)) return true;
  return /etcdserver: (no leader|leader changed|request timed out|too many requests|not capable)/.test(err.message);
}

/**
 * True for transient failures after which etcd certainly did not apply a write (it was never
 * sent, or the member refused it before proposing). Other transient failures of a write are
 * ambiguous: the write may have been committed although the client saw an error.
 */
export function isNotAppliedError(err: unknown): boolean {
  if (err instanceof GrpcError && err.notSent) return true;
  return err instanceof Error && /etcdserver: (no leader|too many requests|not capable)/.test(err.message);
}

/** StorageError('Unavailable') for a request that ran out of time or endpoints. */
export function unavailable(key: string, err: unknown, ambiguous: boolean): StorageError {
  const why = err instanceof Error ? err.message : String(err);
  const outcome = ambiguous ? ' (the write may or may not have been applied)' : '';
  return new StorageError('Unavailable', key, `etcd is unavailable${outcome}: ${why}`);
}

/** Maps any error of the etcd client to a StorageError (StorageErrors pass through). */
export function toStorageError(key: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  if (isTransientError(err)) return unavailable(key, err, false);
  return internalError(key, err);
}

/**
 * StorageError('Unavailable') for a write whose first attempt failed ambiguously and whose
 * outcome cannot be established afterwards (etcd cannot tell it apart from an identical
 * concurrent write): it may or may not have been applied; the caller should read and retry.
 */
export function outcomeUnknown(key: string): StorageError {
  return new StorageError('Unavailable', key,
    'etcd did not confirm the write and the outcome cannot be determined: it may or may not have been applied');
}
