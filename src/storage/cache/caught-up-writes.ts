import type { KubeObject, WatchEvent } from '../../apimachinery/types.ts';
import type { DeleteOptions, ListOptions, ListResult, UpdateOptions, WatchOptions } from '../interface.ts';
import type { CachedStorage } from './watch-cache.ts';

/**
 * For tests (the conformance suite behind a watch cache): a CachedStorage whose writes return
 * only once the cache of the written resource has applied them. A watch cache follows its
 * backend asynchronously, like kube-apiserver's cacher, so right after a write a watch from an
 * old revision may still find that revision in a ring that has not yet evicted it (the cache
 * then serves it, correctly, where the backend would answer ResourceVersionTooOld). Waiting for
 * the cache after each write removes that race without changing what the cache serves.
 * Resources without a ready cache are not waited for.
 */
export function withCaughtUpWrites(cached: CachedStorage, timeoutMs = 5000): CachedStorage {
  return new CaughtUpWrites(cached, timeoutMs);
}

class CaughtUpWrites implements CachedStorage {
  constructor(private readonly cached: CachedStorage, private readonly timeoutMs: number) {}

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    return this.caughtUp(key, await this.cached.create(key, obj));
  }

  async guaranteedUpdate(key: string, tryUpdate: (current: KubeObject | null) => KubeObject | Promise<KubeObject>,
    opts?: UpdateOptions): Promise<KubeObject> {
    return this.caughtUp(key, await this.cached.guaranteedUpdate(key, tryUpdate, opts));
  }

  async delete(key: string, opts?: DeleteOptions): Promise<KubeObject> {
    return this.caughtUp(key, await this.cached.delete(key, opts));
  }

  get(key: string): Promise<KubeObject> {
    return this.cached.get(key);
  }

  list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    return this.cached.list(prefix, opts);
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    return this.cached.watch(prefix, opts);
  }

  currentRevision(): Promise<number> {
    return this.cached.currentRevision();
  }

  count(prefix: string): Promise<number> {
    return this.cached.count(prefix);
  }

  close(): Promise<void> {
    return this.cached.close();
  }

  watcherCount(): number {
    return this.cached.watcherCount();
  }

  warm(prefix: string, signal?: AbortSignal): Promise<void> {
    return this.cached.warm(prefix, signal);
  }

  cachedRevision(prefixOrKey: string): number | undefined {
    return this.cached.cachedRevision(prefixOrKey);
  }

  /** Waits until the cache of `key`'s resource reflects `written`'s revision; returns `written`. */
  private async caughtUp(key: string, written: KubeObject): Promise<KubeObject> {
    const rev = Number(written.metadata.resourceVersion);
    const deadline = Date.now() + this.timeoutMs;
    for (let spins = 0; ; spins++) {
      const cachedRev = this.cached.cachedRevision(key);
      if (cachedRev === undefined || cachedRev >= rev) return written;
      if (Date.now() > deadline) throw new Error(`the watch cache of ${key} did not reach revision ${rev} (at ${cachedRev})`);
      // In-process backends deliver within a few turns of the event loop; network ones take I/O.
      await new Promise((resolve) => (spins < 20 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
  }
}
