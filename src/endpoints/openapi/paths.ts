import type { Resource, VersionDefinition } from '../../resource/define-resource.ts';
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
const LIST_PARAMS = ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'timeoutSeconds', 'watch', 'allowWatchBookmarks', 'sendInitialEvents']
  .map((n) => queryParam(n, `${n} of the list or watch.`, n === 'limit' || n === 'timeoutSeconds' ? 'integer' : n === 'watch' || n === 'allowWatchBookmarks' || n === 'sendInitialEvents' ? 'boolean' : 'string'));

/** The OpenAPI paths of one resource version: collection, item, status, with kube-apiserver's action extensions. */
export function resourcePaths(resource: Resource, version: VersionDefinition, dialect: Dialect, ref: (n: string) => string): Record<string, Operation> {
  const gvk = { group: resource.group, version: version.name, kind: resource.kind };
  const obj = definitionName(resource.group, version.name, resource.kind);
  const list = definitionName(resource.group, version.name, resource.listKind);
  const body = (name: string, types: string[]) => requestBody(dialect, ref(name), types);
  const ok = (name: string, code = '200') => response(dialect, ref(name), code);
  const op = (action: string, id: string, extra: Operation): Operation => ({
    operationId: `${id}${version.name[0].toUpperCase()}${version.name.slice(1)}${resource.kind}`, tags: [`${resource.group}_${version.name}`],
    'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk, ...extra,
  });
  const nsParam = resource.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' }, type: 'string', description: 'object name and auth scope, such as for teams and projects' }] : [];
  const nameParam = [{ name: 'name', in: 'path', required: true, schema: { type: 'string' }, type: 'string', description: `name of the ${resource.kind}` }];
  const base = `/apis/${resource.group}/${version.name}${resource.namespaced ? '/namespaces/{namespace}' : ''}/${resource.plural}`;
  const collection = {
    get: op('list', 'list', { parameters: LIST_PARAMS, responses: ok(list) }),
    post: op('post', 'create', { ...body(obj, JSON_TYPES), parameters: WRITE_PARAMS, responses: { ...ok(obj), ...ok(obj, '201') } }),
    delete: op('deletecollection', 'deleteCollection', { parameters: LIST_PARAMS, responses: ok(`${META}.Status`) }),
    parameters: nsParam,
  };
  const item = (suffix: string) => ({
    get: op('get', suffix ? 'readStatus' : 'read', { responses: ok(obj) }),
    put: op('put', suffix ? 'replaceStatus' : 'replace', { ...body(obj, JSON_TYPES), parameters: WRITE_PARAMS, responses: ok(obj) }),
    patch: op('patch', suffix ? 'patchStatus' : 'patch', { ...body(`${META}.Patch`, PATCH_TYPES), parameters: WRITE_PARAMS, responses: ok(obj) }),
    ...(suffix ? {} : { delete: op('delete', 'delete', { parameters: [queryParam('dryRun', 'dry run'), queryParam('propagationPolicy', 'propagation policy')], responses: ok(`${META}.Status`) }) }),
    parameters: [...nameParam, ...nsParam],
  });
  const paths: Record<string, Operation> = { [base]: collection, [`${base}/{name}`]: item('') };
  if (resource.subresources.status) paths[`${base}/{name}/status`] = item('status');
  if (resource.namespaced) paths[`/apis/${resource.group}/${version.name}/${resource.plural}`] = { get: op('list', 'listForAllNamespaces', { parameters: LIST_PARAMS, responses: ok(list) }) };
  return paths;
}

function requestBody(dialect: Dialect, schemaRef: string, types: string[]): Operation {
  if (dialect === 'v2') return { consumes: types, parameters: [{ name: 'body', in: 'body', required: true, schema: { $ref: schemaRef } }] };
  return { requestBody: { required: true, content: Object.fromEntries(types.map((t) => [t, { schema: { $ref: schemaRef } }])) } };
}

function response(dialect: Dialect, schemaRef: string, code: string): Operation {
  if (dialect === 'v2') return { [code]: { description: 'OK', schema: { $ref: schemaRef } } };
  return { [code]: { description: 'OK', content: { 'application/json': { schema: { $ref: schemaRef } } } } };
}
