/**
 * The end of one request — its response closed, or the server shutting down — as an AbortSignal
 * made only when something asks for it (a watch, a connect handler). Node 20 gives each
 * AbortSignal a hidden class of its own in the old generation, so one signal per request turned
 * into about 1.5 KB of old-generation garbage per request and full collections under load; most
 * requests never look at theirs.
 */
export class RequestEnd {
  private controller: AbortController | undefined;
  private removeShutdownListener: (() => void) | undefined;
  private ended = false;

  /** @param shutdown aborts when the server closes: the request's signal then aborts too */
  constructor(private readonly shutdown: AbortSignal, private readonly reason: unknown) {}

  /** Aborts once the request has ended (at once if it already has). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.ended || this.shutdown.aborted) this.controller.abort(this.reason);
      else {
        // Removed by hand, not with `{ signal }`: Node drops that option's remover when it is
        // garbage-collected first (nodejs/node#63954), which kept requests for the server's lifetime.
        const onShutdown = () => this.end();
        this.shutdown.addEventListener('abort', onShutdown, { once: true });
        this.removeShutdownListener = () => this.shutdown.removeEventListener('abort', onShutdown);
      }
    }
    return this.controller.signal;
  }

  /** Ends the request: its signal (if one was made) aborts with the reason. Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.removeShutdownListener?.();
    this.controller?.abort(this.reason);
  }
}
