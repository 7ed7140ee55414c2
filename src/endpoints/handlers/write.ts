import type { KubeObject } from '../../apimachinery/types.ts';
import { badRequest, invalid, StatusError } from '../../errors/status-error.ts';
import { parseFieldValidation } from '../codec.ts';
import { readBody, writeObject } from '../http.ts';
import { bodyType, negotiate } from '../negotiation.ts';
import { scopeNamespace, toRequestVersion, writeContext, type OptionsKind, type RequestScope } from '../scope.ts';
import { applyPatch } from './patch.ts';
import { decodePatchStrictly, goValueString, strictPatchError } from '../patch-decoding.ts';
import { goJson } from '../../apimachinery/validation/go-format.ts';
import type { Creater, Getter, Updater } from '../../rest/interfaces.ts';
import { handleApply } from './apply.ts';
import { managerName, recordUpdate } from '../field-managers.ts';
import { deepCopy } from '../../apimachinery/deep-copy.ts';

/** POST to a collection: creates the object and answers 201 (also for dryRun, as kube-apiserver does). */
export async function handleCreate(scope: RequestScope<Creater>): Promise<void> {
  const representation = negotiate(scope.req.headers.accept, false);
  const ctx = writeContext(scope, 'CreateOptions');
  const { object, warnings } = await decodeRequestBody(scope, 'CreateOptions');
  checkNamespace(scope, object, 'create');
  if (scope.info.name) throw new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  const tracked = recordUpdate(scope, undefined, object, managerName(scope, 'CreateOptions'));
  const ruleWarnings = scope.codec.validate(tracked);
  const result = await scope.rest.create(scopeNamespace(scope), scope.codec.toStorage(tracked), ctx);
  respondObject(scope, representation, 201, result.object, [...warnings, ...ruleWarnings, ...result.warnings]);
}

/** PUT of one object (or its status): optimistic concurrency on metadata.resourceVersion. */
export async function handleUpdate(scope: RequestScope<Updater>): Promise<void> {
  const representation = negotiate(scope.req.headers.accept, false);
  const ctx = writeContext(scope, 'UpdateOptions');
  const { object, warnings } = await decodeRequestBody(scope, 'UpdateOptions');
  checkNamespace(scope, object, 'update');
  if (object.metadata.name !== scope.info.name) throw nameMismatch(object, scope);
  if (!scope.codec.hasRules) scope.codec.validate(object, scope.info.subresource);
  const manager = managerName(scope, 'UpdateOptions');
  let ruleWarnings: string[] = [];
  const track = (current: KubeObject): KubeObject => {
    if (!scope.rest.allowsUnconditionalUpdate) requireResourceVersion(object, scope);
    const old = toRequestVersion(scope, current);
    if (scope.codec.hasRules) ruleWarnings = scope.codec.validate(object, scope.info.subresource, old);
    const tracked = recordUpdate(scope, old, deepCopy(object), manager);
    return scope.codec.toStorage(tracked);
  };
  const result = await scope.rest.update(scopeNamespace(scope), scope.info.name, track, ctx);
  respondObject(scope, representation, 200, result.object, [...warnings, ...ruleWarnings, ...result.warnings]);
}

/** PATCH of one object (or its status) with a JSON, merge or strategic merge patch, or server-side apply. */
export async function handlePatch(scope: RequestScope<Updater & Getter>): Promise<void> {
  const representation = negotiate(scope.req.headers.accept, false);
  const type = bodyType(scope.req.headers['content-type'], ['json-patch', 'merge-patch', 'strategic-merge-patch', 'apply-patch']);
  if (type === 'apply-patch') return handleApply(scope);
  if (scope.query.has('force')) {
    throw invalid('PatchOptions', 'meta.k8s.io', '', [{ type: 'FieldValueForbidden', field: 'force', detail: 'Forbidden: may not be specified for non-apply patch' }]);
  }
  const ctx = writeContext(scope, 'PatchOptions');
  const manager = managerName(scope, 'PatchOptions');
  const validation = parseFieldValidation(scope.query.get('fieldValidation'), 'PatchOptions');
  const patchText = (await readBody(scope.req)).toString('utf8');
  const patchDuplicates = validation === 'Ignore' ? [] : decodePatchStrictly(type, patchText);
  let warnings: string[] = [];
  const mutate = (current: KubeObject): KubeObject => {
    const versioned = toRequestVersion(scope, current);
    const patched = applyPatch(type, versioned, patchText, scope.codec.version.schema);
    const patchedJson = validation === 'Strict' && type !== 'strategic-merge-patch' ? goJson(patched) : '';
    const shown = () => (type === 'strategic-merge-patch' ? goValueString(JSON.parse(patchText)) : patchedJson);
    const normalized = scope.codec.normalize(patched, validation, patchDuplicates, (problems) => strictPatchError(shown(), problems));
    const obj = recordUpdate(scope, versioned, normalized.object, manager);
    if (obj.metadata.name !== scope.info.name) throw nameMismatch(obj, scope);
    warnings = [...normalized.warnings, ...scope.codec.validate(obj, scope.info.subresource, versioned)];
    return scope.codec.toStorage(obj);
  };
  const result = await scope.rest.update(scopeNamespace(scope), scope.info.name, mutate, ctx);
  respondObject(scope, representation, 200, result.object, [...warnings, ...result.warnings]);
}

function nameMismatch(obj: KubeObject, scope: RequestScope<unknown>) {
  return badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${scope.info.name})`);
}

/**
 * An update must name the resourceVersion it replaces (the generic store's
 * AllowUnconditionalUpdate is false): checked once the object is known to exist, as upstream.
 */
function requireResourceVersion(desired: KubeObject, scope: RequestScope<unknown>): KubeObject {
  if (desired.metadata.resourceVersion) return desired;
  const { plural, group } = scope.resource;
  throw invalid(plural, group, scope.info.name, [{ type: 'FieldValueInvalid', field: 'metadata.resourceVersion', detail: 'Invalid value: 0: must be specified for an update' }]);
}

async function decodeRequestBody(scope: RequestScope<unknown>, optionsKind: OptionsKind): Promise<{ object: KubeObject; warnings: string[] }> {
  const type = bodyType(scope.req.headers['content-type'], ['json', 'yaml']);
  const validation = parseFieldValidation(scope.query.get('fieldValidation'), optionsKind);
  const body = await readBody(scope.req);
  return scope.codec.decode(body, type === 'yaml' ? 'yaml' : 'json', validation, scope.codecs);
}

function checkNamespace(scope: RequestScope<unknown>, obj: KubeObject, verb: string): void {
  if (!scope.resource.namespaced) return;
  const pathNs = scope.info.namespace;
  const bodyNs = obj.metadata.namespace;
  if (bodyNs && pathNs && bodyNs !== pathNs) {
    throw badRequest(`the namespace of the provided object does not match the namespace sent on the request`);
  }
  if (!pathNs) throw badRequest(`the server could not find the requested resource (${verb} ${scope.resource.plural})`);
  obj.metadata.namespace = pathNs;
}

function respondObject(scope: RequestScope<unknown>, representation: ReturnType<typeof negotiate>, status: number, stored: KubeObject, warnings: string[]): void {
  const obj = toRequestVersion(scope, stored);
  if (representation.kind === 'partial') {
    writeObject(scope.res, status, { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${representation.version}`, metadata: obj.metadata }, { warnings });
    return;
  }
  writeObject(scope.res, status, obj, { warnings, yaml: representation.kind === 'object' && representation.format === 'yaml' });
}
