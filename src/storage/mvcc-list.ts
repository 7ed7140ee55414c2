import type { KubeObject } from '../apimachinery/types.ts';
import { decodeContinueToken, encodeContinueToken, encodeStart } from './continue-token.ts';
import type { MvccEngine } from './engine.ts';
import { continueTooOld, tooLargeResourceVersion, tooOldResourceVersion } from './errors.ts';
import type { ListOptions, ListResult } from './interface.ts';
import { decodeObject } from './object-codec.ts';

/**
 * Storage.list over an MvccEngine: picks the revision (newest, Exact, NotOlderThan or the
 * continue token's), reads one page by key, and builds the next token and remainingItemCount
 * the way kube-apiserver's etcd3 store does (the token points just past the last returned key).
 */

/** Where a list reads from. */
interface ListStart {
  rev: number;
  fromKey: string;
}

/** One page read from the engine. */
interface Page {
  items: KubeObject[];
  /** The key of the last returned item, when more keys may follow it. */
  moreAfter?: string;
}

/**
 * Lists `prefix` per the Storage.list contract. `compacted` is the oldest revision still
 * readable (reads below it throw ResourceVersionTooOld).
 */
export function listFromEngine(engine: MvccEngine, prefix: string, opts: ListOptions, compacted: number): ListResult {
  const start = resolveStart(engine, prefix, opts, compacted);
  const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : undefined;
  const page = readPage(engine, prefix, start, limit, opts.predicate);
  const result: ListResult = { items: page.items, resourceVersion: start.rev };
  if (page.moreAfter !== undefined) {
    const next = `${page.moreAfter}\u0000`;
    result.continue = encodeContinueToken(next, prefix, start.rev);
    if (!opts.predicate) result.remainingItemCount = engine.countRange(prefix, next, start.rev);
  }
  return result;
}

function resolveStart(engine: MvccEngine, prefix: string, opts: ListOptions, compacted: number): ListStart {
  const current = engine.revision();
  if (opts.continue !== undefined && opts.continue !== '') {
    const pos = decodeContinueToken(opts.continue, prefix);
    if (pos.resourceVersion < 0) return { rev: current, fromKey: pos.startKey };
    if (pos.resourceVersion > current) throw tooLargeResourceVersion(prefix, pos.resourceVersion, current);
    if (pos.resourceVersion < compacted) throw continueTooOld(prefix, compacted, encodeStart(pos.start, -1));
    return { rev: pos.resourceVersion, fromKey: pos.startKey };
  }
  const rv = opts.resourceVersion;
  if (rv === undefined) return { rev: current, fromKey: prefix };
  if (rv > current) throw tooLargeResourceVersion(prefix, rv, current);
  if (opts.match !== 'Exact') return { rev: current, fromKey: prefix };
  if (rv < compacted) throw tooOldResourceVersion(prefix, rv, compacted);
  return { rev: rv, fromKey: prefix };
}

/** The most rows one engine read of a filtered page takes (its chunks double up to this). */
const MAX_FILTERED_CHUNK = 256;

/**
 * Reads up to `limit` matching objects. Without a predicate one engine read of limit+1 rows
 * suffices (the extra row only proves there is more and is never decoded); with a predicate it
 * reads chunks of limit+1 rows, doubling up to MAX_FILTERED_CHUNK, until `limit` matches or the
 * end of the prefix (as kube's etcd3 store grows its range limit), so that a page whose first
 * rows match reads no more than an unfiltered one.
 */
function readPage(engine: MvccEngine, prefix: string, start: ListStart, limit: number | undefined,
  predicate: ((obj: KubeObject) => boolean) | undefined): Page {
  const items: KubeObject[] = [];
  let chunk = limit === undefined ? Infinity : limit + 1;
  let fromKey = start.fromKey;
  let lastKey: string | undefined;
  for (;;) {
    const rows = engine.range(prefix, fromKey, start.rev, chunk);
    for (const row of rows) {
      if (limit !== undefined && items.length >= limit) return { items, moreAfter: lastKey };
      const obj = decodeObject(row.value, row.rev);
      if (predicate && !predicate(obj)) continue;
      items.push(obj);
      lastKey = row.key;
    }
    if (rows.length < chunk) return { items };
    fromKey = `${rows[rows.length - 1].key}\u0000`;
    chunk = Math.max(chunk, Math.min(chunk * 2, MAX_FILTERED_CHUNK));
  }
}
