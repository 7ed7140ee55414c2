import type { AdmissionPlugin } from '../admission/types.ts';
import type { Resource } from '../resource/define-resource.ts';
import type { ApiResource } from '../rest/api-resource.ts';
import type { Rest } from '../rest/interfaces.ts';
import { withMembers } from '../rest/verbs.ts';
import type { Storage } from '../storage/interface.ts';
import { ComputedView } from './backends/computed-view.ts';
import { UserBackendStorage } from './backends/user-backend-storage.ts';
import { resourceKeys } from './keys.ts';
import { GenericStore } from './store.ts';
import { StoredVersionStorage } from './stored-version-storage.ts';
import { ScaleRest } from './subresources/scale.ts';
import { StatusRest } from './subresources/status.ts';
import { StreamRest } from './subresources/stream.ts';

/** The REST objects of a server's resources, and what to stop when the server closes. */
export interface BuiltApiResources {
  resources: ApiResource[];
  /** Stops background work (computed resources' snapshots). */
  close(): void;
}

const READ_MEMBERS = ['get', 'list', 'watch', 'currentRevision'] as const;

/**
 * The REST objects of each resource: the generic store over `storage` (or over the user's
 * backend, or over a computed view), and one REST object per declared subresource. A
 * subresource that writes is only writable when the resource itself is.
 */
export function buildApiResources(resources: Resource[], storage: Storage, admission: AdmissionPlugin[] = []): BuiltApiResources {
  const views: ComputedView[] = [];
  const built = resources.map((resource): ApiResource => {
    const { store, rest, storedVersions } = mainRest(resource, storage, admission, views);
    const writable = !!rest.update;
    const subresources = new Map<string, Rest>();
    const limit = (sub: Rest) => (writable ? sub : withMembers(sub, ['get']));
    if (resource.subresources.status) subresources.set('status', limit(new StatusRest(store)));
    if (resource.subresources.scale) subresources.set('scale', limit(new ScaleRest(store, resource.subresources.scale)));
    for (const [name, definition] of Object.entries(resource.subresources.streams)) {
      subresources.set(name, new StreamRest(rest as Rest & Required<Pick<Rest, 'get'>>, definition));
    }
    return { resource, rest, subresources, storedVersions };
  });
  return { resources: built, close: () => { for (const v of views) v.close(); } };
}

function mainRest(resource: Resource, storage: Storage, admission: AdmissionPlugin[], views: ComputedView[]): { store: GenericStore; rest: Rest; storedVersions?: () => Promise<Record<string, number>> } {
  const keys = resourceKeys(resource);
  if (resource.computed) {
    const view = new ComputedView(resource, resource.computed, keys);
    views.push(view);
    const store = new GenericStore(resource, view.storage, admission);
    return { store, rest: afterReady(withMembers(store, READ_MEMBERS), view) };
  }
  if (resource.backend) {
    const { backend } = resource;
    const store = new GenericStore(resource, new UserBackendStorage(backend, keys), admission);
    const members = [
      'get', 'list', ...(backend.watch ? ['watch', 'currentRevision'] as const : []),
      ...(backend.create ? ['create'] as const : []), ...(backend.update ? ['update'] as const : []),
      ...(backend.delete ? ['delete', 'deleteCollection'] as const : []),
    ] satisfies (keyof Rest)[];
    return { store, rest: withMembers(store, members) };
  }
  const stored = new StoredVersionStorage(storage, resource);
  const store = new GenericStore(resource, stored, admission);
  return { store, rest: store, storedVersions: () => stored.countStoredVersions(store.keys.prefix()) };
}

/** `rest` whose reads wait for the computed view's first snapshot. */
function afterReady(rest: Rest, view: ComputedView): Rest {
  const ready = <A extends unknown[], R>(fn: ((...a: A) => Promise<R>) | undefined) => (fn ? async (...a: A) => { await view.ready(); return fn(...a); } : undefined);
  return {
    ...rest,
    get: ready(rest.get), list: ready(rest.list), currentRevision: ready(rest.currentRevision),
    watch: rest.watch && ((namespace, name, opts) => readyThenWatch(view, () => rest.watch!(namespace, name, opts))),
  };
}

async function* readyThenWatch<T>(view: ComputedView, open: () => AsyncIterable<T>): AsyncIterable<T> {
  await view.ready();
  yield* open();
}
