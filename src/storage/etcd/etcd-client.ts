import { storeClosed } from '../errors.ts';
import { isNotAppliedError, isTransientError, unavailable } from './etcd-errors.ts';
import {
  decodeRangeResponse, decodeTxnResponse, encodeCompactionRequest, encodeRangeRequest, encodeTxnRequest,
} from './wire/etcd-messages.ts';
import type { RangeRequest, RangeResponse, TxnRequest, TxnResponse } from './wire/etcd-messages.ts';
import { GrpcChannel } from './wire/grpc.ts';
import type { GrpcStream, GrpcStreamHandlers } from './wire/grpc.ts';

/** How to reach etcd: the connection part of the etcd storage options. */
export interface EtcdConnectionOptions {
  /** Client URLs of the members, e.g. `https://10.0.0.1:2379` (all http or all https). */
  endpoints: string[];
  /** PEM material for TLS: the CA to trust and an optional client certificate and key. */
  tls?: { caPem?: string; certPem?: string; keyPem?: string };
  /**
   * How long one attempt against one endpoint may take, connecting included, before the request
   * is retried (on another endpoint when there are several). Default 5000.
   */
  dialTimeoutMs?: number;
  /** How long a whole request may take, retries included, before it fails with Unavailable. Default 15000. */
  requestTimeoutMs?: number;
}

/** The result of a write transaction. */
export interface TxnResult {
  response: TxnResponse;
  /**
   * True when an earlier attempt failed in a way that leaves open whether etcd applied it; the
   * caller must then recognise its own write when the retried compare fails.
   */
  ambiguous: boolean;
}

const DEFAULT_DIAL_TIMEOUT_MS = 5000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const MAX_BACKOFF_MS = 1000;

const RANGE = '/etcdserverpb.KV/Range';
const TXN = '/etcdserverpb.KV/Txn';
const COMPACT = '/etcdserverpb.KV/Compact';
const WATCH = '/etcdserverpb.Watch/Watch';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * etcd's KV and Watch API over our own gRPC client (src/storage/etcd/wire): every unary call gets a deadline per attempt
 * (`dialTimeoutMs`) and is retried with backoff on transient errors until `requestTimeoutMs`;
 * each retry picks an endpoint at random, so a dead member is skipped. Reads are retried
 * blindly; writes must be compare-and-swap transactions, which are safe to repeat (see
 * TxnResult.ambiguous). Non-transient errors are thrown as GrpcErrors.
 */
export class EtcdClient {
  private readonly channel: GrpcChannel;
  private readonly dialTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private closed = false;

  constructor(opts: EtcdConnectionOptions) {
    if (opts.endpoints.length === 0) throw new Error('etcd storage needs at least one endpoint');
    this.channel = new GrpcChannel({ endpoints: opts.endpoints, tls: opts.tls });
    this.dialTimeoutMs = opts.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** A linearizable (or, with `req.revision`, historical) range; `key` names the request in errors. */
  range(key: string, req: RangeRequest, budgetMs?: number): Promise<RangeResponse> {
    const body = encodeRangeRequest(req);
    return this.retry(key, budgetMs, async (timeoutMs) => decodeRangeResponse(await this.channel.unary(RANGE, body, timeoutMs)),
      () => undefined);
  }

  /** Runs a compare-and-swap transaction, retrying transient failures; see TxnResult. */
  async txn(key: string, req: TxnRequest): Promise<TxnResult> {
    let ambiguous = false;
    const body = encodeTxnRequest(req);
    const response = await this.retry(key, undefined, async (timeoutMs) => decodeTxnResponse(await this.channel.unary(TXN, body, timeoutMs)), (err) => {
      if (!isNotAppliedError(err)) ambiguous = true;
    }, () => ambiguous);
    return { response, ambiguous };
  }

  /** Compacts etcd's history below `revision` (one attempt per endpoint failure, within the budget). */
  async compact(revision: number): Promise<void> {
    const body = encodeCompactionRequest(revision);
    await this.retry('', undefined, (timeoutMs) => this.channel.unary(COMPACT, body, timeoutMs), () => undefined);
  }

  /** Opens one watch stream (etcdserverpb.Watch/Watch), or returns why it could not be opened. */
  watchStream(handlers: GrpcStreamHandlers): GrpcStream | Error {
    if (this.closed) return storeClosed('');
    return this.channel.stream(WATCH, handlers);
  }

  /** Closes the connections; later calls throw StorageError('Unavailable'). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.close();
  }

  /** True once close() was called. */
  isClosed(): boolean {
    return this.closed;
  }

  private async retry<T>(key: string, budgetMs: number | undefined, call: (timeoutMs: number) => Promise<T>,
    onTransient: (err: unknown) => void, ambiguous: () => boolean = () => false): Promise<T> {
    const end = Date.now() + (budgetMs ?? this.requestTimeoutMs);
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw storeClosed(key);
      const remaining = end - Date.now();
      try {
        return await call(Math.max(1, Math.min(remaining, this.dialTimeoutMs)));
      } catch (err) {
        if (this.closed) throw storeClosed(key);
        if (!isTransientError(err)) throw err;
        onTransient(err);
        const pause = Math.min(MAX_BACKOFF_MS, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
        if (Date.now() + pause >= end) throw unavailable(key, err, ambiguous());
        await sleep(pause);
      }
    }
  }
}
