/**
 * The synchronous multi-version key/value engine under the embedded backends (memory, SQLite).
 * `MvccStorage` builds the whole Storage contract (errors, preconditions, optimistic
 * concurrency, paging, watch) on top of it; an engine only stores and reads versions.
 *
 * Every method is synchronous on purpose: a read followed by a write in the same tick is atomic
 * with respect to every other caller in the process, which is what compare-and-swap and the
 * gap-free hand-over from history replay to live events rely on.
 */

/** One stored version of a key: the result of the write at revision `rev`. */
export interface VersionRow {
  readonly key: string;
  /** The revision of the write that produced this version (its mod revision). */
  readonly rev: number;
  /** The revision that created this incarnation of the key. */
  readonly createRev: number;
  /** True for a deletion; `value` then holds the object's last state. */
  readonly deleted: boolean;
  /** The object as JSON without metadata.resourceVersion (see object-codec.ts). */
  readonly value: string;
}

/** Which keys a watch or history read covers. */
export interface KeyMatch {
  /** A prefix ending in '/', or an exact key. */
  readonly prefix: string;
  /** True when `prefix` is an exact key (it does not end with '/'). */
  readonly exact: boolean;
}

/** The engine contract; see the file comment. */
export interface MvccEngine {
  /** The newest revision (0 for an empty, never-written store). */
  revision(): number;
  /** Versions at or below this revision may be gone; reads at revisions >= it are complete. */
  compactedRevision(): number;
  /** The newest version of `key` if it is live (not deleted). */
  latest(key: string): VersionRow | undefined;
  /** Live versions as of `rev` of keys under `prefix` with key >= `fromKey`, by key, at most `limit`. */
  range(prefix: string, fromKey: string, rev: number, limit: number): VersionRow[];
  /** How many keys `range(prefix, fromKey, rev, Infinity)` would return. */
  countRange(prefix: string, fromKey: string, rev: number): number;
  /** Versions matching `match` with afterRev < rev <= uptoRev, by revision, at most `limit`. */
  history(match: KeyMatch, afterRev: number, uptoRev: number, limit: number): VersionRow[];
  /**
   * Durably appends a version at revision()+1 and returns it. `createRev` undefined: the key is
   * (re)created at this revision. Throws (revision unchanged) if the write fails.
   */
  append(key: string, value: string, createRev: number | undefined, deleted: boolean): VersionRow;
  /** Drops versions no read at revision >= `rev` needs; `rev` must not exceed revision(). */
  compact(rev: number): void;
  /** Releases the engine's resources. */
  close(): void;
}

/** The KeyMatch of a watch on `prefix` (exact when it does not end with '/'). */
export function keyMatch(prefix: string): KeyMatch {
  return { prefix, exact: !prefix.endsWith('/') };
}

/** True when `key` is covered by `match`. */
export function matches(match: KeyMatch, key: string): boolean {
  return match.exact ? key === match.prefix : key.startsWith(match.prefix);
}

/**
 * The smallest string greater than every string starting with `prefix` (the exclusive end of a
 * prefix range), or undefined for the empty prefix (no end).
 */
export function prefixEnd(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last === 0xffff) return prefixEnd(prefix.slice(0, -1));
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
