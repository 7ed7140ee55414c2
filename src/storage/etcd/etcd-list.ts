import type { KeyValue } from './wire/etcd-messages.ts';
import type { KubeObject } from '../../apimachinery/types.ts';
import { decodeContinueToken, encodeContinueToken, encodeStart } from '../continue-token.ts';
import { continueTooOld, tooLargeResourceVersion, tooOldResourceVersion } from '../errors.ts';
import type { ListOptions, ListResult } from '../interface.ts';
import { decodeObject } from '../object-codec.ts';
import type { EtcdClient } from './etcd-client.ts';
import { isCompactedError, isFutureRevisionError, toStorageError } from './etcd-errors.ts';
import type { KeySpace } from './etcd-keys.ts';

/**
 * Storage.list over etcd ranges, as kube-apiserver's etcd3 store lists: a range read at one
 * revision (0 = the newest, linearizable), `limit` + `more` + `count` for paging, continue
 * tokens in the shared format pointing just past the last returned key, and etcd's
 * "compacted" / "future revision" errors mapped to ResourceVersionTooOld / TooLarge.
 */

/** What listing needs from the store. */
export interface EtcdListContext {
  client: EtcdClient;
  keys: KeySpace;
  /** The oldest revision still readable (etcd's compaction revision). */
  oldestRevision(): Promise<number>;
  /** The store's newest revision. */
  currentRevision(): Promise<number>;
}

/** Where a list reads from. */
interface ListStart {
  /** The revision to read at; 0 for the newest. */
  rev: number;
  /** The first Storage key to read (inclusive). */
  fromKey: string;
  /** With NotOlderThan: the revision the read must not be older than. */
  minRev?: number;
  /** The continue token's start, when the list continues one. */
  tokenStart?: string;
}

/** One page read from etcd. */
interface Page {
  items: KubeObject[];
  /** The revision the page was read at. */
  rev: number;
  /** The Storage key of the last returned item, when more keys follow it. */
  moreAfter?: string;
  /** Keys after the page, when known exactly (no predicate). */
  remaining?: number;
}

/** Lists `prefix` per the Storage.list contract. */
export async function listFromEtcd(ctx: EtcdListContext, prefix: string, opts: ListOptions): Promise<ListResult> {
  const start = resolveStart(prefix, opts);
  const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : undefined;
  if (start.rev < 0) throw tooOldResourceVersion(prefix, opts.resourceVersion ?? 0, await ctx.oldestRevision());
  let page: Page;
  try {
    page = await readPage(ctx, prefix, start, limit, opts.predicate);
  } catch (err) {
    throw await mapListError(ctx, prefix, start, err);
  }
  if (start.minRev !== undefined && page.rev < start.minRev) throw tooLargeResourceVersion(prefix, start.minRev, page.rev);
  const result: ListResult = { items: page.items, resourceVersion: page.rev };
  if (page.moreAfter !== undefined) {
    result.continue = encodeContinueToken(`${page.moreAfter}\u0000`, prefix, page.rev);
    if (page.remaining !== undefined) result.remainingItemCount = page.remaining;
  }
  return result;
}

function resolveStart(prefix: string, opts: ListOptions): ListStart {
  if (opts.continue !== undefined && opts.continue !== '') {
    const pos = decodeContinueToken(opts.continue, prefix);
    return { rev: Math.max(0, pos.resourceVersion), fromKey: pos.startKey, tokenStart: pos.resourceVersion > 0 ? pos.start : undefined };
  }
  const rv = opts.resourceVersion;
  if (rv === undefined || opts.match === 'Any') return { rev: 0, fromKey: prefix };
  // etcd reads "revision 0" as "the newest", so an Exact read below revision 1 cannot be served.
  if (opts.match === 'Exact') return { rev: rv >= 1 ? rv : -1, fromKey: prefix };
  return { rev: 0, fromKey: prefix, minRev: rv };
}

/** Maps etcd's revision errors of a list to the contract's StorageErrors. */
async function mapListError(ctx: EtcdListContext, prefix: string, start: ListStart, err: unknown): Promise<Error> {
  const requested = start.rev;
  if (isCompactedError(err)) {
    const oldest = await ctx.oldestRevision();
    if (start.tokenStart !== undefined) return continueTooOld(prefix, oldest, encodeStart(start.tokenStart, -1));
    return tooOldResourceVersion(prefix, requested, oldest);
  }
  if (isFutureRevisionError(err)) return tooLargeResourceVersion(prefix, requested, await ctx.currentRevision());
  return toStorageError(prefix, err);
}

/** The most keys one range of a filtered page reads (its chunks double up to this). */
const MAX_FILTERED_CHUNK = 256;

/**
 * Reads up to `limit` matching objects from `start`. Without a predicate one range of `limit`
 * keys suffices (etcd's `more` and `count` say what follows); with a predicate it reads chunks of
 * limit+1 keys, doubling up to MAX_FILTERED_CHUNK (as kube's etcd3 store grows its range limit),
 * until `limit` matches or the end of the prefix, all at the revision of the first chunk.
 */
async function readPage(ctx: EtcdListContext, prefix: string, start: ListStart, limit: number | undefined,
  predicate: ((obj: KubeObject) => boolean) | undefined): Promise<Page> {
  const items: KubeObject[] = [];
  const rangeEnd = ctx.keys.range(prefix).range_end;
  let chunk = limit === undefined ? 0 : predicate ? limit + 1 : limit;
  let from = ctx.keys.etcdKey(start.fromKey);
  let rev = start.rev;
  let lastKey: string | undefined;
  for (;;) {
    const res = await ctx.client.range(prefix, { key: from, range_end: rangeEnd, revision: rev, limit: chunk });
    if (rev === 0) rev = Number(res.header.revision);
    for (const kv of res.kvs) {
      if (limit !== undefined && items.length >= limit) return { items, rev, moreAfter: lastKey };
      const obj = decodeKv(ctx.keys, kv);
      if (predicate && !predicate(obj)) continue;
      items.push(obj);
      lastKey = ctx.keys.storageKey(kv.key);
    }
    if (!res.more) return { items, rev };
    if (limit !== undefined && items.length >= limit) {
      return { items, rev, moreAfter: lastKey, remaining: predicate ? undefined : Number(res.count) - res.kvs.length };
    }
    from = Buffer.concat([res.kvs[res.kvs.length - 1].key, Buffer.from([0])]);
    chunk = Math.max(chunk, Math.min(chunk * 2, MAX_FILTERED_CHUNK));
  }
}

/** The object stored in `kv`, with resourceVersion = its mod revision. */
export function decodeKv(keys: KeySpace, kv: KeyValue): KubeObject {
  try {
    return decodeObject(kv.value.toString('utf8'), Number(kv.mod_revision));
  } catch (err) {
    throw toStorageError(keys.storageKey(kv.key), new Error(`undecodable value: ${(err as Error).message}`));
  }
}
