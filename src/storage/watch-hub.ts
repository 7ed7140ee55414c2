import type { WatchEvent } from '../apimachinery/types.ts';
import type { KeyMatch, VersionRow } from './engine.ts';
import { keyMatch } from './engine.ts';
import { tooOldResourceVersion } from './errors.ts';
import { decodeObject } from './object-codec.ts';

/**
 * In-process watch fan-out for the embedded backends. A watcher starts by replaying history
 * from its `fromRevision` out of the engine, then switches to the live stream with no gap: the
 * switch happens synchronously right after a history read up to the engine's newest revision,
 * and writes publish synchronously right after they are appended. A consumer that falls more
 * than MAX_QUEUED events behind stops buffering and goes back to reading history, so a slow
 * watcher costs engine reads, not unbounded memory; once its position is compacted away it
 * fails with ResourceVersionTooOld.
 */

/** Where watchers read history from (an MvccEngine satisfies it). */
export interface HistorySource {
  revision(): number;
  compactedRevision(): number;
  history(match: KeyMatch, afterRev: number, uptoRev: number, limit: number): VersionRow[];
}

const PULL_BATCH = 256;
const MAX_QUEUED = 1024;

/** The watch event of a stored version: ADDED when it created the key, DELETED for a tombstone. */
export function rowToEvent(row: VersionRow): WatchEvent {
  const type = row.deleted ? 'DELETED' : row.createRev === row.rev ? 'ADDED' : 'MODIFIED';
  return { type, object: decodeObject(row.value, row.rev) };
}

class Watcher {
  private queue: VersionRow[] = [];
  private head = 0;
  /** Every matching event with revision <= cursor has been queued (or delivered). */
  private cursor: number;
  /** True while events after `cursor` must be read from history rather than the live stream. */
  private pulling: boolean;
  private ended = false;
  private wake: (() => void) | undefined;
  private readonly onAbort = (): void => this.end();

  constructor(private readonly hub: WatchHub, private readonly source: HistorySource,
    readonly match: KeyMatch, fromRevision: number, private readonly signal: AbortSignal) {
    this.cursor = fromRevision;
    this.pulling = fromRevision < source.revision();
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Called synchronously for every matching write, right after it is appended. */
  offer(row: VersionRow): void {
    if (this.ended || this.pulling || row.rev <= this.cursor) return;
    if (this.queue.length - this.head >= MAX_QUEUED) {
      this.pulling = true;
      return;
    }
    this.queue.push(row);
    this.cursor = row.rev;
    this.wakeUp();
  }

  /** The next version to deliver, or undefined once the watch has ended. */
  async take(): Promise<VersionRow | undefined> {
    for (;;) {
      if (this.ended) return undefined;
      if (this.head === this.queue.length && this.pulling) this.pull();
      if (this.head < this.queue.length) return this.shift();
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  /** Ends the watch: unregisters it, drops its listener and wakes a pending take(). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.head = 0;
    this.signal.removeEventListener('abort', this.onAbort);
    this.hub.remove(this);
    this.wakeUp();
  }

  private pull(): void {
    const upto = this.source.revision();
    const oldest = this.source.compactedRevision();
    if (this.cursor < oldest) throw tooOldResourceVersion(this.match.prefix, this.cursor, oldest);
    const rows = this.source.history(this.match, this.cursor, upto, PULL_BATCH);
    for (const row of rows) this.queue.push(row);
    if (rows.length < PULL_BATCH) {
      this.cursor = upto;
      this.pulling = false;
    } else {
      this.cursor = rows[rows.length - 1].rev;
    }
  }

  private shift(): VersionRow {
    const row = this.queue[this.head++];
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= MAX_QUEUED) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return row;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

async function* iterate(watcher: Watcher): AsyncGenerator<WatchEvent, void, undefined> {
  try {
    for (;;) {
      const row = await watcher.take();
      if (!row) return;
      yield rowToEvent(row);
    }
  } finally {
    watcher.end();
  }
}

async function* empty(): AsyncGenerator<WatchEvent, void, undefined> {
  // An already-aborted watch yields nothing.
}

/**
 * The watchers of one store. `open` registers a watcher synchronously (so it sees every write
 * after the call); `publish` must be called synchronously after each append, in revision order.
 */
export class WatchHub {
  /** Watchers grouped by their prefix or exact key, so a write only visits its own ancestors. */
  private readonly byPrefix = new Map<string, Set<Watcher>>();
  private count = 0;

  constructor(private readonly source: HistorySource) {}

  /** A watch of `prefix` (or the exact key) from `fromRevision`; the caller checked it is not compacted. */
  open(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent> {
    if (signal.aborted) return empty();
    const watcher = new Watcher(this, this.source, keyMatch(prefix), fromRevision, signal);
    let set = this.byPrefix.get(prefix);
    if (!set) this.byPrefix.set(prefix, set = new Set());
    set.add(watcher);
    this.count++;
    return iterate(watcher);
  }

  /** Offers `row` to every watcher whose prefix (or exact key) covers it. */
  publish(row: VersionRow): void {
    if (this.count === 0) return;
    const key = row.key;
    this.byPrefix.get(key)?.forEach((w) => w.offer(row));
    for (let i = key.indexOf('/'); i >= 0 && i < key.length - 1; i = key.indexOf('/', i + 1)) {
      this.byPrefix.get(key.slice(0, i + 1))?.forEach((w) => w.offer(row));
    }
  }

  /** Unregisters `watcher` (called by Watcher.end). */
  remove(watcher: Watcher): void {
    const set = this.byPrefix.get(watcher.match.prefix);
    if (!set?.delete(watcher)) return;
    this.count--;
    if (set.size === 0) this.byPrefix.delete(watcher.match.prefix);
  }

  /** Ends every watch (their iterators return). */
  closeAll(): void {
    for (const set of [...this.byPrefix.values()]) for (const w of [...set]) w.end();
  }

  /** The number of registered watchers. */
  size(): number {
    return this.count;
  }
}
