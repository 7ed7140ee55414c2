/**
 * Shares reads of the store's current revision between concurrent callers without weakening
 * them: a caller may only use the answer of a read that *started after it asked* (so the
 * revision covers every write acknowledged before the caller's request), so a caller that
 * arrives while a read is in flight waits for it and then joins the next one, which starts as
 * soon as the running one ends. Under load, N concurrent consistent lists cost about two reads
 * instead of N.
 */
export class SharedRevisionRead {
  /** The read in flight, if any. */
  private running: Promise<number> | undefined;
  /** The read that starts when `running` ends, shared by everyone who arrived meanwhile. */
  private next: Promise<number> | undefined;

  constructor(private readonly read: () => Promise<number>) {}

  /** A revision at least as new as the store's current revision at the time of this call. */
  current(): Promise<number> {
    if (!this.running) return this.start();
    if (!this.next) {
      const after = this.running.then(() => undefined, () => undefined);
      this.next = after.then(() => {
        this.next = undefined;
        return this.start();
      });
    }
    return this.next;
  }

  private start(): Promise<number> {
    const p = this.read();
    this.running = p;
    const clear = () => {
      if (this.running === p) this.running = undefined;
    };
    p.then(clear, clear);
    return p;
  }
}
