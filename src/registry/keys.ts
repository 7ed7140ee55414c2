import type { KubeObject } from '../apimachinery/types.ts';
import type { Resource } from '../resource/define-resource.ts';

/**
 * The storage key layout of one stored resource, owned by its store (GenericStore.keys) and
 * handed to the watch cache, so that nothing else re-derives it:
 * `/<group>/<plural>/<namespace>/<name>` for namespaced resources, `/<group>/<plural>/<name>`
 * for cluster-scoped ones. Prefixes end with `/`.
 */
export interface ResourceKeys {
  /** The prefix of every object of the resource, or of one namespace when `namespace` is given. */
  prefix(namespace?: string): string;
  /** The key of one object. */
  key(namespace: string | undefined, name: string): string;
  /** The key of `obj` (from its metadata), for caches (kube's cacher KeyFunc). */
  keyOf(obj: KubeObject): string;
  /** The namespace and name of a key (the inverse of `key`), or of a prefix (name ''). */
  parse(keyOrPrefix: string): { namespace: string | undefined; name: string };
}

/** The key layout of `resource`; see ResourceKeys. */
export function resourceKeys(resource: Pick<Resource, 'group' | 'plural' | 'namespaced'>): ResourceKeys {
  const base = `/${resource.group}/${resource.plural}/`;
  const key = (namespace: string | undefined, name: string) => (resource.namespaced ? `${base}${namespace}/${name}` : `${base}${name}`);
  return {
    prefix: (namespace) => (resource.namespaced && namespace ? `${base}${namespace}/` : base),
    key,
    keyOf: (obj) => key(obj.metadata.namespace, obj.metadata.name ?? ''),
    parse: (keyOrPrefix) => {
      const rest = keyOrPrefix.startsWith(base) ? keyOrPrefix.slice(base.length).split('/') : [];
      if (!resource.namespaced) return { namespace: undefined, name: rest[0] ?? '' };
      return { namespace: rest[0] || undefined, name: rest[1] ?? '' };
    },
  };
}
