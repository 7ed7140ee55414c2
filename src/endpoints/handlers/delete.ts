import { parseDeleteOptionsBody, type DeleteOptionsBody } from '../delete-options.ts';
import type { CollectionDeleter, Deleter } from '../../rest/interfaces.ts';
import { readBody, writeObject } from '../http.ts';
import { parseListQuery } from '../list-options.ts';
import { scopeNamespace, toRequestVersion, writeContext, type RequestScope } from '../scope.ts';

/**
 * DELETE of one object. Immediate deletion answers 200 with a Status of Success naming the
 * object (as k8s.io/apiserver's generic store does); an object kept by finalizers answers 200
 * with the object, now carrying deletionTimestamp.
 */
export async function handleDelete(scope: RequestScope<Deleter>): Promise<void> {
  const options = await readDeleteOptions(scope);
  const ctx = { ...writeContext(scope, 'DeleteOptions'), dryRun: writeContext(scope, 'DeleteOptions').dryRun || !!options.dryRun?.includes('All') };
  const result = await scope.rest.delete(scopeNamespace(scope), scope.info.name, options.preconditions ?? {}, ctx);
  if (!result.finished) {
    writeObject(scope.res, 200, toRequestVersion(scope, result.object));
    return;
  }
  writeObject(scope.res, 200, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
    details: { name: result.object.metadata.name, group: scope.resource.group, kind: scope.resource.plural, uid: result.object.metadata.uid },
  });
}

/** DELETE of a collection: deletes every object the selectors match; answers the <Kind>List of them. */
export async function handleDeleteCollection(scope: RequestScope<CollectionDeleter>): Promise<void> {
  const options = await readDeleteOptions(scope);
  const ctx = { ...writeContext(scope, 'DeleteOptions') };
  ctx.dryRun = ctx.dryRun || !!options.dryRun?.includes('All');
  const namespace = scopeNamespace(scope);
  const query = parseListQuery(scope.query, scope.resource, namespace, false);
  const deleted = await scope.rest.deleteCollection(namespace, { predicate: query.predicate }, ctx);
  writeObject(scope.res, 200, {
    kind: scope.resource.listKind, apiVersion: scope.codec.apiVersion,
    metadata: { resourceVersion: String(deleted.resourceVersion) }, items: deleted.items.map((o) => toRequestVersion(scope, o)),
  });
}

async function readDeleteOptions(scope: RequestScope<unknown>): Promise<DeleteOptionsBody> {
  return parseDeleteOptionsBody((await readBody(scope.req)).toString('utf8'), scope.query.get('propagationPolicy'));
}
