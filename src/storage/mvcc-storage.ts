import type { KubeObject, WatchEvent } from '../apimachinery/types.ts';
import type { MvccEngine, VersionRow } from './engine.ts';
import { checkPreconditions, internalError, keyExists, keyNotFound, storeClosed, tooOldResourceVersion } from './errors.ts';
import type { DeleteOptions, ListOptions, ListResult, Storage, UpdateOptions, WatchOptions } from './interface.ts';
import { listFromEngine } from './mvcc-list.ts';
import { decodeObject, encodeObject, sameContent } from './object-codec.ts';
import { WatchHub } from './watch-hub.ts';

/** Options shared by the embedded backends. */
export interface MvccStorageOptions {
  /** How many past revisions stay readable (list Exact, watch, continue tokens). Default 10000, minimum 1. */
  historyRevisions?: number;
}

/** The default of MvccStorageOptions.historyRevisions. */
export const DEFAULT_HISTORY_REVISIONS = 10000;

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * The Storage contract implemented once over a synchronous MvccEngine (memory or SQLite).
 * Optimistic concurrency: a write re-reads the key's newest revision in the same synchronous
 * step as the append, so after an async callback (tryUpdate, validateDeletion) it detects any
 * write that happened meanwhile and retries. Compaction keeps the newest `historyRevisions`
 * revisions readable; it runs in batches (every ~1/8 of the window, at most 1024 revisions).
 */
export class MvccStorage implements Storage {
  private readonly hub: WatchHub;
  private readonly historyRevisions: number;
  private readonly compactBatch: number;
  private closed = false;

  constructor(private readonly engine: MvccEngine, opts: MvccStorageOptions = {}) {
    this.historyRevisions = Math.max(1, Math.floor(opts.historyRevisions ?? DEFAULT_HISTORY_REVISIONS));
    this.compactBatch = Math.max(1, Math.min(1024, Math.floor(this.historyRevisions / 8)));
    this.hub = new WatchHub(engine);
  }

  /** See Storage.create. */
  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    this.assertOpen(key);
    const value = encodeObject(obj);
    if (this.engine.latest(key)) throw keyExists(key);
    return this.write(key, value, undefined, false);
  }

  /** See Storage.get. */
  async get(key: string): Promise<KubeObject> {
    this.assertOpen(key);
    const row = this.engine.latest(key);
    if (!row) throw keyNotFound(key);
    return decodeObject(row.value, row.rev);
  }

  /** See Storage.list. */
  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen(prefix);
    return listFromEngine(this.engine, prefix, opts, this.oldestRevision());
  }

  /** See Storage.guaranteedUpdate. */
  async guaranteedUpdate(key: string, tryUpdate: (current: KubeObject | null) => KubeObject | Promise<KubeObject>,
    opts: UpdateOptions = {}): Promise<KubeObject> {
    for (;;) {
      this.assertOpen(key);
      const cur = this.engine.latest(key);
      if (!cur && !opts.ignoreNotFound) throw keyNotFound(key);
      const current = cur ? decodeObject(cur.value, cur.rev) : null;
      checkPreconditions(key, opts.preconditions, current);
      const result = tryUpdate(current);
      let next: KubeObject;
      if (isPromiseLike(result)) {
        next = await result;
        this.assertOpen(key);
        if (this.engine.latest(key)?.rev !== cur?.rev) continue;
      } else {
        next = result;
      }
      const value = encodeObject(next);
      if (cur && sameContent(value, cur.value)) return decodeObject(cur.value, cur.rev);
      return this.write(key, value, cur?.createRev, false);
    }
  }

  /** See Storage.delete. */
  async delete(key: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    for (;;) {
      this.assertOpen(key);
      const cur = this.engine.latest(key);
      if (!cur) throw keyNotFound(key);
      const last = decodeObject(cur.value, cur.rev);
      checkPreconditions(key, opts.preconditions, last);
      if (opts.validateDeletion) {
        await opts.validateDeletion(decodeObject(cur.value, cur.rev));
        this.assertOpen(key);
        if (this.engine.latest(key)?.rev !== cur.rev) continue;
      }
      const row = this.append(key, cur.value, cur.createRev, true);
      last.metadata.resourceVersion = String(row.rev);
      return last;
    }
  }

  /** See Storage.watch; a compacted `fromRevision` throws from this call. */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    this.assertOpen(prefix);
    const oldest = this.oldestRevision();
    if (opts.fromRevision < oldest) throw tooOldResourceVersion(prefix, opts.fromRevision, oldest);
    return this.hub.open(prefix, opts.fromRevision, opts.signal);
  }

  /** See Storage.currentRevision. */
  async currentRevision(): Promise<number> {
    this.assertOpen('');
    return this.engine.revision();
  }

  /** See Storage.count. */
  async count(prefix: string): Promise<number> {
    this.assertOpen(prefix);
    return this.engine.countRange(prefix, prefix, this.engine.revision());
  }

  /** See Storage.close; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.closeAll();
    this.engine.close();
  }

  /** The number of registered watches. */
  watcherCount(): number {
    return this.hub.size();
  }

  /** The oldest revision readable: the window's start, or later if the engine compacted further. */
  oldestRevision(): number {
    return Math.max(this.engine.compactedRevision(), this.engine.revision() - this.historyRevisions);
  }

  private write(key: string, value: string, createRev: number | undefined, deleted: boolean): KubeObject {
    const row = this.append(key, value, createRev, deleted);
    return decodeObject(row.value, row.rev);
  }

  /** Appends, publishes to watchers in the same tick, then compacts if a batch is due. */
  private append(key: string, value: string, createRev: number | undefined, deleted: boolean): VersionRow {
    let row: VersionRow;
    try {
      row = this.engine.append(key, value, createRev, deleted);
    } catch (err) {
      throw internalError(key, err);
    }
    this.hub.publish(row);
    this.maybeCompact();
    return row;
  }

  private maybeCompact(): void {
    const target = this.engine.revision() - this.historyRevisions;
    if (target - this.engine.compactedRevision() < this.compactBatch) return;
    try {
      this.engine.compact(target);
    } catch (err) {
      // The write itself is durable; a failed compaction only delays reclaiming space.
      process.emitWarning(`storage compaction failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private assertOpen(key: string): void {
    if (this.closed) throw storeClosed(key);
  }
}
