import type { KubeObject, WatchEvent } from '../../apimachinery/types.ts';
import { keyMatch, matches } from '../engine.ts';
import type { KeyMatch } from '../engine.ts';
import { tooOldResourceVersion } from '../errors.ts';
import type { StorageError } from '../interface.ts';
import type { EventMap } from '../watch-map.ts';
import { decodeObject } from '../object-codec.ts';
import type { CachedEvent, EventRing } from './event-ring.ts';

/**
 * One client watch served by a watch cache. It holds no queue: it is a cursor into the
 * resource's event ring (the revision up to which it has delivered or skipped everything), so a
 * watcher costs O(1) memory however slow its consumer is. When an event it has not delivered is
 * evicted from the ring, its cursor falls below the ring's `oldest` and it fails with
 * ResourceVersionTooOld (kube-apiserver's 410 Gone; the client re-lists). Events it does not
 * match never make it fail: their eviction just moves the cursor on.
 *
 * A watcher is its own async iterator, answered from notify(): a watch event reaches each of a
 * thousand waiting watchers by resolving one promise, not a chain of them (no generator, no
 * wake-up loop). Leaving the loop, or a failure, ends it.
 */
export class CacheWatcher implements AsyncIterableIterator<WatchEvent> {
  private cursor: number;
  private readonly match: KeyMatch;
  private ended = false;
  private failure: StorageError | undefined;
  /** The consumer's pending next(), answered by notify(). */
  private waiting: { resolve(r: IteratorResult<WatchEvent, undefined>): void; reject(err: unknown): void } | undefined;
  private readonly onAbort = (): void => this.end();

  /**
   * Registers nothing by itself: the cache calls `notify`/`onEvicted` and `onEnd` unregisters.
   * `map`, when given, is applied to each event delivered (see MappableWatch).
   */
  constructor(private readonly ring: () => EventRing, readonly prefix: string, fromRevision: number,
    private readonly signal: AbortSignal, private readonly onEnd: (w: CacheWatcher) => void, private readonly map?: EventMap) {
    this.cursor = fromRevision;
    this.match = keyMatch(prefix);
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** New events are in the ring (or the watcher ended): a consumer waiting in next() gets its answer now. */
  notify(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    let ev: WatchEvent | undefined | null;
    try {
      ev = this.poll();
    } catch (err) {
      this.waiting = undefined;
      this.end();
      waiting.reject(err);
      return;
    }
    if (ev === null) return;
    this.waiting = undefined;
    waiting.resolve(ev ? { value: ev, done: false } : DONE);
  }

  /** `ev` is leaving the ring: skip it if it does not concern this watcher. */
  onEvicted(ev: CachedEvent): void {
    if (ev.rev > this.cursor && !matches(this.match, ev.key)) this.cursor = ev.rev;
  }

  /** Ends the watch with `err` (e.g. the cache lost its upstream): a pending or later next() rejects with it. */
  fail(err: StorageError): void {
    if (this.ended) return;
    this.failure = err;
    this.end();
  }

  /**
   * See AsyncIterator.next: the next event, at once when the ring has one; otherwise notify()
   * answers it. It rejects when the watcher failed or fell behind the ring (and then ends it).
   */
  next(): Promise<IteratorResult<WatchEvent, undefined>> {
    let ev: WatchEvent | undefined | null;
    try {
      ev = this.poll();
    } catch (err) {
      this.end();
      return Promise.reject(err);
    }
    if (ev !== null) return Promise.resolve(ev ? { value: ev, done: false } : DONE);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** See AsyncIterator.return: the consumer left the loop; ends the watcher. */
  return(): Promise<IteratorResult<WatchEvent, undefined>> {
    this.end();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next event available now; undefined once ended; null when there is none yet. */
  private poll(): WatchEvent | undefined | null {
    if (this.failure) throw this.failure;
    if (this.ended) return undefined;
    const ring = this.ring();
    if (this.cursor < ring.oldest) throw tooOldResourceVersion(this.prefix, this.cursor, ring.oldest);
    for (let i = ring.firstAfter(this.cursor); i < ring.length; i++) {
      const ev = ring.at(i);
      this.cursor = ev.rev;
      if (!matches(this.match, ev.key)) continue;
      const event: WatchEvent = { type: ev.type, object: sharedObject(ev) };
      return this.map ? this.map(event) : event;
    }
    return null;
  }

  /** Ends the watch: unregisters it, drops the abort listener, answers a pending next(). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.signal.removeEventListener('abort', this.onAbort);
    this.onEnd(this);
    this.notify();
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * An async iterable whose iterator is opened on the first next() by `open` (undefined: nothing
 * to iterate), as an async generator would run its first statements; return() before or while
 * opening ends whatever `open` yields.
 */
export function openedOnFirstNext<T>(open: () => Promise<AsyncIterator<T, undefined> | undefined>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
      let inner: AsyncIterator<T, undefined> | undefined;
      let opening: Promise<AsyncIterator<T, undefined> | undefined> | undefined;
      let left = false;
      const finish = (it: AsyncIterator<T, undefined> | undefined): AsyncIterator<T, undefined> | undefined => {
        if (left) void it?.return?.();
        inner = left ? undefined : it;
        return inner;
      };
      return {
        next: () => {
          if (inner) return inner.next();
          if (left) return Promise.resolve(DONE);
          opening ??= open().then(finish);
          return opening.then((it) => (it ? it.next() : DONE));
        },
        return: () => {
          left = true;
          const it = inner;
          inner = undefined;
          return it?.return ? it.return() : Promise.resolve(DONE);
        },
      };
    },
  };
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
