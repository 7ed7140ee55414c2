import type { KubeObject } from '../apimachinery/types.ts';
import type { Resource, VersionDefinition } from '../resource/define-resource.ts';

/**
 * `resource` as it was declared when `storageVersion` was its storage version (for tests of a
 * storage-version change: write with one, restart with the other). Conversions go through the
 * declared hub (version → hub → new storage version). The strategy is dropped: its hooks are
 * written against the declared storage version's shape.
 */
export function withStorageVersion(resource: Resource, storageVersion: string): Resource {
  const hub = resource.versions.find((v) => v.name === storageVersion);
  if (!hub) throw new Error(`${resource.plural} has no version ${storageVersion}`);
  const fromHub = (v: VersionDefinition<any>) => (obj: KubeObject) => (v.fromStorage ? v.fromStorage(obj) : obj);
  const toHub = (v: VersionDefinition<any>) => (obj: KubeObject) => (v.toStorage ? v.toStorage(obj) : obj);
  const versions = resource.versions.map((v): VersionDefinition<any> => {
    if (v.name === storageVersion) return { ...v, storage: true, toStorage: undefined, fromStorage: undefined };
    return {
      ...v, storage: false,
      toStorage: (obj: KubeObject) => fromHub(hub)(toHub(v)(obj)),
      fromStorage: (obj: KubeObject) => fromHub(v)(toHub(hub)(obj)),
    };
  });
  return { ...resource, versions, storageVersion, strategy: {} };
}
