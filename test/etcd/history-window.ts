import type { KubeObject, WatchEvent } from '../../src/apimachinery/types.ts';
import type { EtcdStorage } from '../../src/storage/etcd/etcd-storage.ts';
import type { DeleteOptions, ListOptions, ListResult, Storage, UpdateOptions, WatchOptions } from '../../src/storage/interface.ts';

/**
 * The conformance suite's `historyRevisions` for etcd, which keeps history until compacted:
 * after every write through this wrapper, etcd is compacted to `write revision -
 * historyRevisions`, so exactly the newest `historyRevisions` revisions stay readable. For
 * large windows compaction runs in batches of 1/8 of the window (as the embedded backends do),
 * which no case can observe since none reaches back that far.
 */
export function withHistoryWindow(store: EtcdStorage, historyRevisions: number): Storage & { watcherCount(): number } {
  return new HistoryWindow(store, historyRevisions);
}

class HistoryWindow implements Storage {
  private compacted = 0;
  private readonly batch: number;

  constructor(private readonly store: EtcdStorage, private readonly history: number) {
    this.batch = Math.max(1, Math.floor(history / 8));
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    return this.trim(await this.store.create(key, obj));
  }

  get(key: string): Promise<KubeObject> {
    return this.store.get(key);
  }

  list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    return this.store.list(prefix, opts);
  }

  async guaranteedUpdate(key: string, tryUpdate: (current: KubeObject | null) => KubeObject | Promise<KubeObject>,
    opts?: UpdateOptions): Promise<KubeObject> {
    return this.trim(await this.store.guaranteedUpdate(key, tryUpdate, opts));
  }

  async delete(key: string, opts?: DeleteOptions): Promise<KubeObject> {
    return this.trim(await this.store.delete(key, opts));
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    return this.store.watch(prefix, opts);
  }

  currentRevision(): Promise<number> {
    return this.store.currentRevision();
  }

  count(prefix: string): Promise<number> {
    return this.store.count(prefix);
  }

  healthCheck(): Promise<void> {
    return this.store.healthCheck();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  watcherCount(): number {
    return this.store.watcherCount();
  }

  /** Compacts to `written revision - history` when a batch is due; returns `result`. */
  private async trim(result: KubeObject): Promise<KubeObject> {
    const target = Number(result.metadata.resourceVersion) - this.history;
    if (target - this.compacted >= this.batch) {
      await this.store.compact(target);
      this.compacted = target;
    }
    return result;
  }
}
