/**
 * A typed client for one resource defined with defineResource, for controllers written in
 * TypeScript against the aggregated API: every call goes to kube-apiserver (which proxies it to
 * the extension server) with the credentials of a `@kubernetes/client-node` KubeConfig.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject, Status } from '../apimachinery/types.ts';
import { KubeApiError, kubeClientFromConfig, type KubeClient } from '../kube/client.ts';
import type { Resource } from '../resource/define-resource.ts';

/** A list of objects as the API returns it. */
export interface ObjectList<T> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** Selects objects: namespace (omit for all namespaces, or for a cluster-scoped resource), label and field selectors. */
export interface SelectOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** One page of a list. */
export interface ListOptions extends SelectOptions {
  /** Page size; the list's `metadata.continue` then fetches the next page. */
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

/** Options of writes. */
export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

/** Options of server-side apply. kube-apiserver requires the field manager for apply. */
export interface ApplyOptions {
  /** The owner of the fields this apply sets (`managedFields[].manager`). */
  fieldManager: string;
  /** Take over fields another manager owns instead of failing with 409 Conflict. */
  force?: boolean;
  dryRun?: boolean;
}

/** Every field optional, at any depth (arrays keep their element type, partial too). */
export type DeepPartial<T> = T extends readonly (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/**
 * What server-side apply takes: the fields this manager wants set (any subset of the object's
 * type), with the object's identity (apiVersion, kind, metadata.name) required.
 */
export type ApplyConfiguration<T extends KubeObject> = DeepPartial<T> & {
  apiVersion: string;
  kind: string;
  metadata: DeepPartial<T['metadata']> & { name: string; namespace?: string };
};

const APPLY_CONTENT_TYPE = 'application/apply-patch+yaml';

/** The three patch types: JSON patch (RFC 6902), JSON merge patch (RFC 7386), strategic merge patch. */
export type PatchType = 'json' | 'merge' | 'strategic';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** One watch event with its object typed. */
export interface TypedWatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: T;
}

/** Options of {@link ResourceClient.watch}. */
export interface WatchOptions extends SelectOptions {
  /** Start after this resourceVersion; without it the watch lists first and delivers every object as ADDED. */
  resourceVersion?: string;
  /** Stops the watch; `watch` then resolves. */
  signal: AbortSignal;
  /**
   * Called when the resourceVersion to resume from has expired (410 Gone): the objects were
   * listed again, and the watch continues from that list. Events in between are not delivered.
   */
  onRelist?: (list: ObjectList<KubeObject>) => void;
}

/** Typed calls on one resource at one version (default: its storage version). */
export interface ResourceClient<T extends KubeObject> {
  get(name: string, namespace?: string): Promise<T>;
  /** One page (give `limit`/`continue` to page). */
  list(opts?: ListOptions): Promise<ObjectList<T>>;
  /** Every object, fetched `pageSize` at a time following `continue` tokens. */
  listAll(opts?: SelectOptions & { pageSize?: number }): AsyncIterable<T>;
  create(obj: T, opts?: WriteOptions): Promise<T>;
  /** Replaces the object (PUT); `metadata.resourceVersion` makes it conditional (409 Conflict when stale). */
  update(obj: T, opts?: WriteOptions): Promise<T>;
  patch(name: string, type: PatchType, patch: unknown, opts?: WriteOptions & { namespace?: string }): Promise<T>;
  /**
   * Server-side apply (PATCH `application/apply-patch+yaml`): creates the object or sets the
   * fields of `config`, owned by `opts.fieldManager`; a field another manager owns is a 409
   * Conflict unless `opts.force`.
   */
  apply(config: ApplyConfiguration<T>, opts: ApplyOptions): Promise<T>;
  /** Deletes; resolves with the deleted object (or the Status the server answers). */
  delete(name: string, opts?: { namespace?: string; preconditions?: { uid?: string; resourceVersion?: string } }): Promise<T | Status>;
  getStatus(name: string, namespace?: string): Promise<T>;
  updateStatus(obj: T, opts?: WriteOptions): Promise<T>;
  patchStatus(name: string, type: PatchType, patch: unknown, opts?: WriteOptions & { namespace?: string }): Promise<T>;
  /** Server-side apply of the status subresource (only `.status` of `config` is applied). */
  applyStatus(config: ApplyConfiguration<T>, opts: ApplyOptions): Promise<T>;
  /**
   * Watches until `opts.signal` aborts: resumes from the last resourceVersion seen (bookmarks
   * on) when the server ends the stream, and relists on 410 Gone. Resolves when aborted;
   * rejects on any other error (403, 404, ...).
   */
  watch(opts: WatchOptions, onEvent: (event: TypedWatchEvent<T>) => void): Promise<void>;
}

/** The object type of a resource made by defineResource (`ObjectOfResource<typeof widgets>`). */
export type ObjectOfResource<R> = R extends Resource<infer T> ? T : never;

/** The HTTP status of an expired resourceVersion. */
const GONE = 410;

/**
 * A typed client for `resource` on the cluster of `kubeconfig` (its current context).
 * @example
 * const kc = new KubeConfig(); kc.loadFromDefault();
 * const widgets = resourceClient(kc, widgetResource);
 * const w = await widgets.get('one', 'default'); // typed by widgetResource's schema
 */
export function resourceClient<T extends KubeObject>(kubeconfig: KubeConfig, resource: Resource<T>, opts: { version?: string } = {}): ResourceClient<T> {
  const client = kubeClientFromConfig(kubeconfig);
  const version = opts.version ?? resource.storageVersion;
  if (!resource.versions.some((v) => v.name === version)) throw new Error(`${resource.plural} has no version ${version}`);
  const base = `/apis/${resource.group}/${version}`;
  const collection = (namespace?: string): string => {
    if (resource.namespaced && namespace) return `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`;
    return `${base}/${resource.plural}`;
  };
  const item = (name: string, namespace?: string): string => {
    if (resource.namespaced && !namespace) throw new Error(`${resource.plural} are namespaced: give the namespace of ${name}`);
    return `${collection(namespace)}/${encodeURIComponent(name)}`;
  };
  const writeQuery = (o: WriteOptions = {}) => ({ dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager });
  const applyTo = (path: string, config: ApplyConfiguration<T>, o: ApplyOptions): Promise<T> => client.request('PATCH', path, {
    body: JSON.stringify(config), contentType: APPLY_CONTENT_TYPE, query: { ...writeQuery(o), force: o.force ? 'true' : undefined },
  });
  const typed: ResourceClient<T> = {
    get: (name, namespace) => client.request('GET', item(name, namespace)),
    list: (o = {}) => client.request('GET', collection(o.namespace), { query: selectQuery(o) }),
    async *listAll(o = {}) {
      let token: string | undefined;
      do {
        const page: ObjectList<T> = await typed.list({ ...o, limit: o.pageSize ?? 500, continue: token });
        yield* page.items;
        token = page.metadata.continue || undefined;
      } while (token);
    },
    create: (obj, o) => client.request('POST', collection(obj.metadata.namespace), { body: obj, query: writeQuery(o) }),
    update: (obj, o) => client.request('PUT', item(obj.metadata.name ?? '', obj.metadata.namespace), { body: obj, query: writeQuery(o) }),
    patch: (name, type, patch, o = {}) => client.request('PATCH', item(name, o.namespace), { body: patch, contentType: PATCH_CONTENT_TYPES[type], query: writeQuery(o) }),
    apply: (config, o) => applyTo(item(config.metadata.name, config.metadata.namespace), config, o),
    delete: (name, o = {}) => client.request('DELETE', item(name, o.namespace), {
      body: o.preconditions ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: o.preconditions } : undefined,
    }),
    getStatus: (name, namespace) => client.request('GET', `${item(name, namespace)}/status`),
    updateStatus: (obj, o) => client.request('PUT', `${item(obj.metadata.name ?? '', obj.metadata.namespace)}/status`, { body: obj, query: writeQuery(o) }),
    patchStatus: (name, type, patch, o = {}) => client.request('PATCH', `${item(name, o.namespace)}/status`, { body: patch, contentType: PATCH_CONTENT_TYPES[type], query: writeQuery(o) }),
    applyStatus: (config, o) => applyTo(`${item(config.metadata.name, config.metadata.namespace)}/status`, config, o),
    watch: (o, onEvent) => watchLoop(client, collection(o.namespace), o, (o2) => typed.list(o2), onEvent),
  };
  return typed;
}

function selectQuery(o: ListOptions): Record<string, string | undefined> {
  return {
    labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit === undefined ? undefined : String(o.limit),
    continue: o.continue, resourceVersion: o.resourceVersion,
  };
}

/** The watch with resume and relist (see {@link ResourceClient.watch}). */
async function watchLoop<T extends KubeObject>(
  client: KubeClient, path: string, o: WatchOptions, list: (o: ListOptions) => Promise<ObjectList<T>>, onEvent: (e: TypedWatchEvent<T>) => void,
): Promise<void> {
  const select: SelectOptions = { namespace: o.namespace, labelSelector: o.labelSelector, fieldSelector: o.fieldSelector };
  let rv = o.resourceVersion;
  if (rv === undefined) {
    const initial = await list(select);
    for (const object of initial.items) onEvent({ type: 'ADDED', object });
    rv = initial.metadata.resourceVersion;
  }
  while (!o.signal.aborted) {
    let expired = false;
    let failure: KubeApiError | undefined;
    const stream = new AbortController();
    const stop = (): void => stream.abort();
    o.signal.addEventListener('abort', stop, { once: true });
    const query: Record<string, string> = { allowWatchBookmarks: 'true', resourceVersion: rv ?? '' };
    if (select.labelSelector) query.labelSelector = select.labelSelector;
    if (select.fieldSelector) query.fieldSelector = select.fieldSelector;
    try {
      await client.watch(path, query, (event) => {
        if (stream.signal.aborted) return;
        if (event.type === 'ERROR') {
          const status = event.object as Status;
          if (status.code === GONE) expired = true;
          else failure = new KubeApiError(status.code ?? 500, status.message ?? 'watch error', status);
          stream.abort();
          return;
        }
        rv = (event.object as KubeObject).metadata?.resourceVersion ?? rv;
        onEvent(event as TypedWatchEvent<T>);
      }, stream.signal);
    } catch (err) {
      if (!(err instanceof KubeApiError && err.code === GONE)) throw err;
      expired = true;
    } finally {
      o.signal.removeEventListener('abort', stop);
    }
    if (failure) throw failure;
    if (expired && !o.signal.aborted) {
      const relisted = await list(select);
      rv = relisted.metadata.resourceVersion;
      o.onRelist?.(relisted);
    }
  }
}
