/**
 * Every accepted difference between our wardle (examples/wardle) and k8s.io/sample-apiserver
 * v0.36.3, as data: the parity test fails on any difference not matched here and on any entry
 * that no longer matches anything; docs/parity.md renders this list (test/parity/render-doc.ts).
 * Order matters: the first entry whose glob matches a difference explains it. The general entries
 * (managedFields, generation, an empty status) come first and are precise
 * about the path (and values), so that an entry about a whole diverging step is no longer used,
 * and the test says so, once that step is fixed.
 */
import type { KnownDifference } from './support/known.ts';
import { OPENAPI_DIFFERENCES } from './known-differences-openapi.ts';

const step = (scenarioStep: string) => `${scenarioStep}:*`;

const WARDLE_VERSIONS = ['v1alpha1', 'v1beta1'];
/** The OpenAPI documents a wardle version appears in (v3 per group-version, v2 the whole swagger). */
const openApiDocs = (version: string) => [`openapi-v3/${version}`, 'openapi-v2/swagger'];
/** The exact OpenAPI path keys of a flunders subresource, in every document and version. */
const openApiPaths = (subresource: string) => WARDLE_VERSIONS.flatMap((v) => openApiDocs(v)
  .map((doc) => `${doc}:body.paths./apis/wardle.example.com/${v}/namespaces/{namespace}/flunders/{name}/${subresource}`));

/** Whole steps that diverge, and their consequences further down the same scenario. */
const STEP_DIFFERENCES: KnownDifference[] = [
  {
    id: 'update-not-validated', category: 'upstream-quirk',
    matches: [step('update/invalid spec (v1beta1)'), 'update/metadata only:body.spec.reference', 'update/get:body.spec.reference'],
    summary: 'An update to an invalid spec: upstream 200 (stored), extapi 422 Invalid.',
    reason: 'sample-apiserver\'s flunderStrategy.ValidateUpdate returns an empty list: only creates are validated. extapi validates updates too (as every built-in and CRD does). The last two matches are the consequence: the stored specs differ afterwards.',
  },
  {
    id: 'lossy-v1alpha1-conversion', category: 'upstream-quirk',
    matches: [step('defaulting/v1alpha1 unknown referenceType'), step('patch/merge invalid result')],
    summary: 'v1alpha1 spec.referenceType other than Flunder/Fischer: upstream 200/201 with spec {} (reference and type dropped), extapi 422 "must be Flunder or Fischer".',
    reason: 'Upstream Convert_v1alpha1_FlunderSpec_To_wardle_FlunderSpec copies nothing for an unknown type, so the object passes validation empty; that silently loses data. extapi keeps the value and validates it.',
  },
  {
    id: 'v1beta1-no-defaulting', category: 'upstream-quirk', matches: [step('defaulting/v1beta1 flunderReference only')],
    summary: 'v1beta1 with flunderReference and no referenceType: upstream 422 ("cannot be set if referenceType is not Flunder"), extapi 201 with referenceType: Flunder.',
    reason: 'The v1beta1 field documentation says referenceType "defaults to Flunder if either reference is set", but v1beta1 has no defaulter upstream (zz_generated.defaults.go is empty). extapi implements the documented default (examples/wardle/resources.ts, defaultReferenceType).',
  },
  {
    id: 'no-name-validation', category: 'upstream-quirk', matches: [step('invalid/uppercase name'), step('errors/name too long')],
    summary: 'Names that are not DNS subdomains ("Bad_Name", 254 characters): upstream 201, extapi 422.',
    reason: 'sample-apiserver\'s strategies validate only the spec; the generic store checks just path-segment safety. extapi validates metadata.name as a DNS-1123 subdomain, as kube-apiserver does for CRDs.',
  },
  {
    id: 'strict-patch-status', category: 'reported', matches: [step('field-validation/strict merge patch')],
    summary: 'fieldValidation=Strict on a merge patch with an unknown field: upstream 422 Invalid, extapi 400 BadRequest.',
    reason: 'For patches kube-apiserver reports strict decoding errors as 422 Invalid: message ` "" is invalid: patch: Invalid value: "<the patched object as JSON>": strict decoding error: unknown field "spec.bogus"`, details.causes [{reason: FieldValueInvalid, field: patch}]. For create/update both answer 400 BadRequest.',
  },
  {
    id: 'typed-decoding-errors', category: 'representation',
    matches: ['invalid/wrong kind:body.message', 'invalid/wrong apiVersion:body.message', step('invalid/spec not an object')],
    summary: 'A body of the wrong kind or apiVersion, or a spec that is not an object: different messages; for the spec, upstream 400 BadRequest (Go unmarshalling) and extapi 422 Invalid (schema validation).',
    reason: 'Upstream decodes into Go structs ("cannot be handled as a Flunder: converting (v1alpha1.Fischer) to (wardle.Flunder): unknown conversion"); extapi validates against the schema and words it as kube-apiserver does for CRDs.',
  },
  {
    id: 'protobuf', category: 'gap',
    matches: [step('errors/accept protobuf'), 'errors/text/plain body:body.message', 'table/table v2 only:body.message', step('errors/accept unknown')],
    summary: 'application/vnd.kubernetes.protobuf: upstream serves it, extapi answers 406; the lists of accepted media types differ accordingly.',
    reason: 'extapi speaks JSON and YAML only (protobuf needs generated descriptors per kind); every Kubernetes client falls back to JSON for non-built-in groups.',
  },
  {
    id: 'short-names-categories', category: 'extension',
    matches: ['*.shortNames', '*.categories', step('kubectl-api-resources/api-resources'), step('kubectl-get/get name')],
    summary: 'extapi\'s wardle declares shortNames (fl, fi) and the category "wardle"; upstream has neither (so `kubectl get fl` fails there).',
    reason: 'A convenience of the sample; discovery fields are optional.',
  },
  {
    id: 'status-subresource', category: 'extension',
    matches: ['*[name=flunders/status]', '*.subresources', step('status/*'), 'openapi-*:body.paths.*/status'],
    summary: 'extapi serves flunders/status (get, update, patch); upstream has no status subresource (404).',
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
    matches: ['table/list table:*', 'table/object table:body.columnDefinitions*', 'table/object table:body.rows*', 'kubectl-get/get:body.stdout*', 'kubectl-get/get wide:body.stdout*'],
    summary: 'Table output: upstream has the default columns Name and Created At; extapi has Name, Reference-Type, Age (and Reference / Flunder-Reference / Fischer-Reference with -o wide).',
    reason: 'The sample declares printer columns (the mission: upstream offers "name/age only").',
  },
  {
    id: 'selectable-field-reference-type', category: 'extension', matches: [step('list/field selector spec.referenceType'), 'list/field selector unknown field:body.message'],
    summary: 'fieldSelector=spec.referenceType: upstream 400 (only metadata.name and metadata.namespace), extapi filters; so the error for an unknown field lists "spec.referenceType" too.',
    reason: 'The sample declares spec.referenceType selectable, as CRDs can (selectableFields).',
  },
];

/** Messages and small wire details. */
const DETAIL_DIFFERENCES: KnownDifference[] = [
  {
    id: 'strict-field-order', category: 'reported', matches: ['field-validation/strict unknown:body.message', 'field-validation/*:warnings*'],
    summary: 'Unknown fields are listed in alphabetical order by extapi ("extra", "spec.bogus") and in document order by upstream ("spec.bogus", "extra").',
    reason: 'Upstream reports them as the JSON decoder meets them. Fix: keep the order of the request body in the strict error and in the Warning headers.',
  },
  {
    id: 'patch-decode-messages', category: 'reported', matches: ['patch/json not a list:body.message', 'patch/merge malformed:body.message'],
    summary: 'Malformed patches: same 400, different wording: upstream "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp" and "error decoding patch: unexpected end of JSON input"; extapi "json: cannot unmarshal object into Go value of type jsonpatch.Patch" and "... Unexpected end of JSON input".',
    reason: 'Copy the upstream strings (the second comes from the JavaScript JSON.parse message).',
  },
  {
    id: 'discovery-v2-response-kind', category: 'representation', matches: ['discovery-v2/*.responseKind.group', 'discovery-v2/*.responseKind.version'],
    summary: 'Aggregated discovery responseKind: upstream {group: "", version: "", kind}, extapi fills group and version.',
    reason: 'Both mean the resource\'s own group-version; clients accept both.',
  },
  {
    id: 'storage-version-hash', category: 'representation', matches: ['discovery/*:body.resources[name=flunders].storageVersionHash'],
    summary: 'flunders storageVersionHash: upstream "UHqNx5H3K7A=" (stored as v1alpha1), extapi "q8yDPI7eCYE=" (stored as v1beta1).',
    reason: 'Upstream encodes to storage with v1alpha1 (NewMultiGroupVersioner(v1alpha1)); our sample stores the newer v1beta1 on purpose. The hash only drives storage-version migration.',
  },
  {
    id: 'apis-group-list', category: 'representation', matches: ['discovery/apis:body.apiVersion', 'discovery/apis:body.groups[*].serverAddressByClientCIDRs'],
    summary: '/apis: upstream omits apiVersion on the APIGroupList and adds serverAddressByClientCIDRs [{clientCIDR: 0.0.0.0/0, serverAddress: ":<port>"}]; extapi has apiVersion v1 and no addresses.',
    reason: 'Only seen directly: kube-aggregator serves /apis itself. The address is meaningless behind the aggregator.',
  },
  {
    id: 'version-info', category: 'gap', matches: [step('version/version')],
    summary: '/version: extapi answers gitVersion, major, minor, platform; upstream the whole version.Info (buildDate, compiler, emulationMajor/Minor, gitCommit, gitTreeState, goVersion, minCompatibilityMajor/Minor, ...).',
    reason: 'Clients read gitVersion/major/minor; the Go build fields have no equivalent. Could add gitCommit, gitTreeState, buildDate, compiler ("node") for completeness.',
  },
  {
    id: 'continue-token', category: 'representation', matches: ['pagination/bad continue:body.message'],
    summary: 'A malformed continue token: both 400, different wording after "continue key is not valid".',
    reason: 'Tokens are opaque and encoded differently (upstream: base64 JSON with the etcd key).',
  },
  {
    id: 'media-type-messages', category: 'representation', matches: [step('patch/unsupported patch type'), 'partial-object-metadata/list asked as object:body.message'],
    summary: 'Unsupported patch type (415) and PartialObjectMetadata asked for a list (406): same status and reason, different messages.',
    reason: 'Upstream answers "415: Unsupported Media Type" and "you requested PartialObjectMetadata, but the requested object is a list (*wardle.FlunderList)"; extapi lists the accepted media types.',
  },
];

/** Differences on (nearly) every object. */
const GENERAL_DIFFERENCES: KnownDifference[] = [
  {
    id: 'managed-fields-struct-nodes', category: 'representation',
    matches: ['*metadata.managedFields[*].fieldsV1.f:spec..', '*metadata.managedFields[*].fieldsV1.f:spec'],
    summary: 'An Update entry of a write that adds spec: extapi records the spec node itself (`f:spec: {".": {}}`, or `f:spec: {}` for an empty spec); upstream does not.',
    reason: 'In Go types spec is a struct that always exists (`spec: {}` in an empty object), so it is never "added"; extapi objects are schema-described JSON where spec can be absent, and it records what kube-apiserver records for a custom resource (proven by the apply oracle, test/apply-oracle).',
  },
  {
    id: 'managed-fields-strategy-defaults', category: 'representation', matches: ['*metadata.managedFields[*].fieldsV1.f:spec.f:referenceType'],
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
