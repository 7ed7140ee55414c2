/**
 * The field manager of one resource version (and subresource), as kube-apiserver chains it
 * (k8s.io/apimachinery/pkg/util/managedfields/internal): version check, last-applied
 * annotation upgrade and sync for `kubectl`, "before-first-apply" for objects nobody tracked yet,
 * the cap on Update managers, manager identifiers, times, stripped metadata fields, and the
 * structured merge itself (see updater.ts). Objects are plain JSON in the manager's version.
 */
import type { KubeObject } from '../apimachinery/types.ts';
import { badRequest } from '../errors/status-error.ts';
import {
  conflictError, decodeManagedFields, emptyManaged, encodeManagedFields, isResetManagedFields, managerIdentifier, type Managed,
} from './managed-fields.ts';
import { fieldElement, type Path } from './path.ts';
import { setOf, type FieldSet } from './set.ts';
import { compare, toFieldSet, validateTyped } from './typed.ts';
import { ApplyConflicts, Updater, type ManagerConflict, type VersionTypes } from './updater.ts';
import { goJson } from './value.ts';
import { deepCopy } from '../apimachinery/deep-copy.ts';

/** Upstream's DefaultMaxUpdateManagers. */
export const MAX_UPDATE_MANAGERS = 10;

/** The annotation client-side `kubectl apply` keeps its last configuration in. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

const CURRENT_OPERATION = 'current-operation';

const f = (...names: string[]): Path => names.map(fieldElement);

/** Paths whose ownership is never recorded (stripMetaManager). */
const STRIPPED = setOf(
  f('apiVersion'), f('kind'), f('metadata'), f('metadata', 'name'), f('metadata', 'namespace'), f('metadata', 'creationTimestamp'),
  f('metadata', 'selfLink'), f('metadata', 'uid'), f('metadata', 'clusterName'), f('metadata', 'generation'),
  f('metadata', 'managedFields'), f('metadata', 'resourceVersion'),
);

/** What a FieldManager needs to know about the resource. */
export interface FieldManagerOptions {
  group: string;
  kind: string;
  /** The version requests of this manager use (`group/version`). */
  apiVersion: string;
  /** The subresource written through this manager ('' or undefined for the main resource). */
  subresource?: string;
  types: VersionTypes;
  /** Defaulting applied to an applied object (the CRD structural defaulter's role). */
  defaults?: (obj: KubeObject) => void;
  maxUpdateManagers?: number;
  /** The clock (RFC 3339, seconds). */
  now?: () => string;
}

function rfc3339Now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function withoutManagedFields(obj: KubeObject): KubeObject {
  if (!obj.metadata || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** Records and enforces field ownership for the writes of one resource version. */
export class FieldManager {
  private readonly updater: Updater;
  private readonly now: () => string;

  constructor(private readonly opts: FieldManagerOptions) {
    this.updater = new Updater(opts.types);
    this.now = opts.now ?? rfc3339Now;
  }

  private get emptyObject(): KubeObject {
    return { apiVersion: this.opts.apiVersion, kind: this.opts.kind } as KubeObject;
  }

  /** The identifier of `manager`'s entry (buildManagerInfo: an empty name is "unknown"). */
  private id(manager: string, operation: 'Apply' | 'Update'): string {
    return managerIdentifier({ manager: manager || 'unknown', operation, apiVersion: this.opts.apiVersion, subresource: this.opts.subresource || undefined });
  }

  /**
   * A create (`live` undefined), update or non-apply patch by `manager` (UpdateNoErrors): returns
   * `next` with managedFields recorded. The request's own managedFields are kept when valid and
   * non-empty, reset by `[]`/`[{}]`, otherwise the live ones are kept; an object nobody tracks
   * stays untracked.
   */
  update(live: KubeObject | undefined, next: KubeObject, manager: string): KubeObject {
    const liveObj = live ?? this.emptyObject;
    const managed = this.decodeLiveOrNew(liveObj, next);
    const out = withoutManagedFields(next);
    if (managed.sets.size === 0 && liveObj.metadata?.uid) return out;
    this.recordUpdate(withoutManagedFields(liveObj), out, managed, this.id(manager, 'Update'));
    return this.encode(out, managed);
  }

  private decodeLiveOrNew(live: KubeObject, next: KubeObject): Managed {
    const fromLive = () => { try { return decodeManagedFields(live.metadata?.managedFields); } catch { return emptyManaged(); } };
    if (this.opts.subresource) return fromLive();
    const requested = next.metadata?.managedFields;
    if (isResetManagedFields(requested)) return emptyManaged();
    try {
      const managed = decodeManagedFields(requested);
      return managed.sets.size === 0 ? fromLive() : managed;
    } catch {
      return fromLive();
    }
  }

  /** cap(buildManagerInfo(managedFieldsUpdater(stripMeta(structuredMerge)))).Update. */
  private recordUpdate(live: KubeObject, next: KubeObject, managed: Managed, id: string): void {
    this.updater.updateOwnership(live, next, this.opts.apiVersion, managed.sets, CURRENT_OPERATION);
    this.strip(managed, CURRENT_OPERATION);
    const current = managed.sets.get(CURRENT_OPERATION);
    if (current) {
      managed.sets.delete(CURRENT_OPERATION);
      const previous = managed.sets.get(id);
      managed.sets.set(id, previous ? { ...current, set: current.set.union(previous.set) } : current);
      managed.times.set(id, this.now());
    }
    this.capUpdateManagers(managed);
  }

  private strip(managed: Managed, id: string): void {
    const vs = managed.sets.get(id);
    if (!vs) return;
    const set = vs.set.difference(STRIPPED);
    if (set.empty()) managed.sets.delete(id);
    else managed.sets.set(id, { ...vs, set });
  }

  private capUpdateManagers(managed: Managed): void {
    const max = this.opts.maxUpdateManagers ?? MAX_UPDATE_MANAGERS;
    const updaters = [...managed.sets].filter(([, vs]) => !vs.applied).map(([id]) => id);
    if (updaters.length <= max) return;
    const secs = (id: string) => { const t = managed.times.get(id); return t ? Math.floor(Date.parse(t) / 1000) : 0; };
    updaters.sort((a, b) => secs(a) - secs(b) || (a < b ? -1 : a > b ? 1 : 0));
    const firstOfVersion = new Map<string, string>();
    let length = updaters.length;
    for (let i = 0; i < updaters.length && length > max; i++) {
      const id = updaters[i];
      const vs = managed.sets.get(id)!;
      const bucket = managerIdentifier({ manager: 'ancient-changes', operation: 'Update', apiVersion: vs.apiVersion });
      const first = firstOfVersion.get(vs.apiVersion);
      if (first === undefined) { firstOfVersion.set(vs.apiVersion, id); continue; }
      if (!managed.sets.has(bucket)) {
        managed.sets.set(bucket, managed.sets.get(first)!);
        managed.sets.delete(first);
      }
      managed.sets.set(bucket, { set: vs.set.union(managed.sets.get(bucket)!.set), apiVersion: vs.apiVersion, applied: vs.applied });
      managed.sets.delete(id);
      length--;
      managed.times.set(bucket, managed.times.get(id));
    }
  }

  /**
   * A server-side apply of `patch` by `manager` over `live` (undefined: the object does not exist).
   * Returns the object to store, managedFields recorded.
   * @throws StatusError 400 for a patch of another kind or version or with managedFields, 409 Conflict
   * (upstream's Status) when other managers own fields the patch changes and `force` is false.
   */
  apply(live: KubeObject | undefined, patch: KubeObject, manager: string, force: boolean): KubeObject {
    const liveObj = live ?? this.emptyObject;
    let managed: Managed;
    try { managed = decodeManagedFields(liveObj.metadata?.managedFields); } catch (err) {
      throw new Error(`failed to decode managed fields: ${(err as Error).message}`);
    }
    this.checkPatchType(patch);
    const id = this.id(manager, 'Apply');
    let result: KubeObject;
    try {
      result = this.applyUpgradingLastApplied(liveObj, patch, managed, manager, id, force);
    } catch (err) {
      if (err instanceof ApplyConflicts) throw conflictError(err.conflicts);
      throw err;
    }
    if (manager === 'kubectl' && result.metadata?.annotations?.[LAST_APPLIED_ANNOTATION] !== undefined) {
      result.metadata.annotations[LAST_APPLIED_ANNOTATION] = lastAppliedOf(patch);
    }
    return this.encode(result, managed);
  }

  private checkPatchType(patch: KubeObject): void {
    const [group, version] = typeof patch.apiVersion === 'string' && patch.apiVersion.includes('/')
      ? patch.apiVersion.split('/', 2) : ['', typeof patch.apiVersion === 'string' ? patch.apiVersion : ''];
    const kind = typeof patch.kind === 'string' ? patch.kind : '';
    if (patch.apiVersion !== this.opts.apiVersion || kind !== this.opts.kind) {
      throw badRequest(`invalid object type: ${group}/${version}, Kind=${kind}`);
    }
  }

  /** lastAppliedManager: `kubectl` may take fields its client-side last-applied configuration set. */
  private applyUpgradingLastApplied(live: KubeObject, patch: KubeObject, managed: Managed, manager: string, id: string, force: boolean): KubeObject {
    try {
      return this.applyTracked(live, patch, managed, id, force);
    } catch (err) {
      if (manager !== 'kubectl' || !(err instanceof ApplyConflicts)) throw err;
      const allowed = this.allowedConflictsFromLastApplied(live);
      if (!allowed) throw err;
      const remaining: ManagerConflict[] = err.conflicts
        .map((c) => ({ manager: c.manager, set: c.set.difference(allowed) }))
        .filter((c) => !c.set.empty());
      if (remaining.length > 0) throw new ApplyConflicts(remaining);
      return this.applyTracked(live, patch, managed, id, true);
    }
  }

  private allowedConflictsFromLastApplied(live: KubeObject): FieldSet | undefined {
    const text = live.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
    if (!text) return undefined;
    const type = this.opts.types.typeOf(this.opts.apiVersion)!;
    try {
      const lastApplied = JSON.parse(text) as KubeObject;
      if (lastApplied.apiVersion !== this.opts.apiVersion) return undefined;
      validateTyped(lastApplied, type);
      const c = compare(lastApplied, live, type);
      return toFieldSet(lastApplied, type).difference(c.modified).difference(c.added).difference(c.removed);
    } catch {
      return undefined;
    }
  }

  /** skipNonApplied(cap(buildManagerInfo(managedFieldsUpdater(stripMeta(structuredMerge))))).Apply. */
  private applyTracked(live: KubeObject, patch: KubeObject, managed: Managed, id: string, force: boolean): KubeObject {
    const liveObj = withoutManagedFields(live);
    if (managed.sets.size === 0) {
      this.recordUpdate(withoutManagedFields({ apiVersion: patch.apiVersion, kind: patch.kind } as KubeObject), liveObj, managed, this.id('before-first-apply', 'Update'));
    }
    const object = this.structuredApply(liveObj, patch, managed, id, force);
    this.strip(managed, id);
    if (object) managed.times.set(id, this.now());
    this.capUpdateManagers(managed);
    return object ?? deepCopy(liveObj);
  }

  private structuredApply(live: KubeObject, patch: KubeObject, managed: Managed, id: string, force: boolean): KubeObject | undefined {
    const managedInPatch = patch.metadata?.managedFields;
    if (Array.isArray(managedInPatch) && managedInPatch.length > 0) throw badRequest('metadata.managedFields must be nil');
    const type = this.opts.types.typeOf(this.opts.apiVersion)!;
    validateTyped(patch, type);
    const { object } = this.updater.apply(live, patch, this.opts.apiVersion, managed.sets, id, force);
    if (object === undefined) return undefined;
    const obj = object as KubeObject;
    this.opts.defaults?.(obj);
    return obj;
  }

  private encode(obj: KubeObject, managed: Managed): KubeObject {
    const entries = encodeManagedFields(managed);
    const metadata = { ...(obj.metadata ?? {}) };
    if (entries) metadata.managedFields = entries;
    else delete metadata.managedFields;
    return { ...obj, metadata };
  }
}

/** buildLastApplied: the applied object without the annotation, as Go encodes it (keys sorted). */
function lastAppliedOf(patch: KubeObject): string {
  const copy = deepCopy(patch);
  if (copy.metadata?.annotations) delete copy.metadata.annotations[LAST_APPLIED_ANNOTATION];
  return `${goJson(copy)}\n`;
}

