import type { Resource, VersionDefinition } from './define-resource.ts';

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Compares versions as Kubernetes orders them (apimachinery's CompareKubeAwareVersionStrings,
 * reversed for sorting): GA before beta before alpha, higher numbers first, then
 * non-Kubernetes-style names alphabetically. Negative when `a` comes first (has priority).
 */
export function compareKubeVersions(a: string, b: string): number {
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (!ma || !mb) return ma ? -1 : mb ? 1 : a.localeCompare(b);
  const rank = (m: RegExpExecArray) => (m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0);
  if (rank(ma) !== rank(mb)) return rank(mb) - rank(ma);
  if (ma[1] !== mb[1]) return Number(mb[1]) - Number(ma[1]);
  return Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

/** True unless the version declares `served: false` (then it is only read from storage and converted). */
export function isServed(version: VersionDefinition<any>): boolean {
  return version.served !== false;
}

const storageApiVersions = new WeakMap<Resource, { group: string; version: string; apiVersion: string }>();

/**
 * The apiVersion objects of `resource` are stored in (`<group>/<storageVersion>`), built once per
 * resource: reads compare it with every stored object's apiVersion, once per watcher for each
 * watch event.
 */
export function storageApiVersion(resource: Resource): string {
  const known = storageApiVersions.get(resource);
  if (known && known.group === resource.group && known.version === resource.storageVersion) return known.apiVersion;
  const apiVersion = `${resource.group}/${resource.storageVersion}`;
  storageApiVersions.set(resource, { group: resource.group, version: resource.storageVersion, apiVersion });
  return apiVersion;
}

/** The versions of `resource` that the API serves (routes, discovery, OpenAPI), in declaration order. */
export function servedVersions(resource: Resource): VersionDefinition<any>[] {
  return resource.versions.filter(isServed);
}

/**
 * The text of the `Warning: 299` header every request to a deprecated version carries, or
 * undefined when `version` is not deprecated: its own `deprecationWarning`, else the default
 * kube-apiserver sends for a CRD — `<group>/<version> <Kind> is deprecated`, followed by
 * `; use <group>/<newer> <Kind>` naming the highest-priority served, non-deprecated version
 * that has priority over it.
 */
export function deprecationWarning(resource: Resource, version: VersionDefinition<any>): string | undefined {
  if (!version.deprecated) return undefined;
  if (version.deprecationWarning !== undefined) return version.deprecationWarning;
  const text = `${resource.group}/${version.name} ${resource.kind} is deprecated`;
  const replacement = resource.versions
    .filter((v) => isServed(v) && !v.deprecated && compareKubeVersions(v.name, version.name) < 0)
    .map((v) => v.name).sort(compareKubeVersions)[0];
  return replacement ? `${text}; use ${resource.group}/${replacement} ${resource.kind}` : text;
}
