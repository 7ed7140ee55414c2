/**
 * metadata.managedFields on the wire (metav1.ManagedFieldsEntry) and in memory (ManagedSets +
 * times), as k8s.io/apimachinery's managedfields package encodes, decodes, names and sorts them,
 * and the 409 Conflict an apply answers with.
 */
import type { ManagedFieldsEntry } from '../apimachinery/types.ts';
import { StatusError } from '../errors/status-error.ts';
import { pathToString } from './path.ts';
import { FieldSet } from './set.ts';
import type { ManagedSets, ManagerConflict } from './updater.ts';
import { compareStrings } from './value.ts';

/** Managed sets plus the time each manager last changed its set. */
export interface Managed {
  sets: ManagedSets;
  times: Map<string, string | undefined>;
}

/** An empty Managed. */
export function emptyManaged(): Managed {
  return { sets: new Map(), times: new Map() };
}

/** The identity of a manager entry: what of the entry is not fields or time (BuildManagerIdentifier). */
export interface ManagerIdentity {
  manager?: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
}

/** The identifier of an entry: its identity as Go's json.Marshal writes it, without apiVersion for appliers. */
export function managerIdentifier(entry: ManagerIdentity): string {
  const id: Record<string, string> = {};
  if (entry.manager) id.manager = entry.manager;
  id.operation = entry.operation;
  if (entry.apiVersion && entry.operation !== 'Apply') id.apiVersion = entry.apiVersion;
  if (entry.subresource) id.subresource = entry.subresource;
  return goMarshal(id);
}

function goMarshal(obj: Record<string, string>): string {
  return JSON.stringify(obj).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parseIdentifier(id: string): ManagerIdentity {
  return JSON.parse(id) as ManagerIdentity;
}

/**
 * Decodes managedFields (DecodeManagedFields).
 * @throws Error naming the first invalid entry, with upstream's wording.
 */
export function decodeManagedFields(entries: unknown): Managed {
  const managed = emptyManaged();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((raw: unknown, i) => {
    const e = (raw ?? {}) as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (!e.apiVersion || typeof e.apiVersion !== 'string') throw new Error('apiVersion must not be empty');
    if (!e.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType "${String(e.fieldsType)}" in managed fields entry ${i}`);
    const id = managerIdentifier({ manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, subresource: e.subresource });
    const set = e.fieldsV1 === undefined || e.fieldsV1 === null ? new FieldSet() : FieldSet.fromFieldsV1(e.fieldsV1);
    managed.sets.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === 'Apply' });
    managed.times.set(id, typeof e.time === 'string' ? e.time : undefined);
  });
  return managed;
}

/** True for a request's `managedFields: []` or `[{}]`: the client asks to reset them (isResetManagedFields). */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && entries[0] !== null && typeof entries[0] === 'object' && Object.keys(entries[0] as object).length === 0;
}

function seconds(time: string | undefined): number {
  return time ? Math.floor(Date.parse(time) / 1000) : 0;
}

/** Encodes managed fields, sorted as upstream (operation, time in seconds, manager, apiVersion, subresource); undefined when none. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.sets.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, vs] of managed.sets) {
    const identity = parseIdentifier(id);
    const entry: ManagedFieldsEntry = {};
    if (identity.manager) entry.manager = identity.manager;
    entry.operation = identity.operation;
    entry.apiVersion = vs.apiVersion;
    const time = managed.times.get(id);
    if (time) entry.time = time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = vs.set.toFieldsV1();
    if (identity.subresource) entry.subresource = identity.subresource;
    entries.push(entry);
  }
  return entries.sort((p, q) => {
    if (p.operation !== q.operation) return compareStrings(p.operation!, q.operation!);
    const ps = seconds(p.time);
    const qs = seconds(q.time);
    if (ps !== qs) return ps - qs;
    return compareStrings(p.manager ?? '', q.manager ?? '') || compareStrings(p.apiVersion ?? '', q.apiVersion ?? '')
      || compareStrings(p.subresource ?? '', q.subresource ?? '');
  });
}

/** printManager: `"name"`, with subresource and (for updaters) version and time. */
export function printManager(id: string): string {
  let identity: ManagerIdentity & { time?: string };
  try { identity = JSON.parse(id) as ManagerIdentity; } catch { return JSON.stringify(id); }
  let s = JSON.stringify(identity.manager ?? '');
  if (identity.subresource) s = `${s} with subresource ${JSON.stringify(identity.subresource)}`;
  if (identity.operation === 'Update') return `${s} using ${identity.apiVersion ?? ''}`;
  return s;
}

/** The 409 Conflict an apply answers with (NewConflictError): one cause per conflicting field. */
export function conflictError(conflicts: ManagerConflict[]): StatusError {
  const flat = conflicts.flatMap((c) => c.set.paths().map((path) => ({ manager: c.manager, path: pathToString(path) })));
  const causes = flat.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: c.path }));
  let message: string;
  if (flat.length === 1) message = `Apply failed with 1 conflict: conflict with ${printManager(flat[0].manager)}: ${flat[0].path}`;
  else {
    const byManager = new Map<string, string[]>();
    for (const c of flat) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
    const lines: string[] = [];
    for (const manager of [...byManager.keys()].sort(compareStrings)) {
      lines.push(`conflicts with ${printManager(manager)}:`);
      for (const path of byManager.get(manager)!) lines.push(`- ${path}`);
    }
    message = `Apply failed with ${flat.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}
