import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../apimachinery/types.ts';
import { serviceUnavailable } from '../../errors/status-error.ts';
import type { Resource } from '../../resource/define-resource.ts';
import { storageApiVersion } from '../../resource/versions.ts';
import type { ComputedSource } from '../../resource/user-code.ts';
import type { Storage } from '../../storage/interface.ts';
import { createMemoryStorage } from '../../storage/memory.ts';
import type { ResourceKeys } from '../keys.ts';
import { nowTimestamp } from '../object-meta.ts';
import { deepCopy } from '../../apimachinery/deep-copy.ts';

const DEFAULT_INTERVAL_MS = 2000;

/**
 * The materialised view of a computed resource: snapshots of the user's source written into a
 * private in-memory storage, so that every change gets a resourceVersion and watch events (and
 * so selectors, paging, watch from a resourceVersion and bookmarks work as for stored objects).
 * Snapshots start with the first request and stop on close; a failing snapshot keeps the last view.
 */
export class ComputedView {
  readonly storage: Storage;
  private started: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly stop = new AbortController();

  constructor(private readonly resource: Resource, private readonly source: ComputedSource, private readonly keys: ResourceKeys,
    private readonly log: (msg: string) => void = (m) => console.error(m)) {
    this.storage = createMemoryStorage({ historyRevisions: 1000 });
  }

  /** Resolves once the first snapshot is in (taking it on the first call); 503 if it failed. */
  ready(): Promise<void> {
    this.started ??= this.refresh().then(() => {
      this.timer = setInterval(() => { void this.refresh().catch((err) => this.log(`${this.resource.plural}: snapshot failed: ${(err as Error).message}`)); }, this.source.intervalMs ?? DEFAULT_INTERVAL_MS);
      this.timer.unref();
    });
    return this.started.catch((err) => {
      this.started = undefined;
      throw serviceUnavailable(`the source of ${this.resource.plural}.${this.resource.group} is unavailable: ${(err as Error).message}`);
    });
  }

  /** Stops taking snapshots. */
  close(): void {
    clearInterval(this.timer);
    this.stop.abort();
  }

  /** Takes one snapshot and writes the differences (create, update, delete) into the view. */
  async refresh(): Promise<void> {
    const objects = await this.source.snapshot(this.stop.signal);
    const seen = new Set<string>();
    for (const input of objects) {
      const obj = this.normalize(input);
      const key = this.keys.keyOf(obj);
      seen.add(key);
      await this.storage.guaranteedUpdate(key, (current) => this.merge(obj, current), { ignoreNotFound: true });
    }
    for (const stale of (await this.storage.list(this.keys.prefix())).items) {
      const key = this.keys.keyOf(stale);
      if (!seen.has(key)) await this.storage.delete(key).catch(() => undefined);
    }
  }

  private normalize(input: KubeObject): KubeObject {
    const obj = deepCopy(input);
    obj.apiVersion = storageApiVersion(this.resource);
    obj.kind = this.resource.kind;
    obj.metadata ??= {};
    if (!this.resource.namespaced) delete obj.metadata.namespace;
    delete obj.metadata.resourceVersion;
    return obj;
  }

  private merge(obj: KubeObject, current: KubeObject | null): KubeObject {
    const next = deepCopy(obj);
    next.metadata.uid = current?.metadata.uid ?? obj.metadata.uid ?? randomUUID();
    next.metadata.creationTimestamp = obj.metadata.creationTimestamp ?? current?.metadata.creationTimestamp ?? nowTimestamp();
    return next;
  }
}
