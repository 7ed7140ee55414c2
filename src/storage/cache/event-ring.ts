/**
 * The bounded history of a watch cache: the most recent events of one resource in revision
 * order, in a fixed-size circular buffer. Everything with a revision above `oldest` is in the
 * ring (or has not happened yet); older events have been evicted.
 */

/** One cached event: the object as stored (JSON without resourceVersion) and its revision. */
export interface CachedEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object's Storage key. */
  readonly key: string;
  /** The object as encodeObject() stores it; for DELETED its last state. */
  readonly value: string;
  readonly rev: number;
}

/** A fixed-capacity ring of CachedEvents; see the file comment. */
export class EventRing {
  private buf: (CachedEvent | undefined)[];
  private start = 0;
  private len = 0;
  private floor: number;

  /** A ring of `capacity` (>= 1) events, complete above `startRevision`. */
  constructor(private readonly capacity: number, startRevision: number) {
    this.buf = new Array<CachedEvent | undefined>(capacity);
    this.floor = startRevision;
  }

  /** Every event with a revision above this is in the ring (or still to come). */
  get oldest(): number {
    return this.floor;
  }

  /** The number of events held. */
  get length(): number {
    return this.len;
  }

  /** The event at logical position `i` (0 = oldest held). */
  at(i: number): CachedEvent {
    return this.buf[(this.start + i) % this.capacity]!;
  }

  /**
   * Appends `ev` (its revision must exceed every held one); when full, evicts and returns the
   * oldest event, whose revision becomes `oldest`.
   */
  push(ev: CachedEvent): CachedEvent | undefined {
    let evicted: CachedEvent | undefined;
    if (this.len === this.capacity) {
      evicted = this.buf[this.start];
      this.buf[this.start] = undefined;
      this.start = (this.start + 1) % this.capacity;
      this.len--;
      this.floor = evicted!.rev;
    }
    this.buf[(this.start + this.len) % this.capacity] = ev;
    this.len++;
    return evicted;
  }

  /** The logical position of the first held event with a revision above `rev` (length if none). */
  firstAfter(rev: number): number {
    let lo = 0;
    let hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).rev <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
