/**
 * The storage migration people run after moving a resource's storage version: every object is
 * read and written back unchanged through the API in the storage version (the server then
 * re-stores it in that version), page by page, resumable from a state file, with progress lines.
 * Safe under concurrent writers: each write carries the resourceVersion it read (a stale one is
 * a 409 Conflict: the object is read again and written again), so no concurrent update is lost.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { KubeObject } from '../../apimachinery/types.ts';
import { STORED_VERSIONS_RESOURCE, type ResourceStoredVersions, type StoredVersionsReport } from '../../endpoints/stored-versions.ts';
import { KubeApiError, type KubeClient } from '../../kube/client.ts';
import type { Resource } from '../../resource/define-resource.ts';
import { ActionableError } from '../errors.ts';

/** The field manager of the migration's writes. */
export const MIGRATION_FIELD_MANAGER = 'extapi-migrate-storage';

/** How often one object is read and written again after conflicts before it counts as failed. */
const MAX_ATTEMPTS = 20;

/** Options of migrateStorage. */
export interface MigrateStorageOptions {
  client: Pick<KubeClient, 'request'>;
  /** The resources to migrate (their storage version is the one the server writes). */
  resources: readonly Resource[];
  /** Progress survives here between runs (`<plural>.<group>` → last object done); absent: not resumable. */
  stateFile?: string;
  /** Objects per list page (default 500). */
  pageSize?: number;
  /** One line per page and per resource. */
  progress: (line: string) => void;
}

/** What happened to one object that could not be migrated. */
export interface MigrationFailure {
  object: string;
  message: string;
}

/** The outcome for one resource. */
export interface ResourceMigration {
  resource: string;
  storageVersion: string;
  /** Objects written back (the server re-stored them). */
  rewritten: number;
  /** Objects already stored in the storage version (the write changed nothing). */
  current: number;
  /** Objects deleted while the migration ran. */
  gone: number;
  /** Conflicts met (each resolved by reading and writing again). */
  conflicts: number;
  failures: MigrationFailure[];
  /** The server's stored-versions report before and after. */
  before: ResourceStoredVersions;
  after: ResourceStoredVersions;
}

interface State { [resource: string]: { storageVersion: string; after: string } }

/** Migrates each resource in turn; see the module comment. */
export async function migrateStorage(opts: MigrateStorageOptions): Promise<ResourceMigration[]> {
  const results: ResourceMigration[] = [];
  for (const resource of opts.resources) results.push(await migrateResource(opts, resource));
  return results;
}

async function migrateResource(opts: MigrateStorageOptions, resource: Resource): Promise<ResourceMigration> {
  const id = `${resource.plural}.${resource.group}`;
  const before = await storedVersionsOf(opts.client, resource);
  const out: ResourceMigration = { resource: id, storageVersion: resource.storageVersion, rewritten: 0, current: 0, gone: 0, conflicts: 0, failures: [], before, after: before };
  if (before.storedVersions.length === 1 && Object.keys(before.objects).every((v) => v === resource.storageVersion)) {
    opts.progress(`${id}: every object is stored in ${resource.storageVersion}; nothing to migrate`);
    clearState(opts.stateFile, id);
    return out;
  }
  opts.progress(`${id}: stored in ${describeCounts(before.objects)}; writing every object back in ${resource.storageVersion}`);
  const saved = readState(opts.stateFile)[id];
  let after = saved?.storageVersion === resource.storageVersion ? saved.after : '';
  if (after) opts.progress(`${id}: resuming after ${after}`);
  let token: string | undefined;
  for (;;) {
    const page = await listPage(opts.client, resource, opts.pageSize ?? 500, token);
    if (page === 'expired') { token = undefined; continue; }
    for (const item of page.items) {
      const key = objectKey(item);
      if (key <= after) continue;
      await migrateObject(opts.client, resource, item, out);
      after = key;
    }
    writeState(opts.stateFile, id, { storageVersion: resource.storageVersion, after });
    const done = out.rewritten + out.current + out.gone + out.failures.length;
    opts.progress(`${id}: ${done} objects done (${out.rewritten} rewritten, ${out.conflicts} conflicts retried, ${out.failures.length} failed)${after ? `, at ${after}` : ''}`);
    if (!page.continue) break;
    token = page.continue;
  }
  out.after = await storedVersionsOf(opts.client, resource);
  if (out.failures.length === 0) clearState(opts.stateFile, id);
  return out;
}

/** Writes `item` back until the write lands on the object's current state (or it is gone or refused). */
async function migrateObject(client: Pick<KubeClient, 'request'>, resource: Resource, item: KubeObject, out: ResourceMigration): Promise<void> {
  let current: KubeObject | null = item;
  for (let attempt = 1; current; attempt++) {
    try {
      const written = await client.request<KubeObject>('PUT', objectPath(resource, current), { body: current, query: { fieldManager: MIGRATION_FIELD_MANAGER } });
      if (written.metadata.resourceVersion === current.metadata.resourceVersion) out.current++;
      else out.rewritten++;
      return;
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      if (err.code === 404) { out.gone++; return; }
      if (err.code !== 409 || attempt >= MAX_ATTEMPTS) {
        out.failures.push({ object: objectKey(current), message: err.message });
        return;
      }
      out.conflicts++;
      current = await getOrNull(client, objectPath(resource, current));
    }
  }
  out.gone++;
}

async function getOrNull(client: Pick<KubeClient, 'request'>, path: string): Promise<KubeObject | null> {
  try { return await client.request<KubeObject>('GET', path); } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) return null;
    throw err;
  }
}

async function listPage(client: Pick<KubeClient, 'request'>, resource: Resource, limit: number, token?: string): Promise<{ items: KubeObject[]; continue?: string } | 'expired'> {
  try {
    const list = await client.request<{ items?: KubeObject[]; metadata?: { continue?: string } }>('GET', `/apis/${resource.group}/${resource.storageVersion}/${resource.plural}`,
      { query: { limit: String(limit), continue: token } });
    return { items: list.items ?? [], continue: list.metadata?.continue || undefined };
  } catch (err) {
    // An expired continue token: list again from the start; objects already done are skipped by key.
    if (token && err instanceof KubeApiError && err.code === 410) return 'expired';
    throw err;
  }
}

/** The server's stored-versions report of `resource` (GET /apis/<group>/<storage version>/storedversions.extapi.dev). */
export async function storedVersionsOf(client: Pick<KubeClient, 'request'>, resource: Resource): Promise<ResourceStoredVersions> {
  let report: StoredVersionsReport;
  try {
    report = await client.request<StoredVersionsReport>('GET', `/apis/${resource.group}/${resource.storageVersion}/${STORED_VERSIONS_RESOURCE}`);
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) {
      throw new ActionableError(`the server does not report the stored versions of ${resource.group}/${resource.storageVersion}: run a server of this extapi version (with ${resource.storageVersion} served) first`);
    }
    throw err;
  }
  const found = report.resources?.find((r) => r.resource === resource.plural);
  if (!found) throw new ActionableError(`the server does not store ${resource.plural}.${resource.group} itself (a custom backend or computed resource): nothing to migrate`);
  return found;
}

/** `v1alpha1: 3, v1beta1: 5` */
export function describeCounts(objects: Record<string, number>): string {
  const entries = Object.entries(objects);
  return entries.length === 0 ? 'nothing (no objects)' : entries.map(([v, n]) => `${v}: ${n}`).join(', ');
}

function objectKey(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name ?? '';
}

function objectPath(resource: Resource, obj: KubeObject): string {
  const ns = resource.namespaced ? `/namespaces/${obj.metadata.namespace}` : '';
  return `/apis/${resource.group}/${resource.storageVersion}${ns}/${resource.plural}/${obj.metadata.name}`;
}

function readState(file: string | undefined): State {
  if (!file || !existsSync(file)) return {};
  try { return JSON.parse(readFileSync(file, 'utf8')) as State; } catch {
    throw new ActionableError(`the migration state file ${file} is not JSON: remove it to start over`);
  }
}

function writeState(file: string | undefined, id: string, entry: State[string]): void {
  if (!file) return;
  const state = { ...readState(file), [id]: entry };
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

function clearState(file: string | undefined, id: string): void {
  if (!file || !existsSync(file)) return;
  const state = readState(file);
  if (!(id in state)) return;
  delete state[id];
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
