/**
 * structured-merge-diff's merge.Updater: who owns which fields after an update or an apply,
 * the conflicts an apply meets, and the pruning of fields an applier stopped applying.
 * Objects are handled in the version named by `version`; sets of managers that recorded another
 * version are compared on the objects converted to that version.
 */
import { FieldSet } from './set.ts';
import type { TypeNode } from './schema.ts';
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet, type Comparison } from './typed.ts';
import { equalValues } from './value.ts';

/** The fields one manager owns, in the version it used. */
export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

/** Managers (by identifier) and their fields. */
export type ManagedSets = Map<string, VersionedSet>;

/** One manager's conflicting fields. */
export interface ManagerConflict {
  manager: string;
  set: FieldSet;
}

/** An apply that would take fields other managers own (merge.Conflicts). */
export class ApplyConflicts extends Error {
  constructor(readonly conflicts: ManagerConflict[]) {
    super('apply conflicts');
    this.name = 'ApplyConflicts';
  }
}

/** The versions an Updater can see an object in. */
export interface VersionTypes {
  /** The type of a version, undefined when it is no longer served. */
  typeOf(apiVersion: string): TypeNode | undefined;
  /** `obj` (of version `from`) converted to version `to`. */
  convert(obj: unknown, from: string, to: string): unknown;
  /** Fields this write resets (a subresource's untouched part): excluded recursively. */
  ignored?(apiVersion: string): FieldSet | undefined;
}

/** merge.Updater. */
export class Updater {
  constructor(private readonly types: VersionTypes) {}

  private typeOf(version: string): TypeNode {
    const t = this.types.typeOf(version);
    if (!t) throw new Error(`no type for ${version}`);
    return t;
  }

  private exclude(set: FieldSet, version: string): FieldSet {
    const ignored = this.types.ignored?.(version);
    return ignored && !ignored.empty() ? set.recursiveDifference(ignored) : set;
  }

  private excludeComparison(c: Comparison, version: string): Comparison {
    return { added: this.exclude(c.added, version), removed: this.exclude(c.removed, version), modified: this.exclude(c.modified, version) };
  }

  /** Ownership changes of `workflow` writing `next` over `old` (Updater.update); throws ApplyConflicts unless force. */
  private update(old: unknown, next: unknown, version: string, managers: ManagedSets, workflow: string, force: boolean): { managers: ManagedSets; comparison: Comparison } {
    const comparison = compare(old, next, this.typeOf(version));
    const versions = new Map<string, Comparison>([[version, this.excludeComparison(comparison, version)]]);
    const conflicts = new Map<string, FieldSet>();
    const removed = new Map<string, FieldSet>();
    for (const [manager, vs] of managers) {
      if (manager === workflow) continue;
      let c = versions.get(vs.apiVersion);
      if (!c) {
        const t = this.types.typeOf(vs.apiVersion);
        if (!t) { managers.delete(manager); continue; }
        c = this.excludeComparison(compare(this.types.convert(old, version, vs.apiVersion), this.types.convert(next, version, vs.apiVersion), t), vs.apiVersion);
        versions.set(vs.apiVersion, c);
      }
      const conflict = vs.set.intersection(c.modified.union(c.added));
      if (!conflict.empty()) conflicts.set(manager, conflict);
      if (!c.removed.empty()) removed.set(manager, c.removed);
    }
    if (!force && conflicts.size > 0) throw new ApplyConflicts([...conflicts].map(([manager, set]) => ({ manager, set })));
    for (const [manager, set] of conflicts) {
      const vs = managers.get(manager)!;
      managers.set(manager, { ...vs, set: vs.set.difference(set) });
    }
    for (const [manager, set] of removed) {
      const vs = managers.get(manager)!;
      managers.set(manager, { ...vs, set: vs.set.difference(set) });
    }
    for (const [manager, vs] of managers) if (vs.set.empty()) managers.delete(manager);
    return { managers, comparison };
  }

  /** Updater.Update: `manager` wrote `next` over `live` (no conflicts: updates always win). */
  updateOwnership(live: unknown, next: unknown, version: string, managers: ManagedSets, manager: string): ManagedSets {
    const { comparison } = this.update(live, next, version, managers, manager, true);
    const previous = managers.get(manager)?.set ?? new FieldSet();
    const set = this.exclude(previous.difference(comparison.removed).union(comparison.modified).union(comparison.added), version);
    if (set.empty()) managers.delete(manager);
    else managers.set(manager, { set, apiVersion: version, applied: false });
    return managers;
  }

  /**
   * Updater.Apply: merges `config` into `live`, takes ownership of what config sets, prunes what
   * `manager` applied before and no longer does (unless someone else owns it). Returns the new
   * object, or undefined when the object does not change.
   * @throws ApplyConflicts when other managers own changed fields and `force` is false.
   */
  apply(live: unknown, config: unknown, version: string, managers: ManagedSets, manager: string, force: boolean): { object: unknown; managers: ManagedSets } {
    const type = this.typeOf(version);
    let merged = merge(live, config, type);
    const lastSet = managers.get(manager);
    managers.set(manager, { set: this.exclude(toFieldSet(config, type), version), apiVersion: version, applied: true });
    merged = this.prune(merged, version, managers, manager, lastSet);
    this.update(live, merged, version, managers, manager, force);
    return { object: equalValues(live, merged) ? undefined : merged, managers };
  }

  private prune(merged: unknown, version: string, managers: ManagedSets, applier: string, lastSet: VersionedSet | undefined): unknown {
    if (!lastSet || lastSet.set.empty()) return merged;
    const lastVersion = lastSet.apiVersion;
    const lastType = this.types.typeOf(lastVersion);
    if (!lastType) return merged;
    const convertedMerged = this.types.convert(merged, version, lastVersion);
    let pruned = removeItems(convertedMerged, ensureNamedFieldsAreMembers(lastSet.set, lastType), lastType);
    pruned = this.addBackOwnedItems(convertedMerged, pruned, lastVersion, managers);
    pruned = this.addBackDanglingItems(convertedMerged, pruned, lastVersion, lastSet);
    return this.types.convert(pruned, lastVersion, version);
  }

  /** Puts back what prune removed but some manager (the applier's new set included) owns. */
  private addBackOwnedItems(merged: unknown, pruned: unknown, prunedVersion: string, managers: ManagedSets): unknown {
    const byVersion = new Map<string, FieldSet>();
    for (const vs of managers.values()) byVersion.set(vs.apiVersion, (byVersion.get(vs.apiVersion) ?? new FieldSet()).union(vs.set));
    let current = prunedVersion;
    let m = merged;
    let p = pruned;
    const ordered = [...byVersion.keys()].sort((a, b) => (a === prunedVersion ? -1 : b === prunedVersion ? 1 : 0));
    for (const version of ordered) {
      const type = this.types.typeOf(version);
      if (!type) continue;
      m = this.types.convert(m, current, version);
      p = this.types.convert(p, current, version);
      current = version;
      const mergedSet = ensureNamedFieldsAreMembers(toFieldSet(m, type), type);
      const prunedSet = ensureNamedFieldsAreMembers(toFieldSet(p, type), type);
      const managed = ensureNamedFieldsAreMembers(byVersion.get(version)!, type);
      p = removeItems(m, mergedSet.difference(prunedSet.union(managed)), type);
    }
    return this.types.convert(p, current, prunedVersion);
  }

  /** Removes only what the applier owned before: unowned fields and fields of updaters stay. */
  private addBackDanglingItems(merged: unknown, pruned: unknown, version: string, lastSet: VersionedSet): unknown {
    const type = this.typeOf(version);
    const prunedSet = ensureNamedFieldsAreMembers(toFieldSet(pruned, type), type);
    const mergedSet = ensureNamedFieldsAreMembers(toFieldSet(merged, type), type);
    const last = ensureNamedFieldsAreMembers(lastSet.set, type);
    return removeItems(merged, mergedSet.difference(prunedSet).intersection(last), type);
  }
}
