/**
 * Tells a cache's watchers that new events are in its ring, a slice at a time. Each watcher a
 * notification reaches writes its events to its client in the same turn of the event loop, and
 * Node sends what the HTTP/2 streams were given only when that turn ends. Notifying a thousand
 * watchers in one turn would hold every byte back until the thousandth had written, and keep
 * every other request waiting as long. Yielding after each slice lets the first slices' bytes go
 * out (and other requests run) while the next slices write. A watcher notified later loses
 * nothing: it reads the ring from its own cursor, so it still gets every event, in order.
 */

/** Anything that can be told "there is something new for you". */
export interface Notifiable {
  notify(): void;
}

/** Watchers notified in one turn of the event loop. */
export const NOTIFY_SLICE = 64;

/** See the file comment. */
export class SlicedNotifier {
  private running = false;
  private again = false;

  /** `watchers` is read when a pass starts, so watchers added or removed later are seen by the next pass. */
  constructor(private readonly watchers: () => Iterable<Notifiable>, private readonly slice = NOTIFY_SLICE) {}

  /**
   * Notifies every watcher: the first slice now, the rest in later turns. Called again while a
   * pass runs, it makes one more pass follow, for the watchers the running pass reached already.
   */
  notifyAll(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.pass([...this.watchers()], 0);
  }

  private pass(list: Notifiable[], from: number): void {
    const to = Math.min(list.length, from + this.slice);
    for (let i = from; i < to; i++) list[i].notify();
    if (to < list.length) {
      setImmediate(() => this.pass(list, to));
      return;
    }
    this.running = false;
    if (this.again) {
      this.again = false;
      this.notifyAll();
    }
  }
}
