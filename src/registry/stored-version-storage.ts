import type { KubeObject, WatchEvent } from '../apimachinery/types.ts';
import type { Resource } from '../resource/define-resource.ts';
import { storageApiVersion } from '../resource/versions.ts';
import { mapWatchEvents } from '../storage/watch-map.ts';
import { deepCopy } from '../apimachinery/deep-copy.ts';
import {
  StorageError, type DeleteOptions, type ListOptions, type ListResult, type Storage, type UpdateOptions, type WatchOptions,
} from '../storage/interface.ts';

/**
 * The storage-version object of `stored`, an object as a backend holds it: stored objects carry
 * the apiVersion they were written in, which need not be today's storage version (the
 * storage version moved forward since). An object of another version of the resource is
 * converted through that version's `toStorage`; an object of a version the resource no longer
 * declares (or without apiVersion) is our fault, a StorageError('Internal') that says so (500).
 * `stored` is never modified (reads may come from a shared cache); only a converted object is a copy.
 */
export function decodeStoredObject(resource: Resource, key: string, stored: KubeObject): KubeObject {
  const apiVersion = storageApiVersion(resource);
  if (stored.apiVersion === apiVersion) return stored;
  const version = resource.versions.find((v) => `${resource.group}/${v.name}` === stored.apiVersion);
  if (!version?.toStorage) {
    const found = typeof stored.apiVersion === 'string' && stored.apiVersion !== '' ? `version ${stored.apiVersion}` : 'no apiVersion';
    throw new StorageError('Internal', key, `the ${resource.kind} stored at ${key} is in ${found}, which this server no longer `
      + `declares (known versions: ${resource.versions.map((v) => v.name).join(', ')}); declare that version again `
      + '(served: false keeps it out of the API) so that it can be read and migrated');
  }
  const converted = version.toStorage(deepCopy(stored));
  converted.apiVersion = apiVersion;
  converted.kind = resource.kind;
  return converted;
}

/**
 * The Storage of one resource, seen in its current storage version: every object read (get, list,
 * watch, the current object handed to an update, a deletion's last state) is decoded from the
 * version it was stored in (decodeStoredObject). Writes pass through unchanged: the generic store
 * writes storage-version objects, so an update re-stores an old object in today's storage version
 * (an update that changes nothing still rewrites it, since its stored form differs).
 */
export class StoredVersionStorage implements Storage {
  constructor(private readonly storage: Storage, private readonly resource: Resource) {}

  /**
   * How many objects under `prefix` are stored in each version (by version name; an apiVersion
   * outside the resource's group is counted under itself), read page by page from the backend as
   * stored, at one revision.
   */
  async countStoredVersions(prefix: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    let next: string | undefined;
    do {
      const page = await this.storage.list(prefix, { limit: 500, continue: next });
      for (const obj of page.items) {
        const apiVersion = typeof obj.apiVersion === 'string' && obj.apiVersion !== '' ? obj.apiVersion : '(none)';
        const name = apiVersion.startsWith(`${this.resource.group}/`) ? apiVersion.slice(this.resource.group.length + 1) : apiVersion;
        counts[name] = (counts[name] ?? 0) + 1;
      }
      next = page.continue;
    } while (next);
    return counts;
  }

  private decode(key: string, obj: KubeObject): KubeObject {
    return decodeStoredObject(this.resource, key, obj);
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    return this.decode(key, await this.storage.create(key, obj));
  }

  async get(key: string): Promise<KubeObject> {
    return this.decode(key, await this.storage.get(key));
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const { predicate } = opts;
    const decoded = new Map<KubeObject, KubeObject>();
    const decodeOnce = (obj: KubeObject) => {
      let out = decoded.get(obj);
      if (!out) { out = this.decode(prefix, obj); decoded.set(obj, out); }
      return out;
    };
    const result = await this.storage.list(prefix, predicate ? { ...opts, predicate: (obj) => predicate(decodeOnce(obj)) } : opts);
    if (result.encoded?.apiVersion === storageApiVersion(this.resource)) return result;
    const { encoded: _stale, ...rest } = result;
    return { ...rest, items: result.items.map((obj) => decoded.get(obj) ?? this.decode(prefix, obj)) };
  }

  guaranteedUpdate(key: string, tryUpdate: (current: KubeObject | null) => KubeObject | Promise<KubeObject>, opts?: UpdateOptions): Promise<KubeObject> {
    return this.storage.guaranteedUpdate(key, (current) => tryUpdate(current && this.decode(key, current)), opts)
      .then((obj) => this.decode(key, obj));
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    const { validateDeletion } = opts;
    const withDecoded = validateDeletion ? { ...opts, validateDeletion: (current: KubeObject) => validateDeletion(this.decode(key, current)) } : opts;
    return this.decode(key, await this.storage.delete(key, withDecoded));
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    return mapWatchEvents(this.storage.watch(prefix, opts), (event) => {
      const object = this.decode(prefix, event.object);
      return object === event.object ? event : { ...event, object };
    });
  }

  currentRevision(): Promise<number> {
    return this.storage.currentRevision();
  }

  count(prefix: string): Promise<number> {
    return this.storage.count(prefix);
  }

  async healthCheck(): Promise<void> {
    await this.storage.healthCheck?.();
  }

  close(): Promise<void> {
    return this.storage.close();
  }
}
