import type { WatchEvent } from '../../apimachinery/types.ts';
import { tooOldResourceVersion } from '../errors.ts';
import { StorageError, progressBookmark } from '../interface.ts';
import type { ProgressWatch } from '../interface.ts';
import { decodeObject } from '../object-codec.ts';
import type { EtcdClient } from './etcd-client.ts';
import type { KeySpace } from './etcd-keys.ts';
import { decodeWatchResponse, encodeWatchRequest } from './wire/etcd-messages.ts';
import type { WatchEventMessage, WatchRequest, WatchResponse } from './wire/etcd-messages.ts';
import type { GrpcStream } from './wire/grpc.ts';

/**
 * Storage.watch over etcd's watch API: one gRPC watch stream per Storage watch, created with
 * `start_revision = fromRevision + 1` and `prev_kv` (so DELETED events carry the last state).
 * When the stream breaks (member crash, etcd restart, network) the watch reconnects with
 * backoff — to any endpoint — from the revision after the last event it queued, dropping
 * duplicates; if that revision was compacted meanwhile the watch ends with
 * ResourceVersionTooOld. A consumer that falls behind pauses the stream (HTTP/2 flow control
 * reaches etcd), so memory per watch stays bounded. With `bookmarks`, etcd's progress
 * responses (asked for with requestProgress(), or periodic) are queued as progress bookmarks
 * in event order (see ProgressWatch): etcd sends them only once every event up to their
 * revision has been sent on the stream, which carries this one watch.
 */

/** Events queued before the gRPC stream is paused, and the level at which it resumes. */
const HIGH_WATER = 1024;
const LOW_WATER = 256;
const MAX_BACKOFF_MS = 1000;

/** The Storage watch event of an etcd event; a DELETE without its previous value means the history is gone. */
export function toWatchEvent(keys: KeySpace, ev: WatchEventMessage): WatchEvent {
  const rev = Number(ev.kv.mod_revision);
  if (ev.type === 'Delete') {
    if (!ev.prev_kv) throw tooOldResourceVersion(keys.storageKey(ev.kv.key), rev - 1, rev);
    return { type: 'DELETED', object: decodeObject(ev.prev_kv.value.toString('utf8'), rev) };
  }
  const type = ev.kv.create_revision === ev.kv.mod_revision ? 'ADDED' : 'MODIFIED';
  return { type, object: decodeObject(ev.kv.value.toString('utf8'), rev) };
}

/** What an EtcdWatch needs from its store. */
export interface EtcdWatchContext {
  client: EtcdClient;
  keys: KeySpace;
  /** Called once when the watch ends (for watcherCount). */
  onEnd(watch: EtcdWatch): void;
}

/** One Storage watch; see the file comment. */
export class EtcdWatch {
  private queue: WatchEvent[] = [];
  private head = 0;
  /** The revision of the newest event queued (events at or below it are duplicates). */
  private delivered: number;
  /** Where a reconnect resumes after: `delivered`, or later when etcd reported progress. */
  private resumeAfter: number;
  private stream: GrpcStream | undefined;
  private paused = false;
  private ended = false;
  private failure: StorageError | undefined;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempts = 0;
  /** A progress request made while no stream was open, sent once one is. */
  private progressWanted = false;
  private readonly onAbort = (): void => this.end();

  constructor(private readonly ctx: EtcdWatchContext, readonly prefix: string, fromRevision: number,
    private readonly signal: AbortSignal, private readonly bookmarks = false) {
    this.delivered = fromRevision;
    this.resumeAfter = fromRevision;
    signal.addEventListener('abort', this.onAbort, { once: true });
    this.connect();
  }

  /** The next event; undefined once the watch has ended; throws when it failed (e.g. TooOld). */
  async take(): Promise<WatchEvent | undefined> {
    for (;;) {
      if (this.head < this.queue.length) return this.shift();
      if (this.failure) throw this.failure;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  /** Asks etcd for a progress response (see ProgressWatch); sent once connected when the stream is not. */
  requestProgress(): void {
    if (this.ended) return;
    if (!this.stream) {
      this.progressWanted = true;
      return;
    }
    try {
      this.stream.write(encodeWatchRequest({ progress_request: {} }));
    } catch {
      // The stream broke; it reconnects and the caller's deadline covers the lost request.
    }
  }

  /** Ends the watch: cancels the stream, drops the abort listener, wakes a pending take(). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.dropStream();
    this.queue = [];
    this.head = 0;
    this.signal.removeEventListener('abort', this.onAbort);
    this.ctx.onEnd(this);
    this.wakeUp();
  }

  private connect(): void {
    if (this.ended) return;
    const opened = this.ctx.client.watchStream({
      onMessage: (message) => this.onMessage(opened as GrpcStream, message),
      onEnd: () => this.onBroken(opened as GrpcStream),
    });
    if (opened instanceof Error) {
      this.reconnectLater();
      return;
    }
    this.stream = opened;
    const range = this.ctx.keys.range(this.prefix);
    this.send(opened, { create_request: { ...range, start_revision: this.resumeAfter + 1, prev_kv: true, progress_notify: true } });
    if (this.progressWanted) this.send(opened, { progress_request: {} });
    this.progressWanted = false;
  }

  private send(stream: GrpcStream, req: WatchRequest): void {
    try {
      stream.write(encodeWatchRequest(req));
    } catch {
      this.onBroken(stream);
    }
  }

  private onMessage(stream: GrpcStream, message: Buffer): void {
    if (stream !== this.stream || this.ended) return;
    let res: WatchResponse;
    try {
      res = decodeWatchResponse(message);
    } catch (err) {
      this.fail(new StorageError('Internal', this.prefix, `undecodable watch response: ${String(err)}`));
      return;
    }
    this.onResponse(stream, res);
  }

  private onResponse(stream: GrpcStream, res: WatchResponse): void {
    if (stream !== this.stream || this.ended) return;
    if (res.canceled) {
      this.onCanceled(res);
      return;
    }
    if (res.created) {
      this.attempts = 0;
      return;
    }
    if (res.events.length === 0) {
      // A progress notification: etcd sends them only to watchers that have caught up.
      this.resumeAfter = Math.max(this.resumeAfter, Number(res.header.revision));
      if (this.bookmarks) {
        this.queue.push(progressBookmark(this.resumeAfter));
        this.wakeUp();
      }
      return;
    }
    for (const ev of res.events) {
      const rev = Number(ev.kv.mod_revision);
      if (rev <= this.delivered) continue;
      try {
        this.queue.push(toWatchEvent(this.ctx.keys, ev));
      } catch (err) {
        this.fail(err instanceof StorageError ? err : new StorageError('Internal', this.prefix, `undecodable watch event: ${String(err)}`));
        return;
      }
      this.delivered = rev;
      this.resumeAfter = Math.max(this.resumeAfter, rev);
    }
    if (this.queue.length - this.head >= HIGH_WATER && !this.paused) {
      this.paused = true;
      stream.pause();
    }
    this.wakeUp();
  }

  /** etcd cancels a watch whose start was compacted (compact_revision set, reason often empty). */
  private onCanceled(res: WatchResponse): void {
    const compacted = Number(res.compact_revision);
    if (compacted > 0 || !res.cancel_reason) {
      this.fail(tooOldResourceVersion(this.prefix, this.resumeAfter, compacted));
    } else if (/no leader/.test(res.cancel_reason)) {
      this.onBroken(this.stream);
    } else {
      this.fail(new StorageError('Internal', this.prefix, `etcd cancelled the watch: ${res.cancel_reason}`));
    }
  }

  private onBroken(stream: GrpcStream | undefined): void {
    if (stream !== this.stream || this.ended) return;
    this.dropStream();
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.ended) return;
    const base = Math.min(MAX_BACKOFF_MS, 50 * 2 ** this.attempts++);
    this.timer = setTimeout(() => this.connect(), base * (0.5 + Math.random() / 2));
  }

  private dropStream(): void {
    const stream = this.stream;
    this.stream = undefined;
    this.paused = false;
    stream?.cancel();
  }

  /** Ends the watch with `err`: events queued before it are still delivered, then take() throws. */
  private fail(err: StorageError): void {
    if (this.ended) return;
    this.failure = err;
    const queued = this.queue.slice(this.head);
    this.end();
    this.queue = queued;
  }

  private shift(): WatchEvent {
    const ev = this.queue[this.head++];
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= LOW_WATER) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.paused && this.queue.length - this.head <= LOW_WATER) {
      this.paused = false;
      this.stream?.resume();
    }
    return ev;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** The ProgressWatch of `watch` (opened with bookmarks), which ends it when the consumer leaves the loop. */
export function progressWatch(watch: EtcdWatch): ProgressWatch {
  return Object.assign(iterateWatch(watch), { requestProgress: () => watch.requestProgress() });
}

/** The async iterable of `watch`, which ends it when the consumer leaves the loop. */
export async function* iterateWatch(watch: EtcdWatch): AsyncGenerator<WatchEvent, void, undefined> {
  try {
    for (;;) {
      const ev = await watch.take();
      if (!ev) return;
      yield ev;
    }
  } finally {
    watch.end();
  }
}
