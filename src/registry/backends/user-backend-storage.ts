import type { KubeObject, WatchEvent } from '../../apimachinery/types.ts';
import { isStatusError } from '../../errors/status-error.ts';
import type { ResourceBackend } from '../../resource/user-code.ts';
import { keyNotFound } from '../../storage/errors.ts';
import type { DeleteOptions, ListOptions, ListResult, Storage, WatchOptions } from '../../storage/interface.ts';
import type { ResourceKeys } from '../keys.ts';
import { deepCopy } from '../../apimachinery/deep-copy.ts';

const MAX_ATTEMPTS = 5;

/**
 * The Storage contract over a user's ResourceBackend (custom storage in another system), so that
 * the generic store's semantics apply unchanged: reads go to the backend, an update re-reads and
 * retries when the backend refuses a stale resourceVersion (as storage's guaranteedUpdate does),
 * selectors are applied here. Lists are not paged (every object at once, as kube-apiserver allows).
 */
export class UserBackendStorage implements Storage {
  constructor(private readonly backend: ResourceBackend, private readonly keys: ResourceKeys) {}

  async create(_key: string, obj: KubeObject): Promise<KubeObject> {
    return this.backend.create!(deepCopy(obj));
  }

  async get(key: string): Promise<KubeObject> {
    const found = await this.backend.get(this.keys.parse(key));
    if (!found) throw keyNotFound(key);
    return deepCopy(found);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const listed = await this.backend.list(this.keys.parse(prefix).namespace);
    const items = listed.items.map((o) => deepCopy(o)).filter((o) => !opts.predicate || opts.predicate(o))
      .sort((a, b) => this.keys.keyOf(a).localeCompare(this.keys.keyOf(b)));
    return { items, resourceVersion: collectionVersion(listed.resourceVersion, listed.items) };
  }

  async guaranteedUpdate(key: string, tryUpdate: (current: KubeObject | null) => KubeObject | Promise<KubeObject>): Promise<KubeObject> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(key);
      const next = await tryUpdate(deepCopy(current));
      if (sameIgnoringVersion(current, next)) return current;
      next.metadata.resourceVersion = current.metadata.resourceVersion;
      try {
        return await this.backend.update!(next);
      } catch (err) {
        if (!isStatusError(err, 'Conflict') || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(key);
      await opts.validateDeletion?.(current);
      try {
        return await this.backend.delete!({ ...this.keys.parse(key), resourceVersion: current.metadata.resourceVersion ?? '' });
      } catch (err) {
        if (!isStatusError(err, 'Conflict') || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  async *watch(prefixOrKey: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    const { namespace, name } = this.keys.parse(prefixOrKey);
    for await (const event of this.backend.watch!({ namespace, fromResourceVersion: opts.fromRevision, signal: opts.signal })) {
      if (!name || event.object.metadata.name === name) yield event;
    }
  }

  async currentRevision(): Promise<number> {
    const listed = await this.backend.list(undefined);
    return collectionVersion(listed.resourceVersion, listed.items);
  }

  async count(prefix: string): Promise<number> {
    return (await this.backend.list(this.keys.parse(prefix).namespace)).items.length;
  }

  async close(): Promise<void> {}
}

/** The list's own version, else the newest object version (0 for an empty collection). */
function collectionVersion(version: string | undefined, items: KubeObject[]): number {
  if (version !== undefined && /^\d+$/.test(version)) return Number(version);
  return items.reduce((max, o) => Math.max(max, Number(o.metadata.resourceVersion ?? 0) || 0), 0);
}

function sameIgnoringVersion(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return strip(a) === strip(b);
}
