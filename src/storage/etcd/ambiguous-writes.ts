import type { WatchEvent } from '../../apimachinery/types.ts';
import { encodeObject, sameContent } from '../object-codec.ts';
import { outcomeUnknown } from './etcd-errors.ts';

/**
 * Settling writes whose first attempt failed ambiguously (the connection dropped or a deadline
 * passed after the request was sent: etcd may have applied it). Every write is a
 * compare-and-swap against the revision it read, so repeating it is safe, but when the repeat's
 * compare fails we must tell "our first attempt was applied" from "someone else wrote first".
 * A compare-and-swap based on revision B can only ever have produced the key's first write
 * after B, so that write's history decides: if it is not our value, we certainly lost and may
 * retry; if it is, the write was ours or an identical concurrent one, which etcd cannot tell
 * apart — then creates and deletes (whose identical twins are harmless) count as done, and
 * updates fail with outcomeUnknown rather than risk applying an update twice or claiming
 * another writer's result as ours.
 */

/** The stored state of a key as the storage read it. */
export interface SeenState {
  value: string;
  modRev: number;
  createRev: number;
}

/** History reads the settling needs. */
export interface HistoryReader {
  /** The first event on exactly `key` with revision > `rev`; undefined when none or the history is gone. */
  firstEventAfter(key: string, rev: number): Promise<WatchEvent | undefined>;
  /** The stored value of `key` as of `rev`, or undefined (absent or compacted). */
  valueAt(key: string, rev: number): Promise<string | undefined>;
}

/**
 * After an ambiguous create-if-absent of `value` whose repeat found the key present (`seen`):
 * the revision of our create when the key's current incarnation was created with our value
 * (an identical create from elsewhere would carry the same uid, i.e. be the same request),
 * else undefined (someone else created it).
 */
export async function settleCreate(history: HistoryReader, key: string, value: string, seen: SeenState | null): Promise<number | undefined> {
  if (!seen) return undefined;
  const created = seen.createRev === seen.modRev ? seen.value : await history.valueAt(key, seen.createRev);
  return created !== undefined && sameContent(value, created) ? seen.createRev : undefined;
}

/**
 * After an ambiguous update of `value` based on revision `baseRev` whose repeat failed its
 * compare: undefined when another write certainly came first (retry on the new state); throws
 * outcomeUnknown when the first write after `baseRev` has our value (ours or an identical twin).
 */
export async function settleUpdate(history: HistoryReader, key: string, baseRev: number, value: string): Promise<undefined> {
  const next = await history.firstEventAfter(key, baseRev);
  if (!next) throw outcomeUnknown(key);
  if (next.type === 'DELETED' || !sameContent(value, encodeObject(next.object))) return undefined;
  throw outcomeUnknown(key);
}

/**
 * After an ambiguous delete of the version at `baseRev` whose repeat failed its compare: the
 * deletion's revision when the first write after `baseRev` deleted the key (ours, or a
 * concurrent delete of the same version, which has the same effect), undefined when a write
 * came first (retry on the new state).
 */
export async function settleDelete(history: HistoryReader, key: string, baseRev: number): Promise<number | undefined> {
  const next = await history.firstEventAfter(key, baseRev);
  if (!next) throw outcomeUnknown(key);
  return next.type === 'DELETED' ? Number(next.object.metadata.resourceVersion) : undefined;
}
