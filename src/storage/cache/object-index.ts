import type { KubeObject } from '../../apimachinery/types.ts';
import { encodeContinueToken } from '../continue-token.ts';
import { prefixEnd } from '../engine.ts';
import type { ListOptions, ListResult } from '../interface.ts';
import { decodeObject } from '../object-codec.ts';
import { lowerBound } from '../sorted-keys.ts';

/**
 * The current objects of one cached resource, by key: each as stored (JSON without
 * resourceVersion) with the revision of its last write, plus the sorted key list that prefix
 * listings walk. Reads decode, so every caller gets its own copy.
 */

/** One stored object. */
interface Entry {
  value: string;
  rev: number;
}

/** See the file comment. */
export class ObjectIndex {
  private readonly entries = new Map<string, Entry>();
  private keys: string[] = [];

  /** The number of objects. */
  get size(): number {
    return this.entries.size;
  }

  /** Stores (or replaces) the object at `key`. */
  set(key: string, value: string, rev: number): void {
    if (!this.entries.has(key)) this.keys.splice(lowerBound(this.keys, key), 0, key);
    this.entries.set(key, { value, rev });
  }

  /** The object at `key` as stored (value and revision), or undefined. */
  stored(key: string): { value: string; revision: number } | undefined {
    const entry = this.entries.get(key);
    return entry && { value: entry.value, revision: entry.rev };
  }

  /** Removes the object at `key`, if any. */
  delete(key: string): void {
    if (!this.entries.delete(key)) return;
    this.keys.splice(lowerBound(this.keys, key), 1);
  }

  /** Removes every object. */
  clear(): void {
    this.entries.clear();
    this.keys = [];
  }

  /**
   * A Storage.list answer for `prefix` (ending in '/') from the index as of revision `rev`:
   * ordered by key, filtered by `opts.predicate`, paged by `opts.limit` with a continue token
   * for revision `rev` (continue pages are read from the backend at that revision).
   */
  list(prefix: string, opts: ListOptions, rev: number): ListResult {
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : Infinity;
    const items: KubeObject[] = [];
    let i = lowerBound(this.keys, prefix);
    let lastKey: string | undefined;
    for (; i < this.keys.length && this.keys[i].startsWith(prefix); i++) {
      if (items.length >= limit) break;
      const key = this.keys[i];
      const entry = this.entries.get(key)!;
      const obj = decodeObject(entry.value, entry.rev);
      if (opts.predicate && !opts.predicate(obj)) continue;
      items.push(obj);
      lastKey = key;
    }
    const result: ListResult = { items, resourceVersion: rev };
    if (lastKey !== undefined && i < this.keys.length && this.keys[i].startsWith(prefix)) {
      result.continue = encodeContinueToken(`${lastKey}\u0000`, prefix, rev);
      const end = prefixEnd(prefix);
      if (!opts.predicate) result.remainingItemCount = (end === undefined ? this.keys.length : lowerBound(this.keys, end)) - i;
    }
    return result;
  }
}
