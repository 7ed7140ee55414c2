/**
 * The garbage-collection side of a DELETE, as k8s.io/apiserver's generic store decides it with
 * garbage collection enabled (store.go: shouldOrphanDependents, shouldDeleteDependents,
 * deletionFinalizersForGarbageCollection, markAsDeleting). Pure functions over plain objects.
 */
import type { KubeObject } from '../apimachinery/types.ts';
import { FINALIZER_DELETE_DEPENDENTS, FINALIZER_ORPHAN_DEPENDENTS } from '../apimachinery/validation/meta-fields.ts';
import type { DeleteRequest } from '../rest/interfaces.ts';
import type { GarbageCollectionPolicy } from '../resource/define-resource.ts';
import { nowTimestamp } from './object-meta.ts';


/** Whether the `orphan` finalizer belongs on `obj` after this delete: options, then the object's finalizers, then the default. */
export function shouldOrphanDependents(obj: KubeObject, options: DeleteRequest, defaultPolicy: GarbageCollectionPolicy): boolean {
  if (defaultPolicy === 'Unsupported') return false;
  if (options.orphanDependents !== undefined) return options.orphanDependents;
  if (options.propagationPolicy !== undefined) return options.propagationPolicy === 'Orphan';
  const decided = firstGcFinalizer(obj);
  if (decided) return decided === FINALIZER_ORPHAN_DEPENDENTS;
  return defaultPolicy === 'OrphanDependents';
}

/** Whether the `foregroundDeletion` finalizer belongs on `obj` after this delete (never by default, as upstream). */
export function shouldDeleteDependents(obj: KubeObject, options: DeleteRequest, defaultPolicy: GarbageCollectionPolicy): boolean {
  if (defaultPolicy === 'Unsupported') return false;
  if (options.orphanDependents !== undefined) return false;
  if (options.propagationPolicy !== undefined) return options.propagationPolicy === 'Foreground';
  return firstGcFinalizer(obj) === FINALIZER_DELETE_DEPENDENTS;
}

function firstGcFinalizer(obj: KubeObject): string | undefined {
  return (obj.metadata.finalizers ?? []).find((f) => f === FINALIZER_ORPHAN_DEPENDENTS || f === FINALIZER_DELETE_DEPENDENTS);
}

/**
 * The finalizers `obj` carries after a delete with `options`: its own finalizers without the two
 * garbage-collector ones, then `orphan` and/or `foregroundDeletion` as the options, the object and
 * the default policy say. `changed` is false (and the list the object's own) when the set is the same.
 */
export function finalizersForGarbageCollection(obj: KubeObject, options: DeleteRequest, defaultPolicy: GarbageCollectionPolicy): { changed: boolean; finalizers: string[] } {
  const current = obj.metadata.finalizers ?? [];
  const next = current.filter((f) => f !== FINALIZER_ORPHAN_DEPENDENTS && f !== FINALIZER_DELETE_DEPENDENTS);
  if (shouldOrphanDependents(obj, options, defaultPolicy)) next.push(FINALIZER_ORPHAN_DEPENDENTS);
  if (shouldDeleteDependents(obj, options, defaultPolicy)) next.push(FINALIZER_DELETE_DEPENDENTS);
  const same = new Set(current).size === new Set(next).size && next.every((f) => current.includes(f));
  return same ? { changed: false, finalizers: current } : { changed: true, finalizers: next };
}

/**
 * Marks `obj` (in place) as being deleted: generation + 1 on the first mark (when it has one),
 * deletionTimestamp now unless already set earlier, deletionGracePeriodSeconds 0.
 */
export function markAsDeleting(obj: KubeObject): void {
  const meta = obj.metadata;
  const now = nowTimestamp();
  if (!meta.deletionTimestamp && (meta.generation ?? 0) > 0) meta.generation = meta.generation! + 1;
  if (!meta.deletionTimestamp || Date.parse(meta.deletionTimestamp) > Date.parse(now)) meta.deletionTimestamp = now;
  meta.deletionGracePeriodSeconds = 0;
}

/**
 * Whether an update that leaves `next` finished `current`'s deletion (upstream's
 * ShouldDeleteDuringUpdate): no finalizers left, a delete was requested, and no grace period runs.
 */
export function finishesDeletion(next: KubeObject, current: KubeObject): boolean {
  if (next.metadata.finalizers?.length) return false;
  if (!current.metadata.deletionTimestamp) return false;
  return !current.metadata.deletionGracePeriodSeconds;
}
