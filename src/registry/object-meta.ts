import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../apimachinery/types.ts';

/** The current time as Kubernetes writes timestamps: RFC 3339, second precision, UTC. */
export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` plus five random characters from Kubernetes' alphabet (truncating the base to fit 63). */
export function generateName(base: string): string {
  const trimmed = base.length > 58 ? base.slice(0, 58) : base;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += GENERATE_NAME_ALPHABET[Math.floor(Math.random() * GENERATE_NAME_ALPHABET.length)];
  return trimmed + suffix;
}

/** Sets the fields the server owns on a new object: uid, creationTimestamp, generation; clears the rest. */
export function fillSystemFieldsOnCreate(obj: KubeObject): void {
  const meta = obj.metadata;
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp();
  meta.generation = 1;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
}

/** Copies the server-owned fields from the stored object onto an update (they cannot be changed). */
export function keepSystemFieldsOnUpdate(obj: KubeObject, old: KubeObject): void {
  const meta = obj.metadata;
  const oldMeta = old.metadata;
  meta.uid = oldMeta.uid;
  meta.creationTimestamp = oldMeta.creationTimestamp;
  meta.generation = oldMeta.generation;
  if (oldMeta.deletionTimestamp) meta.deletionTimestamp = oldMeta.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (oldMeta.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
}

/** Everything of an object but metadata and status, for telling whether the spec changed. */
export function specOf(obj: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

/** Drops empty labels, annotations, finalizers, ownerReferences and managedFields, as Go's `omitempty` does when an object is stored. */
export function dropEmptyMetadata(obj: KubeObject): void {
  const meta = obj.metadata;
  for (const key of ['labels', 'annotations'] as const) if (meta[key] && Object.keys(meta[key]!).length === 0) delete meta[key];
  for (const key of ['finalizers', 'ownerReferences', 'managedFields'] as const) if (Array.isArray(meta[key]) && meta[key]!.length === 0) delete meta[key];
}
