import { parseDeleteOptionsBody, toDeleteRequest, type DeleteOptionsBody } from '../delete-options.ts';
import type { CollectionDeleter, Deleter } from '../../rest/interfaces.ts';
import { readBody, writeObject } from '../http.ts';
import { parseListQuery } from '../list-options.ts';
import { scopeNamespace, toRequestVersion, writeContext, type RequestScope } from '../scope.ts';

/**
 * DELETE of one object. Immediate deletion answers 200 with a Status of Success naming the
 * object (as k8s.io/apiserver's generic store does); an object kept by finalizers (its own, or
 * `orphan`/`foregroundDeletion` added for the propagation policy) answers 200 (202 when the
 * request said orphanDependents=false) with the object, now carrying deletionTimestamp.
 */
export async function handleDelete(scope: RequestScope<Deleter>): Promise<void> {
  const options = await readDeleteOptions(scope);
  const base = writeContext(scope, 'DeleteOptions');
  const dryRun = base.dryRun || !!options.dryRun?.includes('All');
  const ctx = { ...base, dryRun, options: deleteOptionsForAdmission(options, dryRun) };
  const result = await scope.rest.delete(scopeNamespace(scope), scope.info.name, toDeleteRequest(options), ctx);
  if (result.emptied) {
    writeObject(scope.res, 200, { apiVersion: scope.codec.apiVersion, kind: scope.resource.kind });
    return;
  }
  if (!result.finished) {
    // As upstream: 202 only for a kept object whose client asked orphanDependents=false.
    writeObject(scope.res, options.orphanDependents === false ? 202 : 200, toRequestVersion(scope, result.object));
    return;
  }
  writeObject(scope.res, 200, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
    details: { name: result.object.metadata.name, group: scope.resource.group, kind: scope.resource.plural, uid: result.object.metadata.uid },
  });
}

/** DELETE of a collection: deletes every object the selectors match with the same options; answers the <Kind>List of them as listed. */
export async function handleDeleteCollection(scope: RequestScope<CollectionDeleter>): Promise<void> {
  const options = await readDeleteOptions(scope);
  const base = writeContext(scope, 'DeleteOptions');
  const ctx = { ...base, options: deleteOptionsForAdmission(options, base.dryRun) };
  ctx.dryRun = ctx.dryRun || !!options.dryRun?.includes('All');
  const namespace = scopeNamespace(scope);
  const query = parseListQuery(scope.query, scope.resource, namespace, false);
  const deleted = await scope.rest.deleteCollection(namespace, { predicate: query.storage.predicate }, toDeleteRequest(options), ctx);
  writeObject(scope.res, 200, {
    kind: scope.resource.listKind, apiVersion: scope.codec.apiVersion,
    metadata: { resourceVersion: String(deleted.resourceVersion) }, items: deleted.items.map((o) => toRequestVersion(scope, o)),
  });
}

/** The DeleteOptions an admission review carries: the body's fields, query parameters winning, in Go's field order. */
function deleteOptionsForAdmission(body: DeleteOptionsBody, dryRun: boolean): Record<string, unknown> {
  const options: Record<string, unknown> = {
    kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1',
    gracePeriodSeconds: body.gracePeriodSeconds, preconditions: body.preconditions,
    orphanDependents: body.orphanDependents, propagationPolicy: body.propagationPolicy,
    dryRun: dryRun ? ['All'] : undefined,
  };
  for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];
  return options;
}

async function readDeleteOptions(scope: RequestScope<unknown>): Promise<DeleteOptionsBody> {
  return parseDeleteOptionsBody((await readBody(scope.req)).toString('utf8'), scope.query);
}
