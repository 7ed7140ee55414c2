import type { KubeObject } from '../../apimachinery/types.ts';
import { badRequest, invalid, StatusError } from '../../errors/status-error.ts';
import { TypedValueError } from '../../apply/index.ts';
import { parseFieldValidation } from '../codec.ts';
import { fieldManagerFor, managerName } from '../field-managers.ts';
import { readBody, writeObject } from '../http.ts';
import { parseYamlBodyAllowingDuplicates } from '../yaml-body.ts';
import { warningHeaderValues } from '../warning-header.ts';
import { negotiate } from '../negotiation.ts';
import { scopeNamespace, toRequestVersion, writeContext, type RequestScope } from '../scope.ts';
import type { Creater, Getter, Updater } from '../../rest/interfaces.ts';
import { deepCopy } from '../../apimachinery/deep-copy.ts';

/**
 * PATCH with `application/apply-patch+yaml`: server-side apply. Creates the object when it does
 * not exist (201), merges the applied configuration by the schema and records ownership otherwise;
 * fields other managers own answer 409 Conflict unless `force=true`. Duplicate keys in the body
 * are accepted (the last wins) and, once the apply succeeded, refused with 400 under
 * fieldValidation=Strict or returned as warnings under Warn (the default), as upstream.
 */
export async function handleApply(scope: RequestScope<Updater & Getter & Partial<Creater>>): Promise<void> {
  const representation = negotiate(scope.req.headers.accept, false);
  const ctx = writeContext(scope, 'PatchOptions');
  const validation = parseFieldValidation(scope.query.get('fieldValidation'), 'PatchOptions');
  const manager = scope.query.get('fieldManager') ?? '';
  if (!manager) {
    throw invalid('PatchOptions', 'meta.k8s.io', '', [{ type: 'FieldValueRequired', field: 'fieldManager', detail: 'Required value: is required for apply patch' }]);
  }
  managerName(scope, 'PatchOptions');
  const force = parseForce(scope.query.get('force'));
  const { patch, duplicates } = decodeApplyBody((await readBody(scope.req)).toString('utf8'));
  const strictWarnings = validation === 'Warn' ? duplicates : [];
  let warned = false;
  const fm = fieldManagerFor(scope);
  if (!fm) throw new StatusError(415, 'UnsupportedMediaType', `server-side apply is not supported for the ${scope.info.subresource} subresource`);
  let ruleWarnings: string[] = [];
  const applyTo = (current: KubeObject | undefined): KubeObject => {
    const live = current ? toRequestVersion(scope, current) : undefined;
    let obj: KubeObject;
    try {
      obj = fm.apply(live, deepCopy(patch), manager, force);
    } catch (err) {
      if (err instanceof TypedValueError) throw badRequest(`failed to create typed patch object (${objectKey(patch)}; ${typeString(scope)}): ${err.message}`);
      throw err;
    }
    if (validation === 'Strict' && duplicates.length > 0) {
      throw badRequest(`error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  ${duplicates.join('\n  ')}`);
    }
    warned = strictWarnings.length > 0;
    scope.codec.normalizeApplied(obj);
    checkNameAndNamespace(scope, obj);
    ruleWarnings = scope.codec.validate(obj, scope.info.subresource, live);
    return scope.codec.toStorage(obj);
  };
  const namespace = scopeNamespace(scope);
  let status = 200;
  let result;
  try {
    try {
      result = await scope.rest.update(namespace, scope.info.name, applyTo, ctx);
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'NotFound') || scope.info.subresource || !scope.rest.create) throw err;
      result = await scope.rest.create(namespace, applyTo(undefined), ctx);
      status = 201;
    }
  } catch (err) {
    // Warnings recorded before a later step failed (validation, admission) go out with the error, as upstream's.
    if (warned) scope.res.setHeader('warning', warningHeaderValues(strictWarnings));
    throw err;
  }
  const obj = toRequestVersion(scope, result.object);
  if (representation.kind === 'partial') {
    writeObject(scope.res, status, { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${representation.version}`, metadata: obj.metadata }, { warnings: [...strictWarnings, ...ruleWarnings, ...result.warnings] });
    return;
  }
  writeObject(scope.res, status, obj, { warnings: [...strictWarnings, ...ruleWarnings, ...result.warnings], yaml: representation.kind === 'object' && representation.format === 'yaml' });
}

/** `<namespace>/<name>` as the applied configuration gives them (either may be empty), as upstream names the patch object. */
function objectKey(patch: KubeObject): string {
  const meta = (patch.metadata ?? {}) as { namespace?: unknown; name?: unknown };
  return `${typeof meta.namespace === 'string' ? meta.namespace : ''}/${typeof meta.name === 'string' ? meta.name : ''}`;
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

/** The applied configuration, and its duplicate keys as sigs.k8s.io/yaml's UnmarshalStrict words them. */
function decodeApplyBody(text: string): { patch: KubeObject; duplicates: string[] } {
  let parsed: { value: unknown; duplicates: string[] };
  try {
    parsed = parseYamlBodyAllowingDuplicates(text);
  } catch (err) {
    throw badRequest(`error decoding YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const value = parsed.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`error decoding YAML: the applied configuration must be an object`);
  return { patch: value as KubeObject, duplicates: parsed.duplicates };
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
