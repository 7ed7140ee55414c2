import type { ApiResource } from '../rest/api-resource.ts';
import { compareKubeVersions, servedVersions } from '../resource/versions.ts';

/**
 * The path segment of the stored-versions report, under every served group version:
 * `GET /apis/<group>/<version>/storedversions.extapi.dev` (a dot keeps it apart from any
 * resource's plural; authorized as the `list` verb on that resource name, through the aggregator too).
 */
export const STORED_VERSIONS_RESOURCE = 'storedversions.extapi.dev';

/** What storage holds of one resource, as a CRD's status.storedVersions tells it, with exact counts. */
export interface ResourceStoredVersions {
  resource: string;
  kind: string;
  /** Where writes go. */
  storageVersion: string;
  /** Versions of the API (served: true). */
  servedVersions: string[];
  /** Every declared version (served or not): the ones objects can be read from. */
  declaredVersions: string[];
  /** Versions objects are stored in now, plus the storage version; in Kubernetes version order. */
  storedVersions: string[];
  /** Objects per stored version. */
  objects: Record<string, number>;
}

/** The answer of the stored-versions path. */
export interface StoredVersionsReport {
  kind: 'StoredVersionsReport';
  apiVersion: 'extapi.dev/v1';
  group: string;
  resources: ResourceStoredVersions[];
}

/**
 * The stored-versions report of `group`: for each resource extapi stores (not custom backends or
 * computed views), the versions objects are stored in, counted by reading storage as stored
 * (one paged scan per resource, at request time: exact rather than recorded).
 */
export async function storedVersionsReport(group: string, resources: readonly ApiResource[]): Promise<StoredVersionsReport> {
  const out: ResourceStoredVersions[] = [];
  for (const api of resources) {
    if (api.resource.group !== group || !api.storedVersions) continue;
    const { resource } = api;
    const objects = await api.storedVersions();
    out.push({
      resource: resource.plural, kind: resource.kind, storageVersion: resource.storageVersion,
      servedVersions: servedVersions(resource).map((v) => v.name),
      declaredVersions: resource.versions.map((v) => v.name),
      storedVersions: [...new Set([...Object.keys(objects), resource.storageVersion])].sort(compareKubeVersions),
      objects,
    });
  }
  return { kind: 'StoredVersionsReport', apiVersion: 'extapi.dev/v1', group, resources: out };
}
