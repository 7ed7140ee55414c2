import type { KubeObject, WatchEvent } from '../../apimachinery/types.ts';
import { keyMatch, matches } from '../engine.ts';
import type { KeyMatch } from '../engine.ts';
import { tooOldResourceVersion } from '../errors.ts';
import type { StorageError } from '../interface.ts';
import { decodeObject } from '../object-codec.ts';
import type { CachedEvent, EventRing } from './event-ring.ts';

/**
 * One client watch served by a watch cache. It holds no queue: it is a cursor into the
 * resource's event ring (the revision up to which it has delivered or skipped everything), so a
 * watcher costs O(1) memory however slow its consumer is. When an event it has not delivered is
 * evicted from the ring, its cursor falls below the ring's `oldest` and it fails with
 * ResourceVersionTooOld (kube-apiserver's 410 Gone; the client re-lists). Events it does not
 * match never make it fail: their eviction just moves the cursor on.
 */
export class CacheWatcher {
  private cursor: number;
  private readonly match: KeyMatch;
  private ended = false;
  private failure: StorageError | undefined;
  private wake: (() => void) | undefined;
  private readonly onAbort = (): void => this.end();

  /** Registers nothing by itself: the cache calls `notify`/`onEvicted` and `onEnd` unregisters. */
  constructor(private readonly ring: () => EventRing, readonly prefix: string, fromRevision: number,
    private readonly signal: AbortSignal, private readonly onEnd: (w: CacheWatcher) => void) {
    this.cursor = fromRevision;
    this.match = keyMatch(prefix);
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** New events are in the ring. */
  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** `ev` is leaving the ring: skip it if it does not concern this watcher. */
  onEvicted(ev: CachedEvent): void {
    if (ev.rev > this.cursor && !matches(this.match, ev.key)) this.cursor = ev.rev;
  }

  /** Ends the watch with `err` (e.g. the cache lost its upstream): take() throws it. */
  fail(err: StorageError): void {
    if (this.ended) return;
    this.failure = err;
    this.end();
  }

  /** The next event; undefined once ended; throws when failed or fallen behind the ring. */
  async take(): Promise<WatchEvent | undefined> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.ended) return undefined;
      const ring = this.ring();
      if (this.cursor < ring.oldest) throw tooOldResourceVersion(this.prefix, this.cursor, ring.oldest);
      for (let i = ring.firstAfter(this.cursor); i < ring.length; i++) {
        const ev = ring.at(i);
        this.cursor = ev.rev;
        if (matches(this.match, ev.key)) return { type: ev.type, object: sharedObject(ev) };
      }
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  /** Ends the watch: unregisters it, drops the abort listener, wakes a pending take(). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.signal.removeEventListener('abort', this.onAbort);
    this.onEnd(this);
    this.notify();
  }
}

/** Each cached event's object, decoded by the first watcher that delivers it. */
const decodedEvents = new WeakMap<CachedEvent, KubeObject>();

/**
 * The object of `ev`, decoded once and shared by every watcher it is delivered to (kube-apiserver's
 * cacher also hands one object to all its watchers). It is deeply frozen: a consumer that wants to
 * change it copies it first, and one that does not gets a TypeError instead of changing what
 * the other watches send.
 */
function sharedObject(ev: CachedEvent): KubeObject {
  let obj = decodedEvents.get(ev);
  if (!obj) {
    obj = deepFreeze(decodeObject(ev.value, ev.rev));
    decodedEvents.set(ev, obj);
  }
  return obj;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Iterates `watcher`, ending it when the consumer leaves the loop. */
export async function* iterateCacheWatcher(watcher: CacheWatcher): AsyncGenerator<WatchEvent, void, undefined> {
  try {
    for (;;) {
      const ev = await watcher.take();
      if (!ev) return;
      yield ev;
    }
  } finally {
    watcher.end();
  }
}
