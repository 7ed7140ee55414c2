/** The documented OpenAPI (v2, v3) and `kubectl explain` differences; part of known-differences.ts. */
import { STANDARD_FIELD_DESCRIPTIONS } from '../../src/endpoints/openapi/definitions.ts';
import type { KnownDifference, PathMatch } from './support/known.ts';

const pin = (key: string, go: unknown, ts: unknown): PathMatch => ({ key, go, ts });
const MORE_INFO = 'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md';

/** OpenAPI differences, most specific first. */
export const OPENAPI_DIFFERENCES: KnownDifference[] = [
  {
    id: 'openapi-parameters', category: 'gap',
    matches: ['pretty', 'shardSelector', 'ignoreStoreReadErrorWithClusterBreakingPotential'].map((name) => `openapi-*:body.paths.*.parameters.${name}`),
    values: { go: { in: 'query' }, ts: undefined },
    summary: 'Three query parameters upstream documents are not in extapi\'s OpenAPI: pretty (every operation), shardSelector (list, watch, deletecollection) and ignoreStoreReadErrorWithClusterBreakingPotential (delete, deletecollection). Every other parameter, and every operationId and tag, is the same.',
    reason: 'extapi documents the parameters it implements: it does not pretty-print, shardSelector is a 1.36 alpha, and it has no unreadable-object deletion. kube-apiserver documents the first two for CRDs too (test/e2e/wardle-subresources.e2e.test.ts compares operationIds and tags with a CRD\'s).',
  },
  {
    id: 'openapi-watch-paths', category: 'gap', matches: ['openapi-*:body.paths.*/watch/*', 'openapi-*:body.paths./apis/wardle.example.com/v1*/', 'openapi-*:body.paths./apis/wardle.example.com/'],
    summary: 'Upstream documents the deprecated /watch/ paths and the discovery paths (/apis/<group>/ and /apis/<group>/<version>/); extapi neither.',
    reason: 'The /watch/ prefix has been deprecated since 1.11 (clients use ?watch=true); the discovery operation is not used by clients.',
  },
  {
    id: 'openapi-v3-index', category: 'representation', matches: ['openapi-v3/index:body.apis', 'openapi-v3/index:body.apis/wardle.example.com'], values: { go: true, ts: undefined },
    summary: '/openapi/v3: upstream also lists "apis" and "apis/wardle.example.com" (the group documents); extapi only the group-versions.',
    reason: 'kube-aggregator only downloads group-version documents; kubectl reads those.',
  },
  {
    id: 'openapi-meta-kinds', category: 'representation', matches: ['openapi-*:body.kinds.*/DeleteOptions', 'openapi-*:body.kinds.*/WatchEvent'],
    summary: 'Upstream tags DeleteOptions and WatchEvent with wardle group-version-kinds (they are registered in its scheme); extapi does not.',
    reason: 'An artefact of the Go scheme registration; no client relies on it.',
  },
  {
    id: 'openapi-crd-field-descriptions', category: 'representation',
    matches: [
      pin('openapi-*:body.kinds.*.properties.metadata.description', undefined, STANDARD_FIELD_DESCRIPTIONS.metadata),
      pin('openapi-*:body.kinds.*List.properties.metadata.description', undefined, STANDARD_FIELD_DESCRIPTIONS.listMetadata),
      pin('openapi-*:body.kinds.*/FlunderList.properties.items.description', undefined, `List of flunders. ${MORE_INFO}`),
      pin('openapi-*:body.kinds.*/FischerList.properties.items.description', undefined, `List of fischers. ${MORE_INFO}`),
      pin('kubectl-explain/*:body.fields.metadata.description', '<no description>', STANDARD_FIELD_DESCRIPTIONS.metadata),
    ],
    summary: 'Object metadata, list metadata and list items carry kube-apiserver\'s CRD descriptions in extapi ("Standard object\'s metadata. More info: ..."); upstream\'s Go types leave them undescribed. Every other description is upstream\'s text.',
    reason: 'extapi describes these framework-owned fields as kube-apiserver describes them for every CRD; the sample\'s own descriptions (examples/wardle/resources.ts) are upstream\'s.',
  },
  {
    id: 'openapi-named-spec-types', category: 'representation',
    matches: [
      pin('kubectl-explain/flunders v1alpha1:body.fields.spec.type', '<FlunderSpec>', '<Object>'),
      pin('kubectl-explain/flunders v1alpha1:body.fields.status.type', '<FlunderStatus>', '<Object>'),
      ...['v1alpha1', 'v1beta1'].map((v) => pin(`kubectl-explain/flunders.spec ${v}:body.header.FIELD`, 'spec <FlunderSpec>', 'spec <Object>')),
    ],
    summary: '`kubectl explain` names upstream\'s spec and status types (`spec <FlunderSpec>`); extapi\'s are inline object schemas (`spec <Object>`), as a CRD\'s are.',
    reason: 'Go types become named definitions; a schema-described resource, like a CRD, has inline ones. Same fields, types and descriptions.',
  },
];
