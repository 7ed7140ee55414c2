import type { KubeObject } from '../apimachinery/types.ts';
import { invalid } from '../errors/status-error.ts';
import { FieldManager, fieldElement, setOf, typeOfResourceSchema, type FieldSet, type VersionTypes } from '../apply/index.ts';
import type { VersionCodec } from './codec.ts';
import type { OptionsKind, RequestScope } from './scope.ts';
import { deepCopy } from '../apimachinery/deep-copy.ts';

const managers = new WeakMap<VersionCodec, Map<string, FieldManager>>();

/** The longest field manager name kube-apiserver accepts (FieldManagerMaxLength). */
export const FIELD_MANAGER_MAX_LENGTH = 128;

const STATUS_ONLY: FieldSet = setOf([fieldElement('spec')]);
const MAIN_ONLY: FieldSet = setOf([fieldElement('status')]);

/**
 * The FieldManager of a request's version and subresource (the main resource and `status`;
 * undefined for other subresources, whose bodies are other kinds). Fields a write cannot change
 * are not recorded, as the CRD strategies' reset fields say: `status` for the main resource when
 * the status subresource is on, `spec` for the status subresource.
 */
export function fieldManagerFor(scope: RequestScope<unknown>): FieldManager | undefined {
  return fieldManagerOf(scope.codec, scope.codecs, scope.info.subresource || '');
}

/**
 * The FieldManager of `codec`'s version for `subresource` ('' for the main resource), one per
 * codec and subresource; `codecs` are the resource's served versions (for conversions).
 * Undefined for subresources without field management.
 */
export function fieldManagerOf(codec: VersionCodec, codecs: Map<string, VersionCodec>, subresource: string): FieldManager | undefined {
  if (subresource !== '' && subresource !== 'status') return undefined;
  let byPath = managers.get(codec);
  if (!byPath) { byPath = new Map(); managers.set(codec, byPath); }
  let fm = byPath.get(subresource);
  if (!fm) {
    fm = new FieldManager({
      group: codec.resource.group, kind: codec.resource.kind, apiVersion: codec.apiVersion, subresource,
      types: versionTypes(codecs, subresource === 'status' ? STATUS_ONLY : codec.resource.subresources.status ? MAIN_ONLY : undefined),
    });
    byPath.set(subresource, fm);
  }
  return fm;
}

/**
 * `next` with the managedFields of a create (`live` undefined), update or non-apply patch by
 * `manager` recorded; unchanged for subresources without field management.
 */
export function recordUpdate(scope: RequestScope<unknown>, live: KubeObject | undefined, next: KubeObject, manager: string): KubeObject {
  return fieldManagerFor(scope)?.update(live, next, manager) ?? next;
}

function versionTypes(codecs: Map<string, VersionCodec>, ignored: FieldSet | undefined): VersionTypes {
  return {
    typeOf: (apiVersion) => {
      const codec = codecs.get(apiVersion);
      return codec ? typeOfResourceSchema(codec.version.schema) : undefined;
    },
    convert: (obj, from, to) => {
      if (from === to || obj === null || typeof obj !== 'object') return obj;
      const source = codecs.get(from)!;
      const target = codecs.get(to)!;
      return target.fromStorage(source.toStorage(deepCopy(obj) as KubeObject), true);
    },
    ignored: () => ignored,
  };
}

/**
 * The manager name of a write: `fieldManager`, or else the user agent up to its first `/`
 * (printable characters, at most 128 bytes), as kube-apiserver's managerOrUserAgent.
 * @throws StatusError 422 on the options kind for a name too long or not printable.
 */
export function managerName(scope: RequestScope<unknown>, optionsKind: OptionsKind): string {
  const given = scope.query.get('fieldManager') ?? '';
  if (given) {
    if (Buffer.byteLength(given) > FIELD_MANAGER_MAX_LENGTH) {
      throw invalid(optionsKind, 'meta.k8s.io', '', [{ type: 'FieldValueTooLong', field: 'fieldManager', detail: `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes` }]);
    }
    if (!isPrintable(given)) {
      throw invalid(optionsKind, 'meta.k8s.io', '', [{ type: 'FieldValueInvalid', field: 'fieldManager', detail: `Invalid value: ${JSON.stringify(given)}: must only contain printable characters` }]);
    }
    return given;
  }
  return prefixFromUserAgent(String(scope.req.headers['user-agent'] ?? ''));
}

function isPrintable(s: string): boolean {
  return !/[\p{C}\p{Z}]/u.test(s.replace(/ /g, 'a'));
}

/** The user agent up to its first `/`, printable characters only, cut at 128 bytes. */
export function prefixFromUserAgent(userAgent: string): string {
  let out = '';
  for (const ch of userAgent.split('/')[0]) {
    if (!isPrintable(ch)) continue;
    if (Buffer.byteLength(out + ch) > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
  }
  return out;
}
