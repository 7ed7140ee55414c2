/**
 * Every accepted difference between our wardle (examples/wardle) and k8s.io/sample-apiserver
 * v0.36.3, as data: the parity test fails on any difference not matched here and on any entry
 * that no longer matches anything; docs/parity.md renders this list (test/parity/render-doc.ts).
 * Each entry names the JSON paths it covers (never a whole step: validateKnownDifferences refuses
 * `<step>:*`) and, where both answers are known, pins both values, so that a changed answer on
 * either side is a new, undocumented difference. Order matters: the first entry whose glob (and
 * values) match a difference explains it; the general entries come first.
 */
import type { KnownDifference, PathMatch } from './support/known.ts';
import { OPENAPI_DIFFERENCES } from './known-differences-openapi.ts';

/** A path whose two values are known: both are pinned. */
const pin = (key: string, go: unknown, ts: unknown): PathMatch => ({ key, go, ts });

const WARDLE_VERSIONS = ['v1alpha1', 'v1beta1'];
/** The OpenAPI documents a wardle version appears in (v3 per group-version, v2 the whole swagger). */
const openApiDocs = (version: string) => [`openapi-v3/${version}`, 'openapi-v2/swagger'];
/** The exact OpenAPI path keys of a flunders subresource, in every document and version. */
const openApiPaths = (subresource: string) => WARDLE_VERSIONS.flatMap((v) => openApiDocs(v)
  .map((doc) => `${doc}:body.paths./apis/wardle.example.com/${v}/namespaces/{namespace}/flunders/{name}/${subresource}`));
/** The same spec in both answers of a refused-versus-stored step: the one the storing server stored. */
const SPEC_X = { reference: 'x', referenceType: 'Flunder' };
/** The answer paths of a step one server refuses (422 Invalid) and the other stores (201/200), both pinned. */
function refusedVersusStored(step: string, refuser: 'go' | 'ts', stored: { status: number; kind: string; spec: unknown }, refusal: { message: string; causes: unknown[]; reason?: string; status?: number }): PathMatch[] {
  const pair = (refused: unknown, kept: unknown) => (refuser === 'go' ? [refused, kept] : [kept, refused]) as [unknown, unknown];
  return [
    pin(`${step}:status`, ...pair(refusal.status ?? 422, stored.status)),
    pin(`${step}:reason`, ...pair(refusal.reason ?? 'Invalid', undefined)),
    pin(`${step}:body.kind`, ...pair('Status', stored.kind)),
    pin(`${step}:body.spec`, ...pair(undefined, stored.spec)),
    pin(`${step}:body.message`, ...pair(refusal.message, undefined)),
    pin(`${step}:body.causes`, ...pair(refusal.causes, undefined)),
  ];
}
const cause = (field: string, message: string, reason = 'FieldValueInvalid') => ({ reason, message, field });
const DNS_SUBDOMAIN = 'a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')';
const LONG_NAME = 'n'.repeat(254);
/** The status subresource steps: upstream 404 NotFound, extapi 200 with the object (spec untouched by status writes). */
const DEPRECATION = ['299 - "wardle.example.com/v1alpha1 Flunder is deprecated in v1.3+, unavailable in v1.10+"'];
const statusStep = (step: string, replicas?: number): PathMatch[] => [
  pin(`status/${step}:deprecation`, undefined, DEPRECATION),
  pin(`status/${step}:status`, 404, 200), pin(`status/${step}:reason`, 'NotFound', undefined),
  pin(`status/${step}:body.kind`, 'Status', 'Flunder'), pin(`status/${step}:body.spec`, undefined, SPEC_X),
  ...(replicas === undefined ? [] : [pin(`status/${step}:body.replicas`, undefined, replicas)]),
];

/** Steps where the two servers decide differently, and their consequences further down the same scenario. */
const STEP_DIFFERENCES: KnownDifference[] = [
  {
    id: 'update-not-validated', category: 'upstream-quirk',
    matches: [
      ...refusedVersusStored('update/invalid spec (v1beta1)', 'ts', { status: 200, kind: 'Flunder', spec: { flunderReference: 'x', referenceType: 'Flunder' } },
        { message: 'Flunder.wardle.example.com "up-a" is invalid: spec.fischerReference: Invalid value: "y": cannot be set with flunderReference at the same time', causes: [cause('spec.fischerReference', 'Invalid value: "y": cannot be set with flunderReference at the same time')] }),
      pin('update/metadata only:body.spec.reference', 'x', 'two'), pin('update/get:body.spec.reference', 'x', 'two'),
    ],
    summary: 'An update to an invalid spec: upstream 200 (stored), extapi 422 Invalid.',
    reason: 'sample-apiserver\'s flunderStrategy.ValidateUpdate returns an empty list: only creates are validated. extapi validates updates too (as every built-in and CRD does). The last two matches are the consequence: the stored specs differ afterwards.',
  },
  {
    id: 'lossy-v1alpha1-conversion', category: 'upstream-quirk',
    matches: [
      ...refusedVersusStored('defaulting/v1alpha1 unknown referenceType', 'ts', { status: 201, kind: 'Flunder', spec: {} }, {
        message: 'Flunder.wardle.example.com "df-d" is invalid: [spec.flunderReference: Invalid value: "x": cannot be set if referenceType is not Flunder, spec.referenceType: Invalid value: "Other": must be Flunder or Fischer]',
        causes: [cause('spec.flunderReference', 'Invalid value: "x": cannot be set if referenceType is not Flunder'), cause('spec.referenceType', 'Invalid value: "Other": must be Flunder or Fischer')],
      }),
      ...refusedVersusStored('patch/merge invalid result', 'ts', { status: 200, kind: 'Flunder', spec: {} }, {
        message: 'Flunder.wardle.example.com "pt-a" is invalid: [spec.flunderReference: Invalid value: "four": cannot be set if referenceType is not Flunder, spec.referenceType: Invalid value: "Nope": must be Flunder or Fischer]',
        causes: [cause('spec.flunderReference', 'Invalid value: "four": cannot be set if referenceType is not Flunder'), cause('spec.referenceType', 'Invalid value: "Nope": must be Flunder or Fischer')],
      }),
    ],
    summary: 'v1alpha1 spec.referenceType other than Flunder/Fischer: upstream 200/201 with spec {} (reference and type dropped), extapi 422 "must be Flunder or Fischer".',
    reason: 'Upstream Convert_v1alpha1_FlunderSpec_To_wardle_FlunderSpec copies nothing for an unknown type, so the object passes validation empty; that silently loses data. extapi keeps the value and validates it.',
  },
  {
    id: 'v1beta1-no-defaulting', category: 'upstream-quirk',
    matches: refusedVersusStored('defaulting/v1beta1 flunderReference only', 'go', { status: 201, kind: 'Flunder', spec: { flunderReference: 'x', referenceType: 'Flunder' } }, {
      message: 'Flunder.wardle.example.com "df-c" is invalid: spec.flunderReference: Invalid value: "x": cannot be set if referenceType is not Flunder',
      causes: [cause('spec.flunderReference', 'Invalid value: "x": cannot be set if referenceType is not Flunder')],
    }),
    summary: 'v1beta1 with flunderReference and no referenceType: upstream 422 ("cannot be set if referenceType is not Flunder"), extapi 201 with referenceType: Flunder.',
    reason: 'The v1beta1 field documentation says referenceType "defaults to Flunder if either reference is set", but v1beta1 has no defaulter upstream (zz_generated.defaults.go is empty). extapi implements the documented default (examples/wardle/resources.ts, defaultReferenceType).',
  },
  {
    id: 'no-name-validation', category: 'upstream-quirk',
    matches: [
      ...refusedVersusStored('invalid/uppercase name', 'ts', { status: 201, kind: 'Flunder', spec: { reference: 'target', referenceType: 'Flunder' } }, {
        message: `Flunder.wardle.example.com "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${DNS_SUBDOMAIN}`,
        causes: [cause('metadata.name', `Invalid value: "Bad_Name": ${DNS_SUBDOMAIN}`)],
      }),
      ...refusedVersusStored('errors/name too long', 'ts', { status: 201, kind: 'Flunder', spec: { reference: 'target', referenceType: 'Flunder' } }, {
        message: `Flunder.wardle.example.com "${LONG_NAME}" is invalid: metadata.name: Invalid value: "${LONG_NAME}": must be no more than 253 characters`,
        causes: [cause('metadata.name', `Invalid value: "${LONG_NAME}": must be no more than 253 characters`)],
      }),
    ],
    summary: 'Names that are not DNS subdomains ("Bad_Name", 254 characters): upstream 201, extapi 422.',
    reason: 'sample-apiserver\'s strategies validate only the spec; the generic store checks just path-segment safety. extapi validates metadata.name as a DNS-1123 subdomain, as kube-apiserver does for CRDs.',
  },
  {
    id: 'typed-decoding-errors', category: 'representation',
    matches: [
      pin('invalid/wrong kind:body.message', 'Fischer in version "v1alpha1" cannot be handled as a Flunder: converting (v1alpha1.Fischer) to (wardle.Flunder): unknown conversion', 'the kind in the data (Fischer) does not match the expected kind (Flunder)'),
      pin('invalid/wrong apiVersion:body.message', 'Flunder in version "v9" cannot be handled as a Flunder: no kind "Flunder" is registered for version "wardle.example.com/v9" in scheme "pkg/runtime/scheme.go:111"', 'the API version in the data (wardle.example.com/v9) does not match the expected API version (wardle.example.com/v1alpha1)'),
      pin('invalid/spec not an object:status', 400, 422), pin('invalid/spec not an object:reason', 'BadRequest', 'Invalid'),
      pin('invalid/spec not an object:body.name', undefined, 'iv-h'),
      pin('invalid/spec not an object:body.message', 'Flunder in version "v1alpha1" cannot be handled as a Flunder: json: cannot unmarshal string into Go struct field Flunder.spec of type v1alpha1.FlunderSpec', 'Flunder.wardle.example.com "iv-h" is invalid: spec: Invalid value: "string": spec in body must be of type object: "string"'),
      pin('invalid/spec not an object:body.causes', undefined, [cause('spec', 'Invalid value: "string": spec in body must be of type object: "string"', 'FieldValueTypeInvalid')]),
    ],
    summary: 'A body of the wrong kind or apiVersion, or a spec that is not an object: different messages; for the spec, upstream 400 BadRequest (Go unmarshalling) and extapi 422 Invalid (schema validation).',
    reason: 'Upstream decodes into Go structs ("cannot be handled as a Flunder: converting (v1alpha1.Fischer) to (wardle.Flunder): unknown conversion"); extapi validates against the schema and words it as kube-apiserver does for CRDs.',
  },
  {
    id: 'protobuf', category: 'gap',
    matches: [
      pin('errors/accept protobuf:status', 200, 406), pin('errors/accept protobuf:reason', undefined, 'NotAcceptable'),
      pin('errors/accept protobuf:contentType', 'application/vnd.kubernetes.protobuf', 'application/json'),
      pin('errors/text/plain body:body.message', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml'),
      pin('table/table v2 only:body.message', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf', 'only the following media types are accepted: application/json, application/yaml, application/json;stream=watch'),
      pin('errors/accept unknown:body.message', '406: Not Acceptable\n\nAvailable representations: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/json;stream=watch, application/vnd.kubernetes.protobuf;stream=watch', 'only the following media types are accepted: application/json, application/yaml, application/json;stream=watch'),
      pin('errors/accept unknown:body.details', {}, undefined),
    ],
    summary: 'application/vnd.kubernetes.protobuf: upstream serves it, extapi answers 406; the lists of accepted media types differ accordingly.',
    reason: 'extapi speaks JSON and YAML only (protobuf needs generated descriptors per kind); every Kubernetes client falls back to JSON for non-built-in groups.',
  },
  {
    id: 'short-names-categories', category: 'extension',
    matches: [
      '*.shortNames', '*.categories',
      pin('kubectl-api-resources/api-resources:body.rows.flunders.SHORTNAMES', '', 'fl'), pin('kubectl-api-resources/api-resources:body.rows.fischers.SHORTNAMES', '', 'fi'),
      pin('kubectl-api-resources/api-resources:body.rows.flunders.CATEGORIES', '', 'wardle'), pin('kubectl-api-resources/api-resources:body.rows.fischers.CATEGORIES', '', 'wardle'),
      pin('kubectl-get/get name:body.code', 1, 0), pin('kubectl-get/get name:body.stderr', 'error: the server doesn\'t have a resource type "fl"\n', ''),
      pin('kubectl-get/get name:body.stdout[0]', '', 'flunder.wardle.example.com/kg-a'), pin('kubectl-get/get name:body.stdout[1]', undefined, ''),
    ],
    summary: 'extapi\'s wardle declares shortNames (fl, fi) and the category "wardle"; upstream has neither (so `kubectl get fl` fails there).',
    reason: 'A convenience of the sample; discovery fields are optional.',
  },
  {
    id: 'status-subresource', category: 'extension',
    matches: [
      '*[name=flunders/status]', '*.subresources', 'openapi-*:body.paths.*/status',
      ...statusStep('get status'), ...statusStep('put status', 2), ...statusStep('patch status', 3),
      pin('status/get after status writes:body.replicas', undefined, 3),
    ],
    summary: 'extapi serves flunders/status (get, update, patch, with v1alpha1\'s deprecation warning); upstream has no status subresource (404, no warning). Status writes leave spec alone on extapi (compared through the main resource, where both servers show the same spec).',
    reason: 'Flunder has a status field, so the sample shows the subresource; spec and status then follow the usual split.',
  },
  {
    id: 'scale-subresource', category: 'extension',
    matches: [
      ...WARDLE_VERSIONS.map((v) => `discovery/${v}:body.resources[name=flunders/scale]`),
      ...openApiPaths('scale'),
      ...WARDLE_VERSIONS.flatMap((v) => openApiDocs(v).flatMap((doc) => [`Flunder.properties.spec.properties.replicas`, 'Flunder.properties.status.properties',
        'FlunderList.properties.items.items.properties.spec.properties.replicas', 'FlunderList.properties.items.items.properties.status.properties']
        .map((field) => `${doc}:body.kinds.${v}/${field}`))),
      ...WARDLE_VERSIONS.map((v) => pin(`kubectl-explain/flunders.spec ${v}:body.fields.replicas`, undefined, { type: '<integer>', description: 'Desired replicas (extapi extension: served through flunders/scale).' })),
    ],
    summary: 'extapi serves flunders/scale (autoscaling/v1 Scale: get, update, patch; spec.replicas, status.replicas and status.selector in the Flunder schema); upstream has no scale subresource.',
    reason: 'The sample shows the scale subresource as a CRD declares it (specReplicasPath .spec.replicas, statusReplicasPath .status.replicas, labelSelectorPath .status.selector); test/e2e/wardle-subresources.e2e.test.ts compares it with such a CRD on the same kube-apiserver.',
  },
  {
    id: 'log-subresource', category: 'extension',
    matches: [...WARDLE_VERSIONS.map((v) => `discovery/${v}:body.resources[name=flunders/log]`), ...openApiPaths('log')],
    summary: 'extapi serves flunders/log (get, streaming; ?follow=true follows changes); upstream has no log subresource.',
    reason: 'The sample shows a streaming connect subresource like pods/log (examples/wardle/resources.ts, flunderLog).',
  },
  {
    id: 'printer-columns', category: 'extension',
    matches: [
      'table/*:body.columnDefinitions[name=Created At]', 'table/*:body.columnDefinitions[name=Reference-Type]', 'table/*:body.columnDefinitions[name=Age]', 'table/*:body.columnDefinitions[name=Reference]',
      pin('table/*:body.rows[0].cells[1]', '<age>', 'Flunder'), pin('table/*:body.rows[0].cells[2]', undefined, '<age>'), pin('table/*:body.rows[0].cells[3]', undefined, 'x'),
      pin('kubectl-get/get:body.stdout[0]', 'NAME   CREATED AT', 'NAME   REFERENCE-TYPE   AGE'), pin('kubectl-get/get:body.stdout[1]', 'kg-a   <time>', 'kg-a   Flunder          <age>'),
      pin('kubectl-get/get wide:body.stdout[0]', 'NAME   CREATED AT', 'NAME   REFERENCE-TYPE   AGE   REFERENCE'), pin('kubectl-get/get wide:body.stdout[1]', 'kg-a   <time>', 'kg-a   Flunder          <age>    kg-target'),
    ],
    summary: 'Table output: upstream has the default columns Name and Created At; extapi has Name, Reference-Type, Age (and Reference / Flunder-Reference / Fischer-Reference with -o wide).',
    reason: 'The sample declares printer columns (the mission: upstream offers "name/age only").',
  },
  {
    id: 'selectable-field-reference-type', category: 'extension',
    matches: [
      pin('list/field selector spec.referenceType:status', 400, 200), pin('list/field selector spec.referenceType:reason', 'BadRequest', undefined),
      pin('list/field selector spec.referenceType:body.kind', 'Status', 'FlunderList'),
      pin('list/field selector spec.referenceType:body.message', '"spec.referenceType" is not a known field selector: only "metadata.name", "metadata.namespace"', undefined),
      pin('list/field selector spec.referenceType:body.names', undefined, ['ls-0', 'ls-1', 'ls-2', 'ls-3']),
      pin('list/field selector unknown field:body.message', '"spec.nothing" is not a known field selector: only "metadata.name", "metadata.namespace"', '"spec.nothing" is not a known field selector: only "metadata.name", "metadata.namespace", "spec.referenceType"'),
    ],
    summary: 'fieldSelector=spec.referenceType: upstream 400 (only metadata.name and metadata.namespace), extapi filters; so the error for an unknown field lists "spec.referenceType" too.',
    reason: 'The sample declares spec.referenceType selectable, as CRDs can (selectableFields).',
  },
];

/** Messages and small wire details. */
const DETAIL_DIFFERENCES: KnownDifference[] = [
  {
    id: 'strict-field-order', category: 'representation',
    matches: [
      pin('field-validation/strict unknown:body.message', 'Flunder in version "v1alpha1" cannot be handled as a Flunder: strict decoding error: unknown field "spec.bogus", unknown field "extra"', 'Flunder in version "v1alpha1" cannot be handled as a Flunder: strict decoding error: unknown field "extra", unknown field "spec.bogus"'),
      ...['warn unknown', 'default unknown'].flatMap((step) => [
        pin(`field-validation/${step}:warnings[0]`, '299 - "unknown field \\"spec.bogus\\""', '299 - "unknown field \\"extra\\""'),
        pin(`field-validation/${step}:warnings[1]`, '299 - "unknown field \\"extra\\""', '299 - "unknown field \\"spec.bogus\\""'),
      ]),
    ],
    summary: 'Unknown fields are listed in sorted order by extapi ("extra", "spec.bogus"), as kube-apiserver lists them for a CRD, and in document order by upstream ("spec.bogus", "extra").',
    reason: 'Upstream decodes into Go structs and reports fields as the JSON decoder meets them; kube-apiserver prunes a custom resource against its schema and sorts what it pruned. extapi is schema-based like a CRD and answers what kube-apiserver answers for one: test/e2e/wardle-subresources.e2e.test.ts sends the same Strict/Warn requests to a CRD with the same schema and compares the messages and Warning headers.',
  },
  {
    id: 'discovery-v2-response-kind', category: 'representation', matches: [pin('discovery-v2/apis v2:body.items[*].responseKind.group', '', 'wardle.example.com'), 'discovery-v2/apis v2:body.items[*].responseKind.version'],
    summary: 'Aggregated discovery responseKind: upstream {group: "", version: "", kind}, extapi fills group and version.',
    reason: 'Both mean the resource\'s own group-version; clients accept both.',
  },
  {
    id: 'storage-version-hash', category: 'representation', matches: ['discovery/*:body.resources[name=flunders].storageVersionHash'], values: { go: 'UHqNx5H3K7A=', ts: 'q8yDPI7eCYE=' },
    summary: 'flunders storageVersionHash: upstream "UHqNx5H3K7A=" (stored as v1alpha1), extapi "q8yDPI7eCYE=" (stored as v1beta1).',
    reason: 'Upstream encodes to storage with v1alpha1 (NewMultiGroupVersioner(v1alpha1)); our sample stores the newer v1beta1 on purpose. The hash only drives storage-version migration.',
  },
  {
    id: 'apis-group-list', category: 'representation', matches: [pin('discovery/apis:body.apiVersion', undefined, 'v1'), 'discovery/apis:body.groups[*].serverAddressByClientCIDRs'],
    summary: '/apis: upstream omits apiVersion on the APIGroupList and adds serverAddressByClientCIDRs [{clientCIDR: 0.0.0.0/0, serverAddress: ":<port>"}]; extapi has apiVersion v1 and no addresses.',
    reason: 'Only seen directly: kube-aggregator serves /apis itself. The address is meaningless behind the aggregator.',
  },
  {
    id: 'version-info', category: 'gap',
    matches: ['goVersion', 'emulationMajor', 'emulationMinor', 'minCompatibilityMajor', 'minCompatibilityMinor'].map((field) => pin(`version/version:body.${field}`, 'string', undefined)),
    summary: '/version: upstream also answers goVersion and the emulation / minimum-compatibility versions; extapi answers the other version.Info fields (major, minor, gitVersion, gitCommit, gitTreeState, buildDate, compiler "node", platform).',
    reason: 'Those five fields describe a Go build of Kubernetes (its compiler and the Kubernetes versions it emulates); an extapi server has no equivalent, so it leaves them out rather than invent values (src/server/version-info.ts).',
  },
  {
    id: 'continue-token', category: 'representation',
    matches: [pin('pagination/bad continue:body.message', 'invalid continue token: continue key is not valid: invalid character \'\\u0081\' looking for beginning of value', 'continue key is not valid: not JSON')],
    summary: 'A malformed continue token: both 400, different wording after "continue key is not valid".',
    reason: 'Tokens are opaque and encoded differently (upstream: base64 JSON with the etcd key).',
  },
  {
    id: 'media-type-messages', category: 'representation',
    matches: [
      pin('patch/unsupported patch type:body.message', '415: Unsupported Media Type', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml'),
      pin('patch/unsupported patch type:body.details', {}, undefined),
      pin('patch/unsupported patch type:deprecation', undefined, DEPRECATION), pin('errors/accept unknown:deprecation', undefined, DEPRECATION),
      pin('partial-object-metadata/list asked as object:body.message', 'you requested PartialObjectMetadata, but the requested object is a list (*wardle.FlunderList)', 'only the following media types are accepted: application/json, application/yaml, application/json;stream=watch'),
    ],
    summary: 'Unsupported patch type (415), an unknown Accept (406) and PartialObjectMetadata asked for a list (406): same status and reason, different messages; upstream sends no deprecation warning with the first two, extapi does.',
    reason: 'Upstream answers "415: Unsupported Media Type" and "you requested PartialObjectMetadata, but the requested object is a list (*wardle.FlunderList)"; extapi lists the accepted media types. Upstream refuses those media types before its handler adds the warning; extapi warns on every routed request to a deprecated version.',
  },
];

/** Differences on (nearly) every object. */
const GENERAL_DIFFERENCES: KnownDifference[] = [
  {
    id: 'managed-fields-struct-nodes', category: 'representation',
    matches: [pin('*metadata.managedFields[*].fieldsV1.f:spec..', undefined, {}), pin('*metadata.managedFields[*].fieldsV1.f:spec', undefined, {})],
    summary: 'An Update entry of a write that adds spec: extapi records the spec node itself (`f:spec: {".": {}}`, or `f:spec: {}` for an empty spec); upstream does not.',
    reason: 'In Go types spec is a struct that always exists (`spec: {}` in an empty object), so it is never "added"; extapi objects are schema-described JSON where spec can be absent, and it records what kube-apiserver records for a custom resource (proven by the apply oracle, test/apply-oracle).',
  },
  {
    id: 'managed-fields-strategy-defaults', category: 'representation', matches: ['*metadata.managedFields[*].fieldsV1.f:spec.f:referenceType'], values: { go: {}, ts: undefined },
    summary: 'Creating a Flunder without referenceType: upstream\'s Update entry owns the defaulted spec.referenceType, extapi\'s does not.',
    reason: 'Upstream defaults referenceType when decoding (before field tracking); wardle defaults it in its strategy (prepareForCreate/prepareForUpdate), after field tracking, as a registry strategy runs after the field manager in kube-apiserver too.',
  },
  {
    id: 'managed-fields-cross-version-update', category: 'upstream-quirk', matches: ['update/*:*metadata.managedFields*'],
    summary: 'A PUT in v1beta1 of an object created in v1alpha1: upstream keeps a second Update entry for the v1beta1 fields; extapi records the change on the v1alpha1 fields.',
    reason: 'Most likely the lossy v1alpha1↔v1beta1 conversion: sample-apiserver compares objects converted through its internal version, where fields appear changed in both versions; extapi converts between the two served versions directly. Not analysed further.',
  },
  {
    id: 'no-generation', category: 'upstream-quirk', matches: ['*metadata.generation'],
    summary: 'Upstream never sets metadata.generation; extapi sets 1 on create and increments it when the spec changes.',
    reason: 'sample-apiserver\'s PrepareForCreate/PrepareForUpdate are empty; kube-apiserver sets generation for every built-in and CRD.',
  },
  {
    id: 'status-always-present', category: 'representation', matches: ['*:body.status', '*:body.items[*].status', '*.object.status'], values: { go: {}, ts: undefined },
    summary: 'Upstream always serialises `"status": {}` on a Flunder (a Go struct, not omitempty); extapi omits an empty status.',
    reason: 'Equivalent for clients.',
  },
  {
    id: 'list-item-typemeta', category: 'representation', matches: ['*:body.items[*].apiVersion', '*:body.items[*].kind'],
    summary: 'List items: extapi includes apiVersion and kind in each item (as kube-apiserver does for CRDs); upstream omits them (typed Go lists).',
    reason: 'Both are valid; clients take the kind from the list.',
  },
];

/** The documented differences: the general, path-precise ones first. */
export const KNOWN_DIFFERENCES: KnownDifference[] = [...GENERAL_DIFFERENCES, ...STEP_DIFFERENCES, ...DETAIL_DIFFERENCES, ...OPENAPI_DIFFERENCES];
