import type { Resource } from '../resource/define-resource.ts';

/**
 * Storage key layout: `/<group>/<plural>/<namespace>/<name>` for namespaced resources,
 * `/<group>/<plural>/<name>` for cluster-scoped ones. Prefixes end with `/`.
 */
export function objectKey(resource: Resource, namespace: string | undefined, name: string): string {
  return resource.namespaced ? `/${resource.group}/${resource.plural}/${namespace}/${name}` : `/${resource.group}/${resource.plural}/${name}`;
}

/** The prefix of every object of `resource`, or of one namespace when `namespace` is given. */
export function listPrefix(resource: Resource, namespace?: string): string {
  const base = `/${resource.group}/${resource.plural}/`;
  return resource.namespaced && namespace ? `${base}${namespace}/` : base;
}
