import type { KubeObject } from '../../apimachinery/types.ts';
import { encodeContinueToken } from '../continue-token.ts';
import { prefixEnd } from '../engine.ts';
import type { EncodedItems, ListOptions, ListResult } from '../interface.ts';
import { decodeObject } from '../object-codec.ts';
import { lowerBound } from '../sorted-keys.ts';

/**
 * The current objects of one cached resource, by key: each as stored (JSON without
 * resourceVersion) with the revision of its last write and its apiVersion, plus the sorted key
 * list that prefix listings walk. Reads decode, so every caller gets its own copy. A listed
 * object also keeps its answer form (its JSON with resourceVersion), made on its first listing
 * and reused by every later list until the object changes (serialise once): lists hand it out
 * as ListResult.encoded and decode their items only when a caller reads them.
 */

/** One stored object. */
interface Entry {
  value: string;
  rev: number;
  apiVersion: unknown;
  answer?: string;
}

function answerOf(entry: Entry): string {
  return (entry.answer ??= JSON.stringify(decodeObject(entry.value, entry.rev)));
}

/** See the file comment. */
export class ObjectIndex {
  private readonly entries = new Map<string, Entry>();
  private keys: string[] = [];

  /** The number of objects. */
  get size(): number {
    return this.entries.size;
  }

  /** Stores (or replaces) the object at `key`: `value` as encodeObject stores it, in `apiVersion`. */
  set(key: string, value: string, rev: number, apiVersion: unknown): void {
    if (!this.entries.has(key)) this.keys.splice(lowerBound(this.keys, key), 0, key);
    this.entries.set(key, { value, rev, apiVersion });
  }

  /** A fresh copy of the object at `key`, or undefined. */
  get(key: string): KubeObject | undefined {
    const entry = this.entries.get(key);
    return entry && decodeObject(entry.value, entry.rev);
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
    const listed: Entry[] = [];
    const matched: KubeObject[] = [];
    let i = lowerBound(this.keys, prefix);
    let lastKey: string | undefined;
    for (; i < this.keys.length && this.keys[i].startsWith(prefix); i++) {
      if (listed.length >= limit) break;
      const key = this.keys[i];
      const entry = this.entries.get(key)!;
      if (opts.predicate) {
        const obj = decodeObject(entry.value, entry.rev);
        if (!opts.predicate(obj)) continue;
        matched.push(obj);
      }
      listed.push(entry);
      lastKey = key;
    }
    const result = listResult(listed, opts.predicate ? matched : undefined, rev);
    if (lastKey !== undefined && i < this.keys.length && this.keys[i].startsWith(prefix)) {
      result.continue = encodeContinueToken(`${lastKey}\u0000`, prefix, rev);
      const end = prefixEnd(prefix);
      if (!opts.predicate) result.remainingItemCount = (end === undefined ? this.keys.length : lowerBound(this.keys, end)) - i;
    }
    return result;
  }
}

/**
 * A ListResult of `listed`: `items` are `decoded` when the caller decoded them already, otherwise
 * decoded on first read; `encoded` is set when every entry is in one apiVersion.
 */
function listResult(listed: Entry[], decoded: KubeObject[] | undefined, rev: number): ListResult {
  const apiVersion = listed[0]?.apiVersion;
  const uniform = typeof apiVersion === 'string' && listed.every((e) => e.apiVersion === apiVersion);
  const encoded: EncodedItems | undefined = uniform ? { items: listed.map(answerOf), apiVersion } : undefined;
  let items = decoded;
  const result = {
    get items(): KubeObject[] {
      return (items ??= listed.map((e) => decodeObject(e.value, e.rev)));
    },
    set items(value: KubeObject[]) {
      items = value;
    },
    resourceVersion: rev,
  } as ListResult;
  if (encoded) result.encoded = encoded;
  return result;
}
