/**
 * Server-side apply (PATCH `application/apply-patch+yaml`, fieldManager `extapi`, force) with
 * change detection: the object is read before and compared after, ignoring status and
 * bookkeeping, so a second run reports every object unchanged.
 */
import { KubeApiError, type KubeClient } from '../../kube/client.ts';
import type { KubeManifest } from '../manifests/types.ts';
import { objectPath } from './rest-mapping.ts';

/** The field manager of every apply. */
export const FIELD_MANAGER = 'extapi';

/** What an apply did. */
export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

/** The result of one apply. */
export interface ApplyResult {
  outcome: ApplyOutcome;
  /** The object as the server holds it afterwards. */
  object: any;
  resourceVersionBefore?: string;
  resourceVersionAfter?: string;
}

/** The object without status and the metadata the server maintains, for comparison. */
export function comparable(obj: any): unknown {
  if (!obj || typeof obj !== 'object') return obj;
  const { status: _status, metadata = {}, ...rest } = obj;
  const { resourceVersion: _rv, managedFields: _mf, generation: _g, uid: _u, creationTimestamp: _c, ...meta } = metadata;
  return { ...rest, metadata: meta };
}

function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val)
    ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => a.localeCompare(b))) : val));
}

/**
 * Applies `obj` server-side. `dryRun` asks the server to validate and admit without persisting.
 * Throws KubeApiError as the server answered.
 */
export async function serverSideApply(client: KubeClient, obj: KubeManifest, opts: { dryRun?: boolean } = {}): Promise<ApplyResult> {
  const path = objectPath(obj);
  const before = await client.getOrNull(path);
  const query: Record<string, string> = { fieldManager: FIELD_MANAGER, force: 'true' };
  if (opts.dryRun) query.dryRun = 'All';
  const after = await client.request('PATCH', path, { body: JSON.stringify(obj), contentType: 'application/apply-patch+yaml', query });
  const rvBefore = before?.metadata?.resourceVersion as string | undefined;
  const rvAfter = after?.metadata?.resourceVersion as string | undefined;
  let outcome: ApplyOutcome;
  if (!before) outcome = 'created';
  else if (rvBefore === rvAfter || stableJson(comparable(before)) === stableJson(comparable(after))) outcome = 'unchanged';
  else outcome = 'configured';
  return { outcome, object: after, resourceVersionBefore: rvBefore, resourceVersionAfter: rvAfter };
}

/** Deletes an object; resolves `false` when it was already gone. */
export async function deleteIfExists(client: KubeClient, path: string): Promise<boolean> {
  try {
    await client.request('DELETE', path, { body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' } });
    return true;
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) return false;
    throw err;
  }
}
