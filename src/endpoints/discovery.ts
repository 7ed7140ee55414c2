import { createHash } from 'node:crypto';
import type { ApiResource } from '../rest/api-resource.ts';
import { verbsOf } from '../rest/verbs.ts';
import { compareKubeVersions, servedVersions } from '../resource/versions.ts';

/** The media type of aggregated discovery v2 (and its v2beta1 predecessor). */
export const AGGREGATED_DISCOVERY_TYPES = {
  v2: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  v2beta1: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
} as const;

/** base64(sha256("group/version/kind")[0:8]), as kube-apiserver computes storageVersionHash. */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

/**
 * The discovery view of a server's resources, grouped by API group: each resource and
 * subresource with exactly the verbs its REST object implements.
 */
export class DiscoveryIndex {
  private readonly groups = new Map<string, Map<string, ApiResource[]>>();

  constructor(resources: ApiResource[]) {
    for (const r of resources) {
      const versions = this.groups.get(r.resource.group) ?? new Map<string, ApiResource[]>();
      for (const v of servedVersions(r.resource)) versions.set(v.name, [...(versions.get(v.name) ?? []), r]);
      this.groups.set(r.resource.group, versions);
    }
  }

  /** Groups in name order. */
  groupNames(): string[] { return [...this.groups.keys()].sort(); }

  /** Versions of a group, preferred first; empty when the group is not served. */
  versionsOf(group: string): string[] {
    return [...(this.groups.get(group)?.keys() ?? [])].sort(compareKubeVersions);
  }

  /** Resources served in group/version. */
  resourcesOf(group: string, version: string): ApiResource[] {
    return this.groups.get(group)?.get(version) ?? [];
  }

  /** metav1.APIGroup. */
  apiGroup(group: string) {
    const versions = this.versionsOf(group).map((version) => ({ groupVersion: `${group}/${version}`, version }));
    return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions, preferredVersion: versions[0] };
  }

  /** metav1.APIGroupList. */
  apiGroupList() {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groupNames().map((g) => { const { kind: _k, apiVersion: _a, ...rest } = this.apiGroup(g); return rest; }) };
  }

  /** metav1.APIResourceList of group/version, with a `<plural>/<subresource>` entry per subresource. */
  apiResourceList(group: string, version: string) {
    const resources = this.resourcesOf(group, version).flatMap(({ resource: r, rest, subresources }) => {
      const entry: Record<string, unknown> = {
        name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: verbsOf(rest),
      };
      if (r.shortNames.length) entry.shortNames = r.shortNames;
      if (r.categories.length) entry.categories = r.categories;
      if (r.storageVersion) entry.storageVersionHash = storageVersionHash(r.group, r.storageVersion, r.kind);
      const list = [entry];
      for (const [name, sub] of subresources) {
        const kind = sub.kind ? { group: sub.kind.group, version: sub.kind.version, kind: sub.kind.kind } : { kind: r.kind };
        list.push({ name: `${r.plural}/${name}`, singularName: '', namespaced: r.namespaced, ...kind, verbs: verbsOf(sub) });
      }
      return list;
    });
    resources.sort((a, b) => String(a.name).localeCompare(String(b.name)));
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources };
  }

  /** apidiscovery.k8s.io/v2 (or v2beta1) APIGroupDiscoveryList of every group. */
  aggregated(apiVersion: 'v2' | 'v2beta1') {
    const items = this.groupNames().map((group) => ({
      metadata: { name: group },
      versions: this.versionsOf(group).map((version) => ({
        version,
        resources: this.resourcesOf(group, version).map((r) => aggregatedResource(r, version))
          .sort((a, b) => a.resource.localeCompare(b.resource)),
        freshness: 'Current',
      })),
    }));
    return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {}, items };
  }
}

function aggregatedResource({ resource: r, rest, subresources }: ApiResource, version: string) {
  const entry: Record<string, unknown> & { resource: string } = {
    resource: r.plural,
    responseKind: { group: r.group, version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: verbsOf(rest),
  };
  if (r.shortNames.length) entry.shortNames = r.shortNames;
  if (r.categories.length) entry.categories = r.categories;
  if (subresources.size > 0) {
    entry.subresources = [...subresources].map(([name, sub]) => ({
      subresource: name,
      responseKind: sub.kind ? { group: sub.kind.group, version: sub.kind.version, kind: sub.kind.kind } : { group: r.group, version, kind: r.kind },
      verbs: verbsOf(sub),
    }));
  }
  return entry;
}
