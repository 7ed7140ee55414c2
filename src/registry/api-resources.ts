import type { AdmissionPlugin } from '../admission/types.ts';
import type { Resource } from '../resource/define-resource.ts';
import type { ApiResource } from '../rest/api-resource.ts';
import type { Rest } from '../rest/interfaces.ts';
import type { Storage } from '../storage/interface.ts';
import { GenericStore } from './store.ts';
import { StatusRest } from './subresources/status.ts';

/**
 * The REST objects of each resource: the generic store over `storage` for the resource itself,
 * and one REST object per declared subresource.
 */
export function buildApiResources(resources: Resource[], storage: Storage, admission: AdmissionPlugin[] = []): ApiResource[] {
  return resources.map((resource) => {
    const store = new GenericStore(resource, storage, admission);
    const subresources = new Map<string, Rest>();
    if (resource.subresources.status) subresources.set('status', new StatusRest(store));
    return { resource, rest: store, subresources };
  });
}
