import type { VersionDefinition } from '../../resource/define-resource.ts';
import type { ApiResource } from '../../rest/api-resource.ts';
import type { Rest } from '../../rest/interfaces.ts';
import { serves } from '../../rest/verbs.ts';
import { definitionName, META } from './definitions.ts';

type Dialect = 'v2' | 'v3';
type Operation = Record<string, unknown>;

const JSON_TYPES = ['application/json', 'application/yaml'];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

function queryParam(name: string, description: string, type = 'string'): Operation {
  return { name, in: 'query', description, schema: { type, uniqueItems: true }, type };
}

const WRITE_PARAMS = [
  queryParam('dryRun', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  queryParam('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  queryParam('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict'),
];
const PATCH_PARAMS = [...WRITE_PARAMS, queryParam('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.', 'boolean')];
const DELETE_PARAMS = [
  queryParam('dryRun', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  queryParam('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', 'integer'),
  queryParam('orphanDependents', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned.', 'boolean'),
  queryParam('propagationPolicy', "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'."),
];
const LIST_PARAM_NAMES = ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'timeoutSeconds', 'sendInitialEvents'];
const WATCH_PARAM_NAMES = ['watch', 'allowWatchBookmarks'];
const listParam = (n: string) => queryParam(n, `${n} of the list or watch.`, n === 'limit' || n === 'timeoutSeconds' ? 'integer' : WATCH_PARAM_NAMES.includes(n) || n === 'sendInitialEvents' ? 'boolean' : 'string');
const LIST_PARAMS = [...LIST_PARAM_NAMES, ...WATCH_PARAM_NAMES].map(listParam);
/** deletecollection takes DeleteOptions and ListOptions without the watch ones, as kube-apiserver documents it. */
const DELETE_COLLECTION_PARAMS = [...DELETE_PARAMS, ...LIST_PARAM_NAMES.map(listParam)];

/** kube-openapi's ToValidOperationID: drops what is not a letter, `_` or a non-leading digit, capitalising the next letter. */
function validOperationId(s: string, capitalizeFirst: boolean): string {
  let out = '';
  let capitalize = capitalizeFirst;
  for (const [i, ch] of [...s].entries()) {
    if (/\p{L}|_/u.test(ch) || (i !== 0 && /\p{Nd}/u.test(ch))) {
      out += capitalize ? ch.toUpperCase() : ch;
      capitalize = false;
    } else capitalize = true;
  }
  return out;
}

const upperFirst = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/**
 * An operation's id and tag as kube-apiserver names them (for built-ins and CRDs alike): the verb,
 * the group and version in UpperCamelCase (`WardleExampleComV1alpha1`), then the rest of the
 * operation name (`NamespacedFlunder`, `CollectionNamespacedFlunder`, `FlunderForAllNamespaces`,
 * `NamespacedFlunderStatus`); the tag is `wardleExampleCom_v1alpha1`.
 */
export function operationNaming(verb: string, group: string, version: string, rest: string): { operationId: string; tags: string[] } {
  return { operationId: `${verb}${validOperationId(group, true)}${validOperationId(version, true)}${rest}`, tags: [`${validOperationId(group, false)}_${version}`] };
}

/** The OpenAPI name of the kind a subresource speaks (`io.k8s.api.autoscaling.v1.Scale`), or undefined for the resource's own. */
export function subresourceDefinitionName(rest: Rest): string | undefined {
  return rest.kind ? rest.kind.openApiName ?? definitionName(rest.kind.group, rest.kind.version, rest.kind.kind) : undefined;
}

/**
 * The OpenAPI paths of one resource version: the collection, the item and one path per
 * subresource, each with exactly the operations its REST object implements (with
 * kube-apiserver's action extensions).
 */
export function resourcePaths(api: ApiResource, version: VersionDefinition, dialect: Dialect, ref: (n: string) => string): Record<string, Operation> {
  const { resource, rest } = api;
  const gvk = { group: resource.group, version: version.name, kind: resource.kind };
  const obj = definitionName(resource.group, version.name, resource.kind);
  const list = definitionName(resource.group, version.name, resource.listKind);
  const body = (name: string, types: string[], required: boolean) => requestBody(dialect, ref(name), types, required);
  const ok = (name: string, code = '200') => response(dialect, ref(name), code);
  const scope = resource.namespaced ? 'Namespaced' : '';
  /** `name` is kube-apiserver's route operation name split at the verb: `['deletecollection' → 'delete', 'CollectionNamespacedFlunder']`. */
  const op = (action: string, verb: string, rest: string, extra: Operation): Operation => ({
    ...operationNaming(verb, resource.group, version.name, rest),
    'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk, ...extra,
  });
  /** The request body (v2: a `body` parameter before the query parameters; v3: requestBody) and the query parameters. */
  const withBody = (name: string, types: string[], parameters: Operation[]): Operation => {
    const b = body(name, types, name !== `${META}.DeleteOptions`);
    return dialect === 'v2' ? { consumes: b.consumes, parameters: [...(b.parameters as Operation[]), ...parameters] } : { ...b, parameters };
  };
  const nsParam = resource.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' }, type: 'string', description: 'object name and auth scope, such as for teams and projects' }] : [];
  const nameParam = [{ name: 'name', in: 'path', required: true, schema: { type: 'string' }, type: 'string', description: `name of the ${resource.kind}` }];
  const base = `/apis/${resource.group}/${version.name}${resource.namespaced ? '/namespaces/{namespace}' : ''}/${resource.plural}`;
  const collection: Operation = {
    ...(serves(rest, 'list') ? { get: op('list', 'list', `${scope}${resource.kind}`, { parameters: LIST_PARAMS, responses: ok(list) }) } : {}),
    ...(serves(rest, 'create') ? { post: op('post', 'create', `${scope}${resource.kind}`, { ...withBody(obj, JSON_TYPES, WRITE_PARAMS), responses: { ...ok(obj), ...ok(obj, '201') } }) } : {}),
    ...(serves(rest, 'deletecollection') ? { delete: op('deletecollection', 'delete', `Collection${scope}${resource.kind}`, { ...withBody(`${META}.DeleteOptions`, JSON_TYPES, DELETE_COLLECTION_PARAMS), responses: ok(`${META}.Status`) }) } : {}),
    parameters: nsParam,
  };
  const item = (sub: string, target: Rest) => {
    const named = `${scope}${resource.kind}${upperFirst(sub)}`;
    const kind = subresourceDefinitionName(target) ?? obj;
    const ops: Operation = {};
    if (target.connect) {
      for (const method of target.connectMethods ?? []) {
        ops[method.toLowerCase()] = op('connect', 'connect', `${upperFirst(method.toLowerCase())}${named}`, { responses: { 200: { description: 'OK' } } });
      }
    }
    if (target.get) ops.get = op('get', 'read', named, { responses: ok(kind) });
    if (target.update) ops.put = op('put', 'replace', named, { ...withBody(kind, JSON_TYPES, WRITE_PARAMS), responses: ok(kind) });
    if (serves(target, 'patch') && !target.connect) ops.patch = op('patch', 'patch', named, { ...withBody(`${META}.Patch`, PATCH_TYPES, PATCH_PARAMS), responses: ok(kind) });
    if (target.delete) ops.delete = op('delete', 'delete', named, { ...withBody(`${META}.DeleteOptions`, JSON_TYPES, DELETE_PARAMS), responses: ok(`${META}.Status`) });
    return { ...ops, parameters: [...nameParam, ...nsParam] };
  };
  const paths: Record<string, Operation> = { [base]: collection, [`${base}/{name}`]: item('', rest) };
  for (const [name, sub] of api.subresources) paths[`${base}/{name}/${name}`] = item(name, sub);
  if (resource.namespaced && serves(rest, 'list')) paths[`/apis/${resource.group}/${version.name}/${resource.plural}`] = { get: op('list', 'list', `${resource.kind}ForAllNamespaces`, { parameters: LIST_PARAMS, responses: ok(list) }) };
  return paths;
}

/** The request body: required for objects and patches, optional for DeleteOptions (as kube-apiserver documents them). */
function requestBody(dialect: Dialect, schemaRef: string, types: string[], required: boolean): Operation {
  if (dialect === 'v2') return { consumes: types, parameters: [{ name: 'body', in: 'body', ...(required ? { required } : {}), schema: { $ref: schemaRef } }] };
  return { requestBody: { ...(required ? { required } : {}), content: Object.fromEntries(types.map((t) => [t, { schema: { $ref: schemaRef } }])) } };
}

function response(dialect: Dialect, schemaRef: string, code: string): Operation {
  if (dialect === 'v2') return { [code]: { description: 'OK', schema: { $ref: schemaRef } } };
  return { [code]: { description: 'OK', content: { 'application/json': { schema: { $ref: schemaRef } } } } };
}
