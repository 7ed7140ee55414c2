import type { KubeObject, WatchEvent } from '../apimachinery/types.ts';
import { deepCopy } from '../apimachinery/deep-copy.ts';
import {
  conflict, invalid, OPTIMISTIC_LOCK_MESSAGE, StatusError, type FieldError, type GroupResource,
} from '../errors/status-error.ts';
import type { OperationContext, Resource } from '../resource/define-resource.ts';
import type { ListOptions, ListResult, Storage } from '../storage/interface.ts';
import type {
  CollectionDeleter, Creater, DeletePreconditions, DeleteRequest, DeleteResult, Deleter, Getter, Rest, RestWatchOptions, Updater, Watcher, WriteContext, WriteResult,
} from '../rest/interfaces.ts';
import { validateObjectMetaCreate, validateObjectMetaUpdate } from '../apimachinery/validation/index.ts';
import { resourceKeys, type ResourceKeys } from './keys.ts';
import {
  dropEmptyMetadata, fillSystemFieldsOnCreate, generateName, keepSystemFieldsOnUpdate, specOf,
} from './object-meta.ts';
import { toStatusError } from './storage-errors.ts';
import { finalizersForGarbageCollection, finishesDeletion, markAsDeleting } from './deletion.ts';
import type { AdmissionPlugin } from '../admission/types.ts';

/**
 * The generic store of one resource over a Storage backend, as k8s.io/apiserver's
 * registry.Store — the REST object of every stored resource: server-owned fields, generation,
 * finalizers, status subresource semantics, metadata validation, strategy hooks and admission.
 * It owns the resource's storage keys (`keys`) and its watch. Works on storage-version objects
 * only; every storage error leaves as a StatusError (via toStatusError).
 */
export class GenericStore implements Rest, Getter, Watcher, Creater, Updater, Deleter, CollectionDeleter {
  readonly resource: Resource;
  readonly gr: GroupResource;
  /** The storage key layout of this resource (the watch cache is given the same). */
  readonly keys: ResourceKeys;
  private readonly storage: Storage;
  private readonly plugins: AdmissionPlugin[];

  constructor(resource: Resource, storage: Storage, plugins: AdmissionPlugin[] = []) {
    this.resource = resource;
    this.storage = storage;
    this.plugins = plugins;
    this.gr = { group: resource.group, resource: resource.plural };
    this.keys = resourceKeys(resource);
  }

  /** The stored object; 404 NotFound when absent. */
  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    try {
      return await this.storage.get(this.keys.key(namespace, name));
    } catch (err) {
      throw toStatusError(err, this.gr, name);
    }
  }

  /** Objects of one namespace (or all), filtered and paged as `opts` says. */
  async list(namespace: string | undefined, opts: ListOptions) {
    try {
      return await this.storage.list(this.keys.prefix(namespace), opts);
    } catch (err) {
      throw toStatusError(err, this.gr, '', 'list');
    }
  }

  /** Storage events of one object (`name`) or of the namespace/all after `opts.fromRevision`. */
  watch(namespace: string | undefined, name: string | undefined, opts: RestWatchOptions): AsyncIterable<WatchEvent> {
    return this.storage.watch(name ? this.keys.key(namespace, name) : this.keys.prefix(namespace), opts);
  }

  /** The storage's newest revision (for bookmarks). */
  currentRevision(): Promise<number> {
    return this.storage.currentRevision();
  }

  /** Number of stored objects (for metrics). */
  count(): Promise<number> {
    return this.storage.count(this.keys.prefix());
  }

  /**
   * Deletes every object `opts.predicate` matches, one at a time with the same `options` (as
   * upstream); answers the objects as listed before their deletion (objects gone meanwhile skipped).
   */
  async deleteCollection(namespace: string | undefined, opts: ListOptions, options: DeleteRequest, ctx: WriteContext): Promise<ListResult> {
    const listed = await this.list(namespace, { predicate: opts.predicate });
    for (const item of listed.items) {
      try {
        await this.delete(item.metadata.namespace, item.metadata.name!, options, ctx);
      } catch (err) {
        if ((err as { reason?: string }).reason !== 'NotFound') throw err;
      }
    }
    return { items: listed.items, resourceVersion: listed.resourceVersion };
  }

  /** Creates `input`; with generateName, retries a few names on collision. */
  async create(namespace: string | undefined, input: KubeObject, ctx: WriteContext): Promise<WriteResult> {
    const generated = !input.metadata.name && !!input.metadata.generateName;
    for (let attempt = 0; ; attempt++) {
      const generatedName = generated ? generateName(input.metadata.generateName!) : undefined;
      const prepared = await this.prepareCreate(input, namespace, generatedName, ctx);
      if (ctx.dryRun) return prepared;
      try {
        const stored = await this.storage.create(this.keys.key(namespace, prepared.object.metadata.name!), prepared.object);
        return { object: stored, warnings: prepared.warnings };
      } catch (err) {
        const mapped = toStatusError(err, this.gr, prepared.object.metadata.name!);
        if (!(generated && attempt < 7 && (mapped as { reason?: string }).reason === 'AlreadyExists')) throw await this.explainExisting(mapped, namespace, prepared.object.metadata.name!);
      }
    }
  }

  /** An AlreadyExists for an object that is being deleted says so first, as upstream's create. */
  private async explainExisting(err: unknown, namespace: string | undefined, name: string): Promise<unknown> {
    if (!(err instanceof StatusError) || err.reason !== 'AlreadyExists') return err;
    const existing = await this.storage.get(this.keys.key(namespace, name)).catch(() => undefined);
    if (!existing?.metadata.deletionTimestamp) return err;
    return new StatusError(err.code, err.reason, `object is being deleted: ${err.message}`, err.details);
  }

  /**
   * Admits and validates a copy of `input` placed in `namespace` and, when given, named
   * `generatedName` (each attempt starts from `input` again; `input` is never changed).
   */
  private async prepareCreate(input: KubeObject, namespace: string | undefined, generatedName: string | undefined, ctx: WriteContext): Promise<WriteResult> {
    const obj = deepCopy(input);
    if (this.resource.namespaced) obj.metadata.namespace = namespace;
    else delete obj.metadata.namespace;
    if (generatedName !== undefined) obj.metadata.name = generatedName;
    const opCtx = this.opContext('CREATE', obj, ctx);
    fillSystemFieldsOnCreate(obj);
    if (this.resource.subresources.status) delete obj.status;
    const strategy = this.resource.strategy;
    strategy.prepareForCreate?.(obj, opCtx);
    await strategy.admit?.(obj, null, opCtx);
    for (const p of this.plugins) await p.admit?.(obj, null, opCtx, this.resource);
    this.throwIfInvalid(obj, [
      ...validateObjectMetaCreate(obj.metadata, { namespaced: this.resource.namespaced }),
      ...(strategy.validate?.(obj, opCtx) ?? []),
    ]);
    await strategy.validateAdmission?.(obj, null, opCtx);
    for (const p of this.plugins) await p.validate?.(obj, null, opCtx, this.resource);
    strategy.canonicalize?.(obj);
    dropEmptyMetadata(obj);
    return { object: obj, warnings: [...opCtx.warnings!, ...strategy.warnings?.(obj, null, opCtx) ?? []] };
  }

  /**
   * Updates the object at namespace/name with `mutate(current)` (which returns the desired object,
   * storage version). A resourceVersion or uid in the result that differs from the stored one answers
   * 409 Conflict. `subresource: 'status'` changes only status; the resource and its other
   * subresources (scale) keep status when the status subresource is enabled. Removing the last finalizer of an object being deleted
   * deletes it.
   */
  async update(namespace: string | undefined, name: string, mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>, ctx: WriteContext): Promise<WriteResult> {
    const key = this.keys.key(namespace, name);
    let warnings: string[] = [];
    const apply = async (current: KubeObject): Promise<KubeObject> => {
      const result = await this.prepareUpdate(current, await mutate(deepCopy(current)), ctx);
      warnings = result.warnings;
      if (finishesDeletion(result.object, current)) throw new FinalizersEmptied(result.object);
      return result.object;
    };
    try {
      if (ctx.dryRun) return { object: await apply(await this.storage.get(key)), warnings };
      return { object: await this.storage.guaranteedUpdate(key, async (current) => apply(current!)), warnings };
    } catch (err) {
      if (err instanceof FinalizersEmptied) return { object: await this.deleteEmptied(key, err.object, ctx), warnings };
      throw toStatusError(err, this.gr, name, 'write');
    }
  }

  /**
   * An update removed the last finalizer of an object being deleted: the update is not written,
   * the object is deleted (one DELETED event, as upstream's deleteWithoutFinalizers) and the
   * update's object is the answer. A concurrent deletion is fine.
   */
  private async deleteEmptied(key: string, updated: KubeObject, ctx: WriteContext): Promise<KubeObject> {
    if (ctx.dryRun) return updated;
    try {
      await this.storage.delete(key);
    } catch (err) {
      const mapped = toStatusError(err, this.gr, updated.metadata.name!, 'write');
      if ((mapped as { reason?: string }).reason !== 'NotFound') throw mapped;
    }
    return updated;
  }

  private async prepareUpdate(current: KubeObject, desired: KubeObject, ctx: WriteContext): Promise<WriteResult> {
    const name = current.metadata.name!;
    const rv = desired.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(this.gr, name, OPTIMISTIC_LOCK_MESSAGE);
    const uid = desired.metadata.uid;
    if (uid && uid !== current.metadata.uid) {
      throw conflict(this.gr, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`);
    }
    const obj = this.mergeForSubresource(current, desired, ctx.subresource);
    keepSystemFieldsOnUpdate(obj, current);
    obj.metadata.resourceVersion = current.metadata.resourceVersion;
    if (specOf(obj) !== specOf(current)) obj.metadata.generation = (current.metadata.generation ?? 1) + 1;
    const opCtx = this.opContext('UPDATE', obj, ctx);
    const strategy = this.resource.strategy;
    strategy.prepareForUpdate?.(obj, current, opCtx);
    await strategy.admit?.(obj, current, opCtx);
    for (const p of this.plugins) await p.admit?.(obj, current, opCtx, this.resource);
    this.throwIfInvalid(obj, [
      ...validateObjectMetaUpdate(obj.metadata, current.metadata, { namespaced: this.resource.namespaced }),
      ...(strategy.validateUpdate?.(obj, current, opCtx) ?? strategy.validate?.(obj, opCtx) ?? []),
    ]);
    await strategy.validateAdmission?.(obj, current, opCtx);
    for (const p of this.plugins) await p.validate?.(obj, current, opCtx, this.resource);
    strategy.canonicalize?.(obj);
    dropEmptyMetadata(obj);
    return { object: obj, warnings: [...opCtx.warnings!, ...strategy.warnings?.(obj, current, opCtx) ?? []] };
  }

  private mergeForSubresource(current: KubeObject, desired: KubeObject, subresource?: string): KubeObject {
    if (subresource === 'status') {
      const obj = deepCopy(current);
      if (desired.status === undefined) delete obj.status;
      else obj.status = desired.status;
      if (desired.metadata.managedFields) obj.metadata.managedFields = desired.metadata.managedFields;
      else delete obj.metadata.managedFields;
      return obj;
    }
    const obj = deepCopy(desired);
    if (this.resource.subresources.status) {
      if (current.status === undefined) delete obj.status;
      else obj.status = deepCopy(current.status);
    }
    return obj;
  }

  /**
   * Deletes namespace/name as upstream's generic store with garbage collection enabled: the
   * options (or the object's own `orphan`/`foregroundDeletion` finalizer, or the resource's
   * garbageCollectionPolicy) decide the garbage-collector finalizers; an object left with any
   * finalizer is only marked (deletionTimestamp, deletionGracePeriodSeconds 0, generation + 1 the
   * first time) and `finished` is false; otherwise it is removed. Preconditions mismatch: 409 Conflict.
   */
  async delete(namespace: string | undefined, name: string, options: DeleteRequest, ctx: WriteContext): Promise<DeleteResult> {
    const key = this.keys.key(namespace, name);
    const pre = options.preconditions ?? {};
    try {
      const current = await this.storage.get(key);
      this.checkDeletePreconditions(current, pre);
      const opCtx = this.opContext('DELETE', current, ctx);
      await this.resource.strategy.validateAdmission?.(current, current, opCtx);
      for (const p of this.plugins) await p.validate?.(current, current, opCtx, this.resource);
      const policy = this.resource.garbageCollectionPolicy;
      if (current.metadata.finalizers?.length || finalizersForGarbageCollection(current, options, policy).changed) {
        const marked = await this.markForDeletion(key, current, options, ctx);
        if (marked) return { object: marked, finished: false };
        if (ctx.dryRun) return { object: current, finished: true, emptied: true };
      }
      if (ctx.dryRun) return { object: current, finished: true };
      const object = await this.storage.delete(key, { validateDeletion: (c) => this.checkDeletePreconditions(c, pre) });
      return { object, finished: true };
    } catch (err) {
      throw toStatusError(err, this.gr, name, 'write');
    }
  }

  /** Sets the garbage-collector finalizers and marks the object; undefined when no finalizer is left (delete it now). */
  private async markForDeletion(key: string, current: KubeObject, options: DeleteRequest, ctx: WriteContext): Promise<KubeObject | undefined> {
    const mark = (obj: KubeObject): KubeObject => {
      this.checkDeletePreconditions(obj, options.preconditions ?? {});
      const next = deepCopy(obj);
      const { finalizers } = finalizersForGarbageCollection(next, options, this.resource.garbageCollectionPolicy);
      if (finalizers.length === 0) throw new DeleteNow();
      next.metadata.finalizers = finalizers;
      markAsDeleting(next);
      return next;
    };
    try {
      return ctx.dryRun ? mark(current) : await this.storage.guaranteedUpdate(key, (c) => mark(c!));
    } catch (err) {
      if (err instanceof DeleteNow) return undefined;
      throw err;
    }
  }

  private checkDeletePreconditions(current: KubeObject, pre: DeletePreconditions): void {
    const name = current.metadata.name!;
    const kindGr = { group: this.resource.group, resource: this.resource.kind };
    const fail = (why: string) => {
      const err = conflict(kindGr, name, why);
      return new StatusError(err.code, err.reason, err.message, { ...err.details, kind: this.resource.kind });
    };
    if (pre.uid && pre.uid !== current.metadata.uid) {
      throw fail(`the UID in the precondition (${pre.uid}) does not match the UID in record (${current.metadata.uid}). The object might have been deleted and then recreated`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw fail(`the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${current.metadata.resourceVersion}). The object might have been modified`);
    }
  }

  private throwIfInvalid(obj: KubeObject, errors: FieldError[]): void {
    if (errors.length > 0) throw invalid(this.resource.kind, this.resource.group, obj.metadata.name ?? '', errors);
  }

  private opContext(operation: OperationContext['operation'], obj: KubeObject, ctx: WriteContext): OperationContext {
    return { ...ctx, operation, namespace: obj.metadata.namespace, name: obj.metadata.name, warnings: [] };
  }
}

/** Thrown inside a guaranteedUpdate: the update empties the finalizers of an object being deleted. */
class FinalizersEmptied extends Error {
  readonly object: KubeObject;
  constructor(object: KubeObject) {
    super('finalizers emptied');
    this.object = object;
  }
}

/** Thrown inside the marking update: no finalizer is left, so the object is deleted instead. */
class DeleteNow extends Error {}
