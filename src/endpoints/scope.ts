import type { Resource, UserInfo } from '../resource/define-resource.ts';
import type { Rest, WriteContext } from '../rest/interfaces.ts';
import type { VersionCodec } from './codec.ts';
import type { HttpRequest, HttpResponse } from './http.ts';
import type { RequestEnd } from './request-end.ts';
import type { RequestInfo } from './request-info.ts';
import type { KubeObject } from '../apimachinery/types.ts';
import { invalid } from '../errors/status-error.ts';
import { auditOf } from '../audit/context.ts';

/** Everything a resource handler needs about one request; `rest` is the REST object serving it. */
export interface RequestScope<R = Rest> {
  req: HttpRequest;
  res: HttpResponse;
  info: RequestInfo;
  query: URLSearchParams;
  user?: UserInfo;
  /** The codec of the version in the path. */
  codec: VersionCodec;
  /** Codecs of every served version of this resource, by apiVersion. */
  codecs: Map<string, VersionCodec>;
  /** The REST object of the {resource, subresource} of the path. */
  rest: R;
  /** The resource of the path (for a subresource: its parent). */
  resource: Resource;
  /** Reads all objects of another resource of this server (admission lookups). */
  lookup: WriteContext['lookup'];
  /** Ends when the response closes or the server shuts down (its `signal` is made on first use). */
  ended: RequestEnd;
}

/** The namespace of the request, or undefined for cluster-scoped resources and all-namespace lists. */
export function scopeNamespace(scope: RequestScope<unknown>): string | undefined {
  return scope.resource.namespaced && scope.info.namespace ? scope.info.namespace : undefined;
}

/** The `*Options` kind whose validation errors a verb reports (CreateOptions, UpdateOptions, ...). */
export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions' | 'ListOptions';

/** The WriteContext of a request: user, dryRun, subresource, lookup. */
export function writeContext(scope: RequestScope<unknown>, optionsKind: OptionsKind): WriteContext {
  const dryRun = parseDryRun(scope.query, optionsKind);
  return {
    user: scope.user,
    dryRun,
    subresource: scope.info.subresource || undefined,
    lookup: scope.lookup,
    requestVersion: scope.codec.version.name,
    options: admissionOptions(scope.query, optionsKind, dryRun),
    annotate: (key, value) => auditOf(scope.req)?.annotate(key, value),
  };
}

/**
 * The options object admission reviews carry (`{kind: CreateOptions, apiVersion: meta.k8s.io/v1, ...}`);
 * a patch is an update to admission, so it carries UpdateOptions.
 */
export function admissionOptions(query: URLSearchParams, optionsKind: OptionsKind, dryRun: boolean): Record<string, unknown> {
  const kind = optionsKind === 'PatchOptions' ? 'UpdateOptions' : optionsKind;
  const options: Record<string, unknown> = { kind, apiVersion: 'meta.k8s.io/v1' };
  if (dryRun) options.dryRun = ['All'];
  if (kind === 'DeleteOptions') return options;
  const manager = query.get('fieldManager');
  if (manager) options.fieldManager = manager;
  const validation = query.get('fieldValidation');
  if (validation) options.fieldValidation = validation;
  return options;
}

/** `dryRun=All` → true; absent → false; anything else answers 422 as kube-apiserver does. */
export function parseDryRun(query: URLSearchParams, optionsKind: OptionsKind): boolean {
  const values = query.getAll('dryRun');
  if (values.some((v) => v !== 'All')) {
    const shown = `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
    throw invalid(optionsKind, 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'dryRun', detail: `Unsupported value: ${shown}: supported values: "All"` }]);
  }
  return values.length > 0;
}

/**
 * Converts a storage-version object to the request's version; `owned`: the object came fresh
 * from a storage read and may be converted in place (never for watch events, which are shared).
 */
export function toRequestVersion(scope: RequestScope<unknown>, obj: KubeObject, owned = false): KubeObject {
  return scope.codec.fromStorage(obj, owned);
}
