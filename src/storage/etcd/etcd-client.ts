import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import type { IOptions, IRangeRequest, IRangeResponse, ITxnRequest, ITxnResponse } from 'etcd3';
import { storeClosed } from '../errors.ts';
import { isNotAppliedError, isTransientError, unavailable } from './etcd-errors.ts';

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
  response: ITxnResponse;
  /**
   * True when an earlier attempt failed in a way that leaves open whether etcd applied it; the
   * caller must then recognise its own write when the retried compare fails.
   */
  ambiguous: boolean;
}

const DEFAULT_DIAL_TIMEOUT_MS = 5000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const MAX_BACKOFF_MS = 1000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The etcd3 client options for `opts`: our own retries (the client's own are off), big messages, keepalive. */
function clientOptions(opts: EtcdConnectionOptions): IOptions {
  const { tls } = opts;
  const options: IOptions = {
    hosts: opts.endpoints,
    faultHandling: { host: () => noop, global: noop },
    grpcOptions: {
      'grpc.max_receive_message_length': -1,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': MAX_BACKOFF_MS,
    },
  };
  if (tls && (tls.caPem || tls.certPem)) {
    options.credentials = {
      // grpc-js takes null for "the system's roots"; etcd3's type says Buffer.
      rootCertificate: (tls.caPem ? Buffer.from(tls.caPem) : null) as Buffer,
      certChain: tls.certPem ? Buffer.from(tls.certPem) : undefined,
      privateKey: tls.keyPem ? Buffer.from(tls.keyPem) : undefined,
    };
  }
  return options;
}

/**
 * A thin layer over the etcd3 client: every unary call gets a deadline per attempt
 * (`dialTimeoutMs`) and is retried with backoff on transient errors until `requestTimeoutMs`;
 * each retry picks an endpoint at random, so a dead member is skipped. Reads are retried
 * blindly; writes must be compare-and-swap transactions, which are safe to repeat (see
 * TxnResult.ambiguous). Non-transient errors are thrown as the etcd3 client throws them.
 */
export class EtcdClient {
  /** The underlying etcd3 client (its watch stream API is used directly). */
  readonly raw: Etcd3;
  private readonly dialTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private closed = false;

  constructor(opts: EtcdConnectionOptions) {
    if (opts.endpoints.length === 0) throw new Error('etcd storage needs at least one endpoint');
    this.raw = new Etcd3(clientOptions(opts));
    this.dialTimeoutMs = opts.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** A linearizable (or, with `req.revision`, historical) range; `key` names the request in errors. */
  range(key: string, req: IRangeRequest, budgetMs?: number): Promise<IRangeResponse> {
    return this.retry(key, budgetMs, (deadline) => this.raw.kv.range(req, { deadline }), () => undefined);
  }

  /** Runs a compare-and-swap transaction, retrying transient failures; see TxnResult. */
  async txn(key: string, req: ITxnRequest): Promise<TxnResult> {
    let ambiguous = false;
    const response = await this.retry(key, undefined, (deadline) => this.raw.kv.txn(req, { deadline }), (err) => {
      if (!isNotAppliedError(err)) ambiguous = true;
    }, () => ambiguous);
    return { response, ambiguous };
  }

  /** Compacts etcd's history below `revision` (one attempt per endpoint failure, within the budget). */
  async compact(revision: number): Promise<void> {
    await this.retry('', undefined, (deadline) => this.raw.kv.compact({ revision, physical: false }, { deadline }), () => undefined);
  }

  /** Closes the connections; later calls throw StorageError('Unavailable'). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.raw.close();
  }

  /** True once close() was called. */
  isClosed(): boolean {
    return this.closed;
  }

  private async retry<T>(key: string, budgetMs: number | undefined, call: (deadline: number) => Promise<T>,
    onTransient: (err: unknown) => void, ambiguous: () => boolean = () => false): Promise<T> {
    const end = Date.now() + (budgetMs ?? this.requestTimeoutMs);
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw storeClosed(key);
      const remaining = end - Date.now();
      try {
        return await call(Date.now() + Math.max(1, Math.min(remaining, this.dialTimeoutMs)));
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
