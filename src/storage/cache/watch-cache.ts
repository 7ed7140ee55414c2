import type { KubeObject, WatchEvent } from '../../apimachinery/types.ts';
import { keyNotFound, storeClosed } from '../errors.ts';
import type { DeleteOptions, ListOptions, ListResult, Storage, UpdateOptions, WatchOptions } from '../interface.ts';
import { ResourceCache } from './resource-cache.ts';
import { SharedRevisionRead } from './shared-revision-read.ts';
import type { KeyFunc } from './resource-cache.ts';

/** Options of withWatchCache. */
export interface WatchCacheOptions {
  /**
   * Events kept per resource for watches that start in the past (and for slow watchers). A
   * watch from an older revision, or a watcher that falls further behind, gets
   * ResourceVersionTooOld (HTTP 410). Default 1024.
   */
  capacity?: number;
  /**
   * The resource (cache unit) of a watched or listed prefix or key, as a prefix ending in '/',
   * or undefined to pass the request to the backend uncached. Default: the first two segments
   * (`/<group>/<plural>/`) of paths with at least that many, as the registry lays keys out.
   */
  resourcePrefix?: (prefixOrKey: string) => string | undefined;
  /**
   * The Storage key of an object of the resource at `prefix` (kube's cacher KeyFunc). Default:
   * `<prefix><namespace>/<name>`, or `<prefix><name>` without a namespace, as src/registry/keys.ts.
   */
  keyFunc?: KeyFunc;
  /**
   * The resources to cache, each with its key layout as its store owns it (the server passes
   * its stores' keys): only these prefixes are cached, each with its own `keyOf`; every other
   * path passes through. Replaces `resourcePrefix` and `keyFunc` when given.
   */
  resources?: CachedResource[];
  /**
   * How long a consistent list waits for the cache to reach the store's current revision before
   * it goes to the backend instead. Default 1000.
   */
  freshnessTimeoutMs?: number;
}

/** A resource the watch cache serves: its prefix (ending in '/') and the key of each of its objects. */
export interface CachedResource {
  prefix: string;
  keyOf(obj: KubeObject): string;
}

/** A Storage with a watch cache in front; see withWatchCache. */
export interface CachedStorage extends Storage {
  /** Client watches open (cached and passed through). */
  watcherCount(): number;
  /**
   * Starts caching the resource of `prefix` now (e.g. at server start, so that watches from
   * the revisions of later lists are all servable) and resolves once its cache is ready.
   */
  warm(prefix: string, signal?: AbortSignal): Promise<void>;
  /**
   * The revision up to which the cache of the resource of `prefixOrKey` has applied the
   * backend's events (it follows them asynchronously), or undefined when that resource is not
   * cached or its cache is not ready.
   */
  cachedRevision(prefixOrKey: string): number | undefined;
}

/** The default resourcePrefix: `/<a>/<b>/` for prefixes and keys below it, else undefined. */
export function defaultResourcePrefix(prefixOrKey: string): string | undefined {
  const m = /^(\/[^/]+\/[^/]+\/)/.exec(prefixOrKey);
  return m ? m[1] : undefined;
}

/** The default keyFunc; see WatchCacheOptions.keyFunc. */
export function defaultKeyFunc(prefix: string, obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${prefix}${namespace}/${name ?? ''}` : `${prefix}${name ?? ''}`;
}

/**
 * Puts a watch cache in front of `backend` (any Storage), as kube-apiserver's cacher does for
 * etcd: per resource, one upstream watch feeds an in-memory copy of the objects and a bounded
 * ring of recent events (see ResourceCache). Client watches are served from the ring — any
 * number of them costs the backend one watch per resource — and lists with `match: 'Any'`
 * (kube's resourceVersion=0) are answered from memory once the resource's cache is ready (the
 * first one starts the cache and goes to the backend). Consistent lists (resourceVersion unset,
 * or NotOlderThan) are answered from memory too when the backend's watch reports progress (etcd),
 * as kube-apiserver's ConsistentListFromCache: read the store's current revision (one cheap
 * call, shared by concurrent lists: SharedRevisionRead), wait until the cache has reached it, list — the same answer as the backend's at a
 * revision at least as new, and NotOlderThan a future revision still goes to the backend for its
 * ResourceVersionTooLarge. A get is answered the same way (kube-apiserver reads it from etcd: the
 * answer is the same, at a revision at least as new). Everything else — Exact lists, continue
 * pages, writes, count — goes to the backend, as does a read the cache cannot confirm in time. Closing the
 * wrapper closes the backend.
 */
export function withWatchCache(backend: Storage, opts: WatchCacheOptions = {}): CachedStorage {
  return new WatchCachedStorage(backend, opts);
}

class WatchCachedStorage implements CachedStorage {
  private readonly caches = new Map<string, ResourceCache>();
  private readonly capacity: number;
  private readonly resourcePrefix: (prefixOrKey: string) => string | undefined;
  private readonly keyFunc: KeyFunc;
  private readonly freshnessTimeoutMs: number;
  private readonly revisionRead: SharedRevisionRead;
  private passThroughWatches = 0;
  private closed = false;

  constructor(private readonly backend: Storage, opts: WatchCacheOptions) {
    this.capacity = Math.max(1, Math.floor(opts.capacity ?? 1024));
    this.freshnessTimeoutMs = opts.freshnessTimeoutMs ?? 1000;
    this.revisionRead = new SharedRevisionRead(() => backend.currentRevision());
    if (opts.resources) {
      const byPrefix = new Map(opts.resources.map((r) => [r.prefix, r]));
      this.resourcePrefix = (p) => [...byPrefix.keys()].find((prefix) => p.startsWith(prefix));
      this.keyFunc = (prefix, obj) => byPrefix.get(prefix)!.keyOf(obj);
    } else {
      this.resourcePrefix = opts.resourcePrefix ?? defaultResourcePrefix;
      this.keyFunc = opts.keyFunc ?? defaultKeyFunc;
    }
    if (backend.healthCheck) this.healthCheck = () => backend.healthCheck!();
  }

  /** Present when the backend has one; see Storage.healthCheck. */
  healthCheck?: () => Promise<void>;

  create(key: string, obj: KubeObject): Promise<KubeObject> {
    return this.backend.create(key, obj);
  }

  /** Consistent reads from memory when the cache can confirm its freshness; see withWatchCache. */
  async get(key: string): Promise<KubeObject> {
    if (this.closed) throw storeClosed(key);
    const cache = this.cacheFor(key);
    if (!cache?.isReady()) {
      cache?.start();
      return this.backend.get(key);
    }
    if (!(await this.freshFromCache(cache))) return this.backend.get(key);
    const obj = cache.get(key);
    if (!obj) throw keyNotFound(key);
    return obj;
  }

  /** 'Any' and consistent lists (without continue) from memory when the cache can; see withWatchCache. */
  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    if (this.closed) throw storeClosed(prefix);
    if (opts.continue || !prefix.endsWith('/') || opts.match === 'Exact') return this.backend.list(prefix, opts);
    const cache = this.cacheFor(prefix);
    if (!cache?.isReady()) {
      cache?.start();
      return this.backend.list(prefix, opts);
    }
    if (opts.match === 'Any') return cache.list(prefix, opts);
    return (await this.consistentListFromCache(cache, prefix, opts)) ?? this.backend.list(prefix, opts);
  }

  /**
   * A consistent (or NotOlderThan) list from `cache` once it has reached the store's current
   * revision; undefined when the cache cannot confirm that in time, or the request is for a
   * future revision (the backend answers those).
   */
  private async consistentListFromCache(cache: ResourceCache, prefix: string, opts: ListOptions): Promise<ListResult | undefined> {
    const fresh = await this.freshFromCache(cache, opts.resourceVersion);
    return fresh ? cache.list(prefix, opts) : undefined;
  }

  /**
   * True once `cache` has reached the store's current revision, read after this call (so the
   * answer covers every write acknowledged before the request); false when the cache cannot
   * confirm that in time, or `minRevision` is beyond the store's revision (the backend answers).
   */
  private async freshFromCache(cache: ResourceCache, minRevision?: number): Promise<boolean> {
    if (!cache.canConfirmFreshness()) return false;
    const current = await this.revisionRead.current();
    if (minRevision !== undefined && minRevision > current) return false;
    return cache.waitFresh(current, this.freshnessTimeoutMs);
  }

  guaranteedUpdate(key: string, tryUpdate: (current: KubeObject | null) => KubeObject | Promise<KubeObject>,
    opts?: UpdateOptions): Promise<KubeObject> {
    const suggestion = opts?.suggestion ?? this.cacheFor(key)?.stored(key);
    return this.backend.guaranteedUpdate(key, tryUpdate, suggestion ? { ...opts, suggestion } : opts);
  }

  delete(key: string, opts?: DeleteOptions): Promise<KubeObject> {
    return this.backend.delete(key, opts);
  }

  /** From the resource's cache; paths outside any resource go to the backend. */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    if (this.closed) throw storeClosed(prefix);
    const cache = this.cacheFor(prefix);
    if (cache) return cache.watch(prefix, opts.fromRevision, opts.signal);
    return this.passThrough(this.backend.watch(prefix, opts));
  }

  currentRevision(): Promise<number> {
    return this.backend.currentRevision();
  }

  count(prefix: string): Promise<number> {
    return this.backend.count(prefix);
  }

  /** See CachedStorage.warm. */
  async warm(prefix: string, signal?: AbortSignal): Promise<void> {
    const cache = this.cacheFor(prefix);
    if (!cache) throw new Error(`${prefix} is not under a cacheable resource`);
    cache.start();
    if (!(await cache.whenReady(signal)) && !signal?.aborted) throw storeClosed(prefix);
  }

  /** See CachedStorage.cachedRevision. */
  cachedRevision(prefixOrKey: string): number | undefined {
    const resource = this.resourcePrefix(prefixOrKey);
    return resource === undefined ? undefined : this.caches.get(resource)?.revision();
  }

  watcherCount(): number {
    let n = this.passThroughWatches;
    for (const cache of this.caches.values()) n += cache.watcherCount();
    return n;
  }

  /** Stops every cache, then closes the backend; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const cache of this.caches.values()) cache.close();
    await this.backend.close();
  }

  private cacheFor(prefixOrKey: string): ResourceCache | undefined {
    const resource = this.resourcePrefix(prefixOrKey);
    if (resource === undefined || this.closed) return undefined;
    let cache = this.caches.get(resource);
    if (!cache) {
      cache = new ResourceCache(this.backend, resource, this.capacity, this.keyFunc);
      this.caches.set(resource, cache);
    }
    return cache;
  }

  private async *passThrough(events: AsyncIterable<WatchEvent>): AsyncGenerator<WatchEvent, void, undefined> {
    this.passThroughWatches++;
    try {
      yield* events;
    } finally {
      this.passThroughWatches--;
    }
  }
}
