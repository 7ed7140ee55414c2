import assert from 'node:assert/strict';
import type { KubeObject, WatchEvent } from '../apimachinery/types.ts';
import { isStorageError } from './interface.ts';
import type { ListResult, Storage, StorageError, StorageErrorCode } from './interface.ts';

/** Builds a fresh, empty store for one conformance case. */
export type MakeStore = (opts: { historyRevisions: number }) => Promise<Storage>;

/** The prefix most conformance cases write under. */
export const P = '/conformance.example.com/widgets/ns/';

/** The key of `name` under P. */
export function key(name: string): string {
  return P + name;
}

/** A test object named `name` with `data`. */
export function obj(name: string, data: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Widget', metadata: { name, namespace: 'ns', uid: `uid-${name}` }, data };
}

/** A deep copy of `o` with metadata.resourceVersion = String(`rev`): what the store must return. */
export function withRV(o: KubeObject, rev: number): KubeObject {
  const copy = structuredClone(o);
  copy.metadata.resourceVersion = String(rev);
  return copy;
}

/**
 * Runs `fn` with a fresh store and the store's revision before any write (`base`; revisions in
 * assertions are relative to it), closing the store afterwards.
 */
export async function withStore(make: MakeStore, historyRevisions: number,
  fn: (store: Storage, base: number) => Promise<void>): Promise<void> {
  const store = await make({ historyRevisions });
  try {
    await fn(store, await store.currentRevision());
  } finally {
    await store.close();
  }
}

/** Awaits `fn()` and asserts it throws a StorageError with `code`; returns the error. */
export async function expectStorageError(fn: () => unknown, code: StorageErrorCode): Promise<StorageError> {
  let thrown: unknown;
  try {
    await fn();
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown !== undefined, `expected StorageError ${code}, but nothing was thrown`);
  assert.ok(isStorageError(thrown), `expected StorageError ${code}, got ${String(thrown)}`);
  assert.equal(thrown.code, code, `expected ${code}, got ${thrown.code}: ${thrown.message}`);
  return thrown;
}

/** `TYPE name rv` of a watch event, for exact comparisons of event sequences. */
export function describeEvent(ev: WatchEvent): string {
  return `${ev.type} ${ev.object.metadata.name ?? ''} ${ev.object.metadata.resourceVersion ?? ''}`;
}

/** A promise and its resolver, to hold an async callback at a chosen point. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => { open = resolve; });
  return { promise, open };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Awaits `p`, failing the test if it takes longer than `ms`. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Takes the next `n` events from `it` (failing after `ms`). Fewer are returned only if the
 * iterator ends first.
 */
export async function take(it: AsyncIterator<WatchEvent>, n: number, ms = 10_000): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  const deadline = Date.now() + ms;
  while (out.length < n) {
    const r = await within(it.next(), Math.max(1, deadline - Date.now()), `watch event ${out.length + 1} of ${n}`);
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

/** Opens a watch and returns its iterator with the controller that aborts it. */
export function openWatch(store: Storage, prefix: string, fromRevision: number): { it: AsyncIterator<WatchEvent>; ctl: AbortController } {
  const ctl = new AbortController();
  const it = store.watch(prefix, { fromRevision, signal: ctl.signal })[Symbol.asyncIterator]();
  return { it, ctl };
}

/** The names of `items`. */
export function names(items: KubeObject[]): string[] {
  return items.map((o) => o.metadata.name ?? '');
}

/**
 * `result` without its optional `encoded` form, after checking that form: when present, each
 * item's JSON exactly as JSON.stringify writes it, index-aligned, all items in its apiVersion.
 */
export function plainList(result: ListResult): ListResult {
  const { encoded, ...plain } = result;
  if (encoded) {
    assert.deepEqual(encoded.items, result.items.map((o) => JSON.stringify(o)), 'encoded items are the items\' JSON');
    assert.ok(result.items.every((o) => o.apiVersion === encoded.apiVersion), `every item is in ${encoded.apiVersion}`);
  }
  return { ...plain, items: result.items };
}
