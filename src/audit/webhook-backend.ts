import { KubeApiError, loadKubeClient, type KubeClient } from '../kube/client.ts';
import type { AuditBackend, AuditEvent } from './types.ts';

/** Options of the webhook backend, as kube-apiserver's `--audit-webhook-*` flags (batch mode). */
export interface WebhookBackendOptions {
  /** A kubeconfig whose cluster is the webhook (server URL and CA) and whose user is our credential. */
  configFile?: string;
  /** Or a ready client (tests). */
  client?: KubeClient;
  /** Events held at most; beyond, new events are dropped (requests never wait). Default 10000. */
  bufferSize?: number;
  /** Events per request at most. Default 400. */
  maxBatchSize?: number;
  /** Send a partial batch after this long. Default 30 s. */
  maxBatchWaitMs?: number;
  /** First retry delay; each retry waits 1.5x longer, 5 attempts in all. Default 10 s. */
  initialBackoffMs?: number;
  /** Time limit of one request. Default 30 s. */
  timeoutMs?: number;
}

const ATTEMPTS = 5;

/**
 * Posts events to a webhook as `audit.k8s.io/v1 EventList` batches: a bounded buffer that never
 * blocks the request path (full: the event is dropped and counted), a batch when maxBatchSize
 * events are waiting or maxBatchWaitMs has passed, retries with exponential backoff on connection
 * errors, 429 and 5xx, one batch in flight at a time. A batch that fails every attempt is dropped
 * and reported.
 */
export class WebhookBackend implements AuditBackend {
  readonly name = 'webhook';
  /** Events dropped because the buffer was full or a batch failed. */
  dropped = 0;
  private readonly client: KubeClient;
  private readonly opts: Required<Omit<WebhookBackendOptions, 'configFile' | 'client'>>;
  private readonly buffer: AuditEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private closed = false;
  private flushRequested = false;
  private readonly report: (msg: string) => void;

  constructor(opts: WebhookBackendOptions, report: (msg: string) => void = (m) => console.error(m)) {
    this.client = opts.client ?? loadKubeClient({ kubeconfig: opts.configFile });
    this.opts = {
      bufferSize: opts.bufferSize ?? 10_000, maxBatchSize: opts.maxBatchSize ?? 400, maxBatchWaitMs: opts.maxBatchWaitMs ?? 30_000,
      initialBackoffMs: opts.initialBackoffMs ?? 10_000, timeoutMs: opts.timeoutMs ?? 30_000,
    };
    this.report = report;
  }

  process(events: AuditEvent[]): void {
    for (const event of events) {
      if (this.closed || this.buffer.length >= this.opts.bufferSize) { this.dropped++; continue; }
      this.buffer.push(event);
    }
    this.schedule();
  }

  /** Sends everything buffered (retrying as usual), then stops accepting events. */
  async shutdown(): Promise<void> {
    this.closed = true;
    while (this.buffer.length > 0 || this.sending) {
      this.kick(true);
      await this.sending;
    }
  }

  /** A full batch goes now; a partial one when maxBatchWaitMs has passed. */
  private schedule(): void {
    if (this.sending) return;
    if (this.buffer.length >= this.opts.maxBatchSize) this.kick(false);
    else if (this.buffer.length > 0 && !this.timer) this.timer = setTimeout(() => this.kick(true), this.opts.maxBatchWaitMs).unref();
  }

  private kick(flush: boolean): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (flush) this.flushRequested = true;
    if (this.sending) return;
    this.sending = this.drain().finally(() => { this.sending = undefined; this.schedule(); });
  }

  private async drain(): Promise<void> {
    while (this.buffer.length >= this.opts.maxBatchSize || (this.flushRequested && this.buffer.length > 0)) {
      await this.sendWithRetries(this.buffer.splice(0, this.opts.maxBatchSize));
    }
    this.flushRequested = false;
  }

  private async sendWithRetries(batch: AuditEvent[]): Promise<void> {
    let delay = this.opts.initialBackoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.request('POST', '', {
          body: { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: batch }, timeoutMs: this.opts.timeoutMs,
        });
        return;
      } catch (err) {
        if (attempt >= ATTEMPTS || !retriable(err)) {
          this.dropped += batch.length;
          this.report(`audit webhook: dropped ${batch.length} events after ${attempt} attempt(s): ${(err as Error).message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, delay * (0.9 + Math.random() * 0.2)));
        delay *= 1.5;
      }
    }
  }
}

function retriable(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return true;
  return err.code === 429 || err.code >= 500;
}
