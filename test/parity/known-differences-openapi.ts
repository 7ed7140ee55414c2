/** The documented OpenAPI (v2, v3) and `kubectl explain` differences; part of known-differences.ts. */
import type { KnownDifference } from './support/known.ts';

/** OpenAPI differences, most specific first. */
export const OPENAPI_DIFFERENCES: KnownDifference[] = [
  {
    id: 'openapi-deletecollection-parameters', category: 'reported', matches: ['openapi-*:body.paths.*/flunders.delete.parameters', 'openapi-*:body.paths.*/fischers.delete.parameters'],
    summary: 'deletecollection operations list the watch/list parameters (allowWatchBookmarks, watch, ...) in extapi, without the delete options.',
    reason: 'Upstream deletecollection parameters: continue, dryRun, fieldSelector, gracePeriodSeconds, ignoreStoreReadErrorWithClusterBreakingPotential, labelSelector, limit, orphanDependents, pretty, propagationPolicy, resourceVersion, resourceVersionMatch, sendInitialEvents, shardSelector, timeoutSeconds (+ namespace in the path). Fix: DeleteOptions parameters plus the ListOptions ones minus watch/allowWatchBookmarks.',
  },
  {
    id: 'openapi-parameters', category: 'gap', matches: ['openapi-*:body.paths.*.parameters'],
    summary: 'Operations lack parameters upstream documents: pretty everywhere, force on patch, gracePeriodSeconds/orphanDependents/ignoreStoreReadErrorWithClusterBreakingPotential on delete, shardSelector on list.',
    reason: 'extapi documents the parameters it implements; pretty and gracePeriodSeconds are accepted and ignored, shardSelector is 1.36 alpha.',
  },
  {
    id: 'openapi-operation-ids', category: 'reported', matches: ['openapi-*:body.paths.*.operationId'],
    summary: 'operationIds: upstream `<verb>WardleExampleComV1alpha1[Namespaced]Flunder` (listWardleExampleComV1alpha1NamespacedFlunder, deleteWardleExampleComV1alpha1CollectionNamespacedFlunder, listWardleExampleComV1alpha1FlunderForAllNamespaces, watch...), extapi `listV1alpha1Flunder`, `deleteCollectionV1alpha1Flunder`, `listForAllNamespacesV1alpha1Flunder`.',
    reason: 'Generated clients name methods after operationIds, and kube-apiserver uses the upstream scheme for CRDs too. Fix: verb + group in UpperCamelCase without dots + version + "Namespaced" for namespaced resources + Kind, "Collection" before the scope for deletecollection, "ForAllNamespaces" suffix for the cluster-wide list; tags `wardleExampleCom_v1alpha1`.',
  },
  {
    id: 'openapi-watch-paths', category: 'gap', matches: ['openapi-*:body.paths.*/watch/*', 'openapi-*:body.paths./apis/wardle.example.com/v1*/', 'openapi-*:body.paths./apis/wardle.example.com/'],
    summary: 'Upstream documents the deprecated /watch/ paths and the discovery paths (/apis/<group>/ and /apis/<group>/<version>/); extapi neither.',
    reason: 'The /watch/ prefix has been deprecated since 1.11 (clients use ?watch=true); the discovery operation is not used by clients.',
  },
  {
    id: 'openapi-v3-index', category: 'representation', matches: ['openapi-v3/index:*'],
    summary: '/openapi/v3: upstream also lists "apis" and "apis/wardle.example.com" (the group documents); extapi only the group-versions.',
    reason: 'kube-aggregator only downloads group-version documents; kubectl reads those.',
  },
  {
    id: 'openapi-meta-kinds', category: 'representation', matches: ['openapi-*:body.kinds.*/DeleteOptions', 'openapi-*:body.kinds.*/WatchEvent'],
    summary: 'Upstream tags DeleteOptions and WatchEvent with wardle group-version-kinds (they are registered in its scheme); extapi does not.',
    reason: 'An artefact of the Go scheme registration; no client relies on it.',
  },
  {
    id: 'openapi-descriptions', category: 'reported', matches: ['openapi-*:*description', 'kubectl-explain/*'],
    summary: 'Schema descriptions differ (and `kubectl explain` with them); upstream names the spec type (`spec <FlunderSpec>`), extapi inlines it (`spec <Object>`).',
    reason: 'Upstream texts, to copy into examples/wardle/resources.ts: v1alpha1 Flunder (none), v1alpha1 referenceType "The reference type, defaults to \\"Flunder\\" if reference is set."; v1beta1 Flunder "Flunder is an example type with a spec and a status.", spec "FlunderSpec is the specification of a Flunder.", status "FlunderStatus is the status of a Flunder.", v1beta1 referenceType "The reference type."; Fischer (none), disallowedFlunders "DisallowedFlunders holds a list of Flunder.Names that are disallowed."; lists "FlunderList is a list of Flunder objects." / "FischerList is a list of Fischer objects."; apiVersion/kind the full TypeMeta texts (with "More info: https://git.k8s.io/..."); metadata has no description upstream. Only extapi (src/endpoints/openapi) writes "<Kind> is a <group> resource." and "Standard object\'s metadata.". Named spec/status schemas (FlunderSpec) are a representation choice.',
  },
];
