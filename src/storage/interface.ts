import type { KubeObject, WatchEvent } from '../apimachinery/types.ts';

/**
 * The storage contract every backend (memory, SQLite, etcd) implements and the conformance
 * suite in `storage/conformance.ts` checks. Modelled on k8s.io/apiserver's storage.Interface.
 *
 * - Keys are strings such as `/wardle.example.com/flunders/default/x`; a prefix ends with `/`.
 * - One revision counter per store, increased by one for every write (create, real update,
 *   delete). Objects come back with `metadata.resourceVersion` set to the revision of their last
 *   write (for DELETED watch events and `delete()`'s result: the revision of the deletion).
 * - The store keeps a bounded history of past revisions; asking for a revision older than it
 *   throws StorageError('ResourceVersionTooOld').
 * - Objects are plain JSON; the store never keeps references to the caller's objects.
 */
export interface Storage {
  /** Stores `obj` under `key` if the key is absent; throws StorageError('KeyExists') otherwise. */
  create(key: string, obj: KubeObject): Promise<KubeObject>;

  /** The current object at `key`; throws StorageError('KeyNotFound') when absent. */
  get(key: string): Promise<KubeObject>;

  /**
   * Objects under `prefix`, ordered by key, as of one revision.
   * - `resourceVersion` unset: the newest revision (a consistent read).
   * - `resourceVersion` with `match: 'Exact'`: exactly that revision (TooOld if compacted,
   *   TooLarge if in the future).
   * - `resourceVersion` with `match: 'NotOlderThan'` (or unset match): the newest revision,
   *   which must be >= it (TooLarge otherwise).
   * - `match: 'Any'` (kube's `resourceVersion=0`): any revision will do, including a slightly
   *   stale one; `resourceVersion` is ignored (leave it unset). Backends read the newest; a
   *   watch cache (storage/cache) answers from memory.
   * - `limit`/`continue` page through; `continue` is the opaque token of a previous page and
   *   fixes the revision of the whole list (TooOld once compacted, InvalidContinue if malformed).
   * - `predicate` filters; with a limit the store keeps reading until `limit` matches or the end.
   */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;

  /**
   * Reads the object at `key`, passes a copy to `tryUpdate`, and writes the result if nobody
   * wrote the key in between (retrying `tryUpdate` otherwise). If the result equals the current
   * object (ignoring resourceVersion) nothing is written and the current object is returned.
   * `tryUpdate` may throw to abort; its error propagates unchanged.
   * Absent key: StorageError('KeyNotFound'), unless `ignoreNotFound` (then `tryUpdate` gets null).
   * Preconditions are checked against the current object (StorageError('PreconditionFailed')).
   */
  guaranteedUpdate(key: string, tryUpdate: (current: KubeObject | null) => KubeObject | Promise<KubeObject>, opts?: UpdateOptions): Promise<KubeObject>;

  /**
   * Deletes `key` and returns the last object, with resourceVersion = the deletion's revision.
   * `validateDeletion` sees the current object and may throw to abort.
   */
  delete(key: string, opts?: DeleteOptions): Promise<KubeObject>;

  /**
   * Events for keys under `prefix` (or exactly `key` when it does not end with '/') with
   * revision > `fromRevision`, in revision order, each once, until `signal` aborts (then the
   * iterator returns). `fromRevision` older than the history: throws ResourceVersionTooOld
   * (either from watch() or on the first next()). Never emits BOOKMARK or ERROR itself, except
   * the progress bookmarks of a watch opened with `progressBookmarks` (see ProgressWatch).
   * An event's object may be shared with other watches and frozen (the watch cache decodes each
   * event once): copy it before changing it.
   */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent>;

  /** The newest revision of the store. */
  currentRevision(): Promise<number>;

  /** The number of objects under `prefix`. */
  count(prefix: string): Promise<number>;

  /**
   * Optional, for readiness probes: resolves when the store can serve requests, throws
   * StorageError('Unavailable') while it cannot (e.g. etcd unreachable or without quorum).
   * Backends that cannot become unavailable (memory, SQLite) need not implement it.
   */
  healthCheck?(): Promise<void>;

  /** Releases the store's resources; pending watches end. */
  close(): Promise<void>;

  /**
   * Optional, for tests and metrics: the number of watches currently registered. A watch stops
   * counting as soon as its signal aborts, its iterator returns, or the store closes.
   */
  watcherCount?(): number;
}

/** What a write must find for it to proceed. */
export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

/** Options of Storage.list. */
export interface ListOptions {
  resourceVersion?: number;
  /** How `resourceVersion` is matched; see Storage.list. 'Any' allows a stale (cached) answer. */
  match?: 'Exact' | 'NotOlderThan' | 'Any';
  limit?: number;
  continue?: string;
  predicate?: (obj: KubeObject) => boolean;
}

/** What Storage.list returns. */
export interface ListResult {
  items: KubeObject[];
  /** The revision the list was read at. */
  resourceVersion: number;
  /** Token for the next page, when there is one. */
  continue?: string;
  /** Objects after this page, only when known exactly (no predicate). */
  remainingItemCount?: number;
  /**
   * Optional, from a store that keeps its answers encoded (the watch cache): each item's JSON,
   * metadata.resourceVersion included, index-aligned with `items`, and the one apiVersion
   * every item is stored in. A reader that only forwards the items as JSON may send these
   * instead of encoding `items` (serialise once); `items` may then be decoded only when read.
   * A layer that changes items must drop it.
   */
  encoded?: EncodedItems;
}

/** See ListResult.encoded. */
export interface EncodedItems {
  readonly items: readonly string[];
  readonly apiVersion: string;
}

/** Options of Storage.guaranteedUpdate. */
export interface UpdateOptions {
  preconditions?: Preconditions;
  ignoreNotFound?: boolean;
  /**
   * The caller's cached copy of the object as stored (kube's cachedExistingObject: the watch
   * cache's), which a backend may start from instead of reading the key. It may be stale: a
   * backend that uses it re-reads the key and retries when the write's compare fails, when the
   * preconditions or `tryUpdate` fail on it, and before answering a no-op from it. Backends
   * without a cheaper path ignore it.
   */
  suggestion?: StoredState;
}

/** An object as stored: its encoded form (object-codec, without resourceVersion) and the revision of its last write. */
export interface StoredState {
  value: string;
  revision: number;
}

/** Options of Storage.delete. */
export interface DeleteOptions {
  preconditions?: Preconditions;
  validateDeletion?: (current: KubeObject) => void | Promise<void>;
}

/** Options of Storage.watch. */
export interface WatchOptions {
  fromRevision: number;
  signal: AbortSignal;
  /**
   * Asks for progress bookmarks. A store that can give them returns a ProgressWatch; others
   * ignore the option (see isProgressWatch).
   */
  progressBookmarks?: boolean;
}

/**
 * A watch that reports its progress on request (etcd's RequestWatchProgress): some time after
 * `requestProgress()` it yields a BOOKMARK event whose object carries only
 * `metadata.resourceVersion` = a revision R of the store such that every event of the watch up
 * to R has been yielded before the bookmark. A request may go unanswered (e.g. while the watch
 * reconnects): callers wait with a deadline. Bookmarks may also come unrequested.
 */
export interface ProgressWatch extends AsyncIterable<WatchEvent> {
  requestProgress(): void;
}

/** True when `watch` (from Storage.watch with `progressBookmarks`) is a ProgressWatch. */
export function isProgressWatch(watch: AsyncIterable<WatchEvent>): watch is ProgressWatch {
  return typeof (watch as Partial<ProgressWatch>).requestProgress === 'function';
}

/** The progress bookmark of revision `rev` (see ProgressWatch). */
export function progressBookmark(rev: number): WatchEvent {
  return { type: 'BOOKMARK', object: { metadata: { resourceVersion: String(rev) } } };
}

/** The codes of StorageError; the registry maps each to one metav1.Status. */
export type StorageErrorCode =
  | 'KeyNotFound' | 'KeyExists' | 'PreconditionFailed' | 'ResourceVersionTooOld'
  | 'ResourceVersionTooLarge' | 'InvalidContinue' | 'Unavailable' | 'Internal';

/** An error of a storage backend; `message` is ready for the user. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key: string;
  /** For ResourceVersionTooOld on a continue token: a token that restarts the list at the newest revision. */
  readonly inconsistentContinue?: string;
  /** For ResourceVersionTooOld: the oldest revision still available. */
  readonly oldestRevision?: number;
  constructor(code: StorageErrorCode, key: string, message: string, extra?: { inconsistentContinue?: string; oldestRevision?: number }) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
    this.key = key;
    this.inconsistentContinue = extra?.inconsistentContinue;
    this.oldestRevision = extra?.oldestRevision;
  }
}

/** True when `err` is a StorageError, optionally with the given code. */
export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
