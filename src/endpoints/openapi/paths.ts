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
const LIST_PARAMS = ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'timeoutSeconds', 'watch', 'allowWatchBookmarks', 'sendInitialEvents']
  .map((n) => queryParam(n, `${n} of the list or watch.`, n === 'limit' || n === 'timeoutSeconds' ? 'integer' : n === 'watch' || n === 'allowWatchBookmarks' || n === 'sendInitialEvents' ? 'boolean' : 'string'));

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
  const body = (name: string, types: string[]) => requestBody(dialect, ref(name), types);
  const ok = (name: string, code = '200') => response(dialect, ref(name), code);
  const op = (action: string, id: string, extra: Operation): Operation => ({
    operationId: `${id}${version.name[0].toUpperCase()}${version.name.slice(1)}${resource.kind}`, tags: [`${resource.group}_${version.name}`],
    'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk, ...extra,
  });
  const nsParam = resource.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' }, type: 'string', description: 'object name and auth scope, such as for teams and projects' }] : [];
  const nameParam = [{ name: 'name', in: 'path', required: true, schema: { type: 'string' }, type: 'string', description: `name of the ${resource.kind}` }];
  const base = `/apis/${resource.group}/${version.name}${resource.namespaced ? '/namespaces/{namespace}' : ''}/${resource.plural}`;
  const collection: Operation = {
    ...(serves(rest, 'list') ? { get: op('list', 'list', { parameters: LIST_PARAMS, responses: ok(list) }) } : {}),
    ...(serves(rest, 'create') ? { post: op('post', 'create', { ...body(obj, JSON_TYPES), parameters: WRITE_PARAMS, responses: { ...ok(obj), ...ok(obj, '201') } }) } : {}),
    ...(serves(rest, 'deletecollection') ? { delete: op('deletecollection', 'deleteCollection', { parameters: LIST_PARAMS, responses: ok(`${META}.Status`) }) } : {}),
    parameters: nsParam,
  };
  const item = (sub: string, target: Rest) => {
    const prefix = sub ? sub[0].toUpperCase() + sub.slice(1) : '';
    const kind = subresourceDefinitionName(target) ?? obj;
    const ops: Operation = {};
    if (target.connect) {
      for (const method of target.connectMethods ?? []) {
        const name = method[0] + method.slice(1).toLowerCase();
        ops[method.toLowerCase()] = op('connect', `connect${name}${prefix}`, { responses: { 200: { description: 'OK' } } });
      }
    }
    if (target.get) ops.get = op('get', `read${prefix}`, { responses: ok(kind) });
    if (target.update) ops.put = op('put', `replace${prefix}`, { ...body(kind, JSON_TYPES), parameters: WRITE_PARAMS, responses: ok(kind) });
    if (serves(target, 'patch') && !target.connect) ops.patch = op('patch', `patch${prefix}`, { ...body(`${META}.Patch`, PATCH_TYPES), parameters: WRITE_PARAMS, responses: ok(kind) });
    if (target.delete) ops.delete = op('delete', `delete${prefix}`, { parameters: [queryParam('dryRun', 'dry run'), queryParam('propagationPolicy', 'propagation policy')], responses: ok(`${META}.Status`) });
    return { ...ops, parameters: [...nameParam, ...nsParam] };
  };
  const paths: Record<string, Operation> = { [base]: collection, [`${base}/{name}`]: item('', rest) };
  for (const [name, sub] of api.subresources) paths[`${base}/{name}/${name}`] = item(name, sub);
  if (resource.namespaced && serves(rest, 'list')) paths[`/apis/${resource.group}/${version.name}/${resource.plural}`] = { get: op('list', 'listForAllNamespaces', { parameters: LIST_PARAMS, responses: ok(list) }) };
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
