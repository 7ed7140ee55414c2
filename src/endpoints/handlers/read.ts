import type { KubeObject } from '../../apimachinery/types.ts';
import { EncodedJson, writeObject } from '../http.ts';
import { parseListQuery, withRequestedRevision } from '../list-options.ts';
import { negotiate } from '../negotiation.ts';
import { scopeNamespace, toRequestVersion, type RequestScope } from '../scope.ts';
import { buildTable, parseIncludeObject, partialObjectMetadata } from '../table.ts';
import type { Getter, Lister } from '../../rest/interfaces.ts';
import type { ListResult } from '../../storage/interface.ts';

/** GET of one object: the object, its Table row, or its PartialObjectMetadata, as Accept asks. */
export async function handleGet(scope: RequestScope<Getter>): Promise<void> {
  const representation = negotiate(scope.req.headers.accept, false);
  const stored = await scope.rest.get(scopeNamespace(scope), scope.info.name);
  const obj = toRequestVersion(scope, stored, true);
  respondWith(scope, representation, [obj], null);
}

/** GET of a collection: a <Kind>List, a Table, or a PartialObjectMetadataList, paged and filtered. */
export async function handleList(scope: RequestScope<Lister>): Promise<void> {
  const representation = negotiate(scope.req.headers.accept, true);
  const namespace = scopeNamespace(scope);
  const query = parseListQuery(scope.query, scope.resource, namespace, false);
  const result = await scope.rest.list(namespace, query.storage).catch((err: unknown) => { throw withRequestedRevision(err, query.resourceVersion); });
  const listMeta: Record<string, unknown> = { resourceVersion: String(result.resourceVersion) };
  if (result.continue) listMeta.continue = result.continue;
  if (result.remainingItemCount !== undefined && result.continue) listMeta.remainingItemCount = result.remainingItemCount;
  const encoded = encodedList(scope, representation, result, listMeta);
  if (encoded) {
    writeObject(scope.res, 200, encoded);
    return;
  }
  const items = result.items.map((o) => toRequestVersion(scope, o, true));
  respondWith(scope, representation, items, listMeta);
}

/**
 * The JSON list answer built from the items' encoded forms (serialise once), when the store gave
 * them and they are exactly what the request asks for: JSON objects of the version they are
 * stored in, with no conversion (the same bytes JSON.stringify of the decoded list gives).
 */
function encodedList(scope: RequestScope<Lister>, representation: ReturnType<typeof negotiate>, result: ListResult, listMeta: Record<string, unknown>): EncodedJson | undefined {
  const { encoded } = result;
  if (!encoded || representation.kind !== 'object' || representation.format !== 'json') return undefined;
  if (encoded.apiVersion !== scope.codec.apiVersion || scope.codec.version.fromStorage) return undefined;
  const { listKind } = scope.resource;
  const head = JSON.stringify({ kind: listKind, apiVersion: scope.codec.apiVersion, metadata: listMeta });
  const text = `${head.slice(0, -1)},"items":[${encoded.items.join(',')}]}`;
  return new EncodedJson(text, () => ({ kind: listKind, apiVersion: scope.codec.apiVersion, metadata: listMeta, items: result.items.map((o) => toRequestVersion(scope, o, true)) }));
}

function respondWith(scope: RequestScope<unknown>, representation: ReturnType<typeof negotiate>, items: KubeObject[], listMeta: Record<string, unknown> | null): void {
  const { resource } = scope;
  if (representation.kind === 'table') {
    const include = parseIncludeObject(scope.query.get('includeObject'));
    writeObject(scope.res, 200, buildTable(items, scope.codec.version, representation.version, include, listMeta ?? { resourceVersion: items[0]?.metadata.resourceVersion }));
    return;
  }
  if (representation.kind === 'partial') {
    const partials = items.map((o) => partialObjectMetadata(o, representation.version));
    const body = listMeta
      ? { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${representation.version}`, metadata: listMeta, items: partials }
      : partials[0];
    writeObject(scope.res, 200, body);
    return;
  }
  const body = listMeta
    ? { kind: resource.listKind, apiVersion: scope.codec.apiVersion, metadata: listMeta, items }
    : items[0];
  writeObject(scope.res, 200, body, { yaml: representation.format === 'yaml' });
}
