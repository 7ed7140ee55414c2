import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../../apimachinery/types.ts';
import { badRequest, invalid, StatusError } from '../../errors/status-error.ts';
import { TypedValueError } from '../../apply/index.ts';
import { parseFieldValidation } from '../codec.ts';
import { fieldManagerFor, managerName } from '../field-managers.ts';
import { readBody, writeObject } from '../http.ts';
import { negotiate } from '../negotiation.ts';
import { scopeNamespace, toRequestVersion, writeContext, type RequestScope } from '../scope.ts';
import type { Creater, Getter, Updater } from '../../rest/interfaces.ts';

/**
 * PATCH with `application/apply-patch+yaml`: server-side apply. Creates the object when it does
 * not exist (201), merges the applied configuration by the schema and records ownership otherwise;
 * fields other managers own answer 409 Conflict unless `force=true`.
 */
export async function handleApply(scope: RequestScope<Updater & Getter & Partial<Creater>>): Promise<void> {
  const representation = negotiate(scope.req.headers.accept, false);
  const ctx = writeContext(scope, 'PatchOptions');
  parseFieldValidation(scope.query.get('fieldValidation'), 'PatchOptions');
  const manager = scope.query.get('fieldManager') ?? '';
  if (!manager) {
    throw invalid('PatchOptions', 'meta.k8s.io', '', [{ type: 'FieldValueRequired', field: 'fieldManager', detail: 'Required value: is required for apply patch' }]);
  }
  managerName(scope, 'PatchOptions');
  const force = parseForce(scope.query.get('force'));
  const patch = decodeApplyBody((await readBody(scope.req)).toString('utf8'));
  const fm = fieldManagerFor(scope);
  if (!fm) throw new StatusError(415, 'UnsupportedMediaType', `server-side apply is not supported for the ${scope.info.subresource} subresource`);
  const applyTo = (current: KubeObject | undefined): KubeObject => {
    const live = current ? toRequestVersion(scope, current) : undefined;
    let obj: KubeObject;
    try {
      obj = fm.apply(live, structuredClone(patch), manager, force);
    } catch (err) {
      if (err instanceof TypedValueError) throw badRequest(`failed to create typed patch object (${typeString(scope)}): ${err.message}`);
      throw err;
    }
    scope.codec.normalizeApplied(obj);
    checkNameAndNamespace(scope, obj);
    scope.codec.validate(obj, scope.info.subresource);
    return scope.codec.toStorage(obj);
  };
  const namespace = scopeNamespace(scope);
  let status = 200;
  let result;
  try {
    result = await scope.rest.update(namespace, scope.info.name, applyTo, ctx);
  } catch (err) {
    if (!(err instanceof StatusError && err.reason === 'NotFound') || scope.info.subresource || !scope.rest.create) throw err;
    result = await scope.rest.create(namespace, applyTo(undefined), ctx);
    status = 201;
  }
  const obj = toRequestVersion(scope, result.object);
  if (representation.kind === 'partial') {
    writeObject(scope.res, status, { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${representation.version}`, metadata: obj.metadata }, { warnings: result.warnings });
    return;
  }
  writeObject(scope.res, status, obj, { warnings: result.warnings, yaml: representation.kind === 'object' && representation.format === 'yaml' });
}

function typeString(scope: RequestScope<unknown>): string {
  const { group, kind } = scope.resource;
  return `${group}/${scope.codec.version.name}, Kind=${kind}`;
}

/** `force` as a Go bool query parameter; anything else is a 400 as upstream's parameter codec answers. */
function parseForce(value: string | null): boolean {
  if (value === null || value === '') return false;
  if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(value)) return true;
  if (['false', '0', 'f', 'F', 'FALSE', 'False'].includes(value)) return false;
  throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}

function decodeApplyBody(text: string): KubeObject {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw badRequest(`error decoding YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (value === null || value === undefined) value = {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`error decoding YAML: the applied configuration must be an object`);
  const obj = value as KubeObject;
  return obj;
}

function checkNameAndNamespace(scope: RequestScope<unknown>, obj: KubeObject): void {
  const name = obj.metadata?.name ?? '';
  if (name !== scope.info.name) throw badRequest(`the name of the object (${name}) does not match the name on the URL (${scope.info.name})`);
  const ns = scope.info.namespace;
  if (scope.resource.namespaced && ns) {
    if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw badRequest(`the namespace of the object (${obj.metadata.namespace}) does not match the namespace on the request (${ns})`);
    }
    obj.metadata.namespace = ns;
  }
}
