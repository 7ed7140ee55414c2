import type { KubeObject, WatchEvent } from '../../apimachinery/types.ts';
import { StorageError, isProgressWatch, isStorageError } from '../interface.ts';
import type { ListOptions, ListResult, ProgressWatch, Storage, StoredState } from '../interface.ts';
import { encodeObject } from '../object-codec.ts';
import type { EventMap, MappableWatch } from '../watch-map.ts';
import { CacheWatcher, openedOnFirstNext } from './cache-watcher.ts';
import { EventRing } from './event-ring.ts';
import { ObjectIndex } from './object-index.ts';
import { SlicedNotifier } from './sliced-notifier.ts';

/**
 * The cache of one resource (all keys under one prefix): the current objects and a ring of
 * recent events, kept up to date by exactly one upstream watch on the backend. It starts with
 * a list (at a requested revision when it can, else the newest) and then follows the backend's
 * watch from that list's revision. If the upstream watch fails (e.g. ResourceVersionTooOld
 * after an outage longer than the backend's history), every client watch ends with
 * ResourceVersionTooOld — its client must re-list — and the cache starts over. When the
 * backend's watch reports progress (a ProgressWatch, as etcd's), the cache can tell when it is
 * as fresh as a given revision even if the newest writes were to other resources (waitFresh).
 */

/** Maps an object of the resource at `prefix` to its Storage key. */
export type KeyFunc = (prefix: string, obj: KubeObject) => string;

const MAX_RESTART_DELAY_MS = 5000;
/** How often a pending freshness wait asks the upstream watch for progress again. */
const PROGRESS_RETRY_MS = 25;

/** A pause that does not keep the process alive (a closed cache must not delay exit). */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** See the file comment. */
export class ResourceCache {
  private readonly objects = new ObjectIndex();
  private ring: EventRing;
  /** The revision the cache reflects: every event up to it is applied. */
  private rev = 0;
  private ready = false;
  private closed = false;
  private started = false;
  private readonly readyWaiters = new Set<() => void>();
  private readonly watchers = new Set<CacheWatcher>();
  private readonly notifier = new SlicedNotifier(() => this.watchers);
  private readonly upstream = new AbortController();
  /** The upstream watch, when it reports progress on request. */
  private progress: ProgressWatch | undefined;
  /** Re-asks for progress while freshness waiters wait (etcd drops requests while its watcher syncs). */
  private progressTimer: NodeJS.Timeout | undefined;
  private readonly freshWaiters = new Set<{ rev: number; done: (fresh: boolean) => void }>();

  constructor(private readonly backend: Storage, readonly prefix: string, private readonly capacity: number,
    private readonly keyFunc: KeyFunc) {
    this.ring = new EventRing(capacity, 0);
  }

  /** True once the initial list is in and the upstream watch runs. */
  isReady(): boolean {
    return this.ready;
  }

  /** The revision the cache reflects (every event up to it applied), or undefined while not ready. */
  revision(): number | undefined {
    return this.ready && !this.closed ? this.rev : undefined;
  }

  /** True when the cache is ready and its upstream watch reports progress (waitFresh can succeed). */
  canConfirmFreshness(): boolean {
    return this.ready && !this.closed && this.progress !== undefined;
  }

  /**
   * Resolves true once the cache reflects revision `rev` of the store (every event of the
   * resource up to it applied), asking the upstream watch for progress when it is behind; false
   * after `timeoutMs`, or when the cache is not ready, closes or loses its upstream watch.
   */
  async waitFresh(rev: number, timeoutMs: number): Promise<boolean> {
    if (!this.ready || this.closed) return false;
    if (this.rev >= rev) return true;
    if (!this.progress) return false;
    let waiter!: { rev: number; done: (fresh: boolean) => void };
    const fresh = new Promise<boolean>((resolve) => { waiter = { rev, done: resolve }; });
    this.freshWaiters.add(waiter);
    const timer = setTimeout(() => waiter.done(false), timeoutMs);
    this.askProgress();
    try {
      return await fresh;
    } finally {
      clearTimeout(timer);
      this.freshWaiters.delete(waiter);
      if (this.freshWaiters.size === 0) this.stopAskingProgress();
    }
  }

  /** The number of client watches registered. */
  watcherCount(): number {
    return this.watchers.size;
  }

  /** Starts following the backend (once); `atRevision` is where the first list should be, if possible. */
  start(atRevision?: number): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.run(atRevision);
  }

  /** Resolves once ready, or when `signal` aborts or the cache closes (then returns false). */
  async whenReady(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return false;
    if (this.ready || this.closed) return this.ready && !this.closed;
    let done!: () => void;
    const wait = new Promise<void>((resolve) => { done = resolve; });
    this.readyWaiters.add(done);
    signal?.addEventListener('abort', done, { once: true });
    try {
      await wait;
    } finally {
      this.readyWaiters.delete(done);
      signal?.removeEventListener('abort', done);
    }
    return this.ready && !this.closed;
  }

  /** A Storage.list answer from memory (the cache must be ready). */
  list(prefix: string, opts: ListOptions): ListResult {
    return this.objects.list(prefix, opts, this.rev);
  }

  /** A copy of the object at `key` (the cache must be ready; it may lag the store), or undefined when absent. */
  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** The object at `key` as the cache holds it (it may lag the store), or undefined when absent or not ready. */
  stored(key: string): StoredState | undefined {
    return this.ready && !this.closed ? this.objects.stored(key) : undefined;
  }

  /** A client watch of `prefix` (under this resource) from `fromRevision`; see CacheWatcher. */
  watch(prefix: string, fromRevision: number, signal: AbortSignal, map?: EventMap): MappableWatch {
    const iterable = openedOnFirstNext(async () => {
      if (signal.aborted) return undefined;
      this.start(fromRevision);
      // Not ready means aborted or closed: either way the watch just ends.
      if (!(await this.whenReady(signal)) || this.closed || signal.aborted) return undefined;
      const watcher = new CacheWatcher(() => this.ring, prefix, fromRevision, signal, (w) => this.watchers.delete(w), map);
      this.watchers.add(watcher);
      return watcher;
    });
    const withEventMap = (next: EventMap): AsyncIterable<WatchEvent> =>
      this.watch(prefix, fromRevision, signal, map ? (e) => next(map(e)) : next);
    return Object.assign(iterable, { withEventMap });
  }

  /** Stops the upstream watch and ends every client watch. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.upstream.abort();
    this.stopAskingProgress();
    for (const w of [...this.watchers]) w.end();
    for (const done of [...this.readyWaiters]) done();
    this.settleFreshWaiters(false);
  }

  /** Lists, follows, and on failure starts over (with backoff) until closed. */
  private async run(atRevision: number | undefined): Promise<void> {
    let delay = 100;
    for (let at = atRevision; !this.closed; at = undefined) {
      try {
        await this.load(at);
        delay = 100;
        await this.follow();
        if (this.closed) return;
        throw new StorageError('Unavailable', this.prefix, 'the upstream watch ended');
      } catch (err) {
        if (this.closed) return;
        this.reset(err);
        await sleep(delay);
        delay = Math.min(MAX_RESTART_DELAY_MS, delay * 2);
      }
    }
  }

  /** Fills the cache with a list at `at` (when the backend still has it) or at the newest revision. */
  private async load(at: number | undefined): Promise<void> {
    let listed: ListResult | undefined;
    if (at !== undefined && at > 0) {
      try {
        listed = await this.backend.list(this.prefix, { resourceVersion: at, match: 'Exact' });
      } catch (err) {
        if (!isStorageError(err, 'ResourceVersionTooOld') && !isStorageError(err, 'ResourceVersionTooLarge')) throw err;
      }
    }
    listed ??= await this.backend.list(this.prefix);
    this.objects.clear();
    for (const obj of listed.items) this.objects.set(this.keyFunc(this.prefix, obj), encodeObject(obj), Number(obj.metadata.resourceVersion), obj.apiVersion);
    this.rev = listed.resourceVersion;
    this.ring = new EventRing(this.capacity, this.rev);
    this.ready = true;
    for (const done of [...this.readyWaiters]) done();
  }

  /** Applies the upstream watch's events until it ends. */
  private async follow(): Promise<void> {
    const events = this.backend.watch(this.prefix, { fromRevision: this.rev, signal: this.upstream.signal, progressBookmarks: true });
    this.progress = isProgressWatch(events) ? events : undefined;
    try {
      for await (const ev of events) this.apply(ev);
    } finally {
      this.progress = undefined;
    }
  }

  private apply(ev: WatchEvent): void {
    if (ev.type === 'BOOKMARK') {
      this.onProgress(Number(ev.object.metadata.resourceVersion));
      return;
    }
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') return;
    const rev = Number(ev.object.metadata.resourceVersion);
    const key = this.keyFunc(this.prefix, ev.object);
    const value = encodeObject(ev.object);
    if (ev.type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, value, rev, ev.object.apiVersion);
    this.rev = rev;
    const evicted = this.ring.push({ type: ev.type, key, value, rev });
    if (evicted) for (const w of this.watchers) w.onEvicted(evicted);
    this.notifier.notifyAll();
    this.settleFreshWaiters(true);
  }

  /** A progress bookmark: every event up to `rev` has been applied. */
  private onProgress(rev: number): void {
    if (rev > this.rev) this.rev = rev;
    this.settleFreshWaiters(true);
    // Waiters left read a newer revision than this answer's request knew: ask again at once.
    if (this.freshWaiters.size > 0) this.progress?.requestProgress();
  }

  /**
   * Asks the upstream watch for progress now, and again every PROGRESS_RETRY_MS while anyone
   * waits: etcd answers only once its watcher has caught up, dropping earlier requests.
   */
  private askProgress(): void {
    if (this.progressTimer || !this.progress) return;
    this.progress.requestProgress();
    this.progressTimer = setInterval(() => this.progress?.requestProgress(), PROGRESS_RETRY_MS);
    this.progressTimer.unref();
  }

  private stopAskingProgress(): void {
    clearInterval(this.progressTimer);
    this.progressTimer = undefined;
  }

  /** Resolves the freshness waiters the cache now satisfies (all of them with false when `ok` is false). */
  private settleFreshWaiters(ok: boolean): void {
    for (const w of [...this.freshWaiters]) {
      if (!ok) w.done(false);
      else if (this.rev >= w.rev) w.done(true);
    }
  }

  /** After an upstream failure: not ready, and every client watch ends with ResourceVersionTooOld. */
  private reset(err: unknown): void {
    this.ready = false;
    this.settleFreshWaiters(false);
    const why = err instanceof Error ? err.message : String(err);
    const gone = new StorageError('ResourceVersionTooOld', this.prefix,
      `too old resource version: the watch cache of ${this.prefix} lost its upstream watch (${why}); list again`,
      { oldestRevision: this.rev + 1 });
    for (const w of [...this.watchers]) w.fail(gone);
  }
}
