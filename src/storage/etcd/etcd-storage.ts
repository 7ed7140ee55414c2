import type { KeyValue, RequestOp } from './wire/etcd-messages.ts';
import type { KubeObject, WatchEvent } from '../../apimachinery/types.ts';
import { checkPreconditions, keyExists, keyNotFound, storeClosed } from '../errors.ts';
import type { DeleteOptions, ListOptions, ListResult, Storage, UpdateOptions, WatchOptions } from '../interface.ts';
import { decodeObject, encodeObject, sameContent } from '../object-codec.ts';
import { Compactor, DEFAULT_COMPACTION_INTERVAL_MS } from './compactor.ts';
import { EtcdClient } from './etcd-client.ts';
import type { EtcdConnectionOptions } from './etcd-client.ts';
import { isCompactedError, toStorageError } from './etcd-errors.ts';
import { KeySpace } from './etcd-keys.ts';
import { listFromEtcd } from './etcd-list.ts';
import { settleCreate, settleDelete, settleUpdate } from './ambiguous-writes.ts';
import type { HistoryReader } from './ambiguous-writes.ts';
import { EtcdWatch, iterateWatch, progressWatch } from './etcd-watch.ts';

/** Options of createEtcdStorage. */
export interface EtcdStorageOptions extends EtcdConnectionOptions {
  /** Key prefix of every object, as kube-apiserver's `--etcd-prefix`. Default `/registry`. */
  prefix?: string;
  /**
   * How often to compact etcd's history (kube-apiserver's scheme: each round compacts to the
   * revision seen one interval earlier, coordinated between replicas). Default 5 minutes; 0 turns
   * periodic compaction off (e.g. when etcd runs with `--auto-compaction-*`).
   */
  compactionIntervalMs?: number;
  /** How long healthCheck() waits for etcd before it reports failure. Default 2000. */
  healthCheckTimeoutMs?: number;
}

/** The etcd Storage, with the extras the embedded backends do not need. */
export interface EtcdStorage extends Storage {
  /** Resolves when etcd answers a linearizable read within the health timeout; throws StorageError('Unavailable') otherwise. */
  healthCheck(): Promise<void>;
  /** The number of watches currently open. */
  watcherCount(): number;
  /**
   * Compacts etcd's history below `revision` now (reads and watches from older revisions then
   * fail with ResourceVersionTooOld). Compacting at or below an earlier compaction is a no-op.
   */
  compact(revision: number): Promise<void>;
  /** The oldest revision still readable (etcd's compaction revision; 1 when never compacted). */
  oldestRevision(): Promise<number>;
}

/** The stored state of a key, as read from etcd. */
interface Current {
  value: string;
  modRev: number;
  createRev: number;
}

/** The outcome of a compare-and-swap on one key. */
type SwapOutcome =
  | { succeeded: true; rev: number }
  | { succeeded: false; current: Current | null; ambiguous: boolean };

function toCurrent(kv: KeyValue | undefined): Current | null {
  if (!kv) return null;
  return { value: kv.value.toString('utf8'), modRev: Number(kv.mod_revision), createRev: Number(kv.create_revision) };
}

async function* empty(): AsyncGenerator<WatchEvent, void, undefined> {
  // An already-aborted watch yields nothing.
}

/**
 * A Storage on etcd v3 — the backend for production and for running several replicas of a
 * server against one store. Objects are JSON values under `prefix` + key; resourceVersion is the
 * etcd mod revision (one revision counter for the whole etcd). Every write is a transaction that
 * compares the key's create/mod revision with what was read, so concurrent writers on any
 * number of replicas serialise through etcd (optimistic concurrency, retried by
 * guaranteedUpdate). Requests fail over between endpoints and retry transient errors within
 * `requestTimeoutMs`; a write whose first attempt may have been applied is settled from etcd's
 * history on the retry (ambiguous-writes.ts), so it is never applied twice nor reported as
 * done when it was not — in the rare case etcd cannot tell, it fails with Unavailable "may or
 * may not have been applied". Watches survive etcd restarts and member failures (resuming
 * from the last revision they delivered) and end with ResourceVersionTooOld when that
 * revision has been compacted meanwhile.
 */
class EtcdStore implements EtcdStorage {
  private readonly client: EtcdClient;
  private readonly keys: KeySpace;
  private readonly compactor: Compactor;
  private readonly healthTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly watches = new Set<EtcdWatch>();
  private knownCompacted = 1;
  private closed = false;

  constructor(opts: EtcdStorageOptions) {
    this.client = new EtcdClient(opts);
    this.keys = new KeySpace(opts.prefix);
    this.healthTimeoutMs = opts.healthCheckTimeoutMs ?? 2000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
    const interval = opts.compactionIntervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS;
    this.compactor = new Compactor(this.client, interval, (rev) => this.noteCompacted(rev));
    this.compactor.start();
  }

  /** See Storage.create. */
  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    this.assertOpen(key);
    const value = encodeObject(obj);
    const out = await this.swap(key, null, { request_put: { key: this.keys.etcdKey(key), value: Buffer.from(value) } });
    if (out.succeeded) return decodeObject(value, out.rev);
    const mine = out.ambiguous ? await settleCreate(this.history, key, value, out.current) : undefined;
    if (mine !== undefined) return decodeObject(value, mine);
    throw keyExists(key);
  }

  /** See Storage.get. */
  async get(key: string): Promise<KubeObject> {
    const cur = await this.read(key);
    if (!cur) throw keyNotFound(key);
    return decodeObject(cur.value, cur.modRev);
  }

  /** See Storage.list. */
  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen(prefix);
    return listFromEtcd({
      client: this.client, keys: this.keys,
      oldestRevision: () => this.oldestRevision(), currentRevision: () => this.currentRevision(),
    }, prefix, opts);
  }

  /** See Storage.guaranteedUpdate. */
  async guaranteedUpdate(key: string, tryUpdate: (current: KubeObject | null) => KubeObject | Promise<KubeObject>,
    opts: UpdateOptions = {}): Promise<KubeObject> {
    // Start from the cache's copy when there is one (one etcd call instead of two); anything
    // decided on it that is not a successful compare-and-swap is decided again on a fresh read.
    let suggested = opts.suggestion !== undefined;
    let cur = opts.suggestion ? { value: opts.suggestion.value, modRev: opts.suggestion.revision, createRev: NaN } : await this.read(key);
    for (;;) {
      let value: string;
      try {
        if (!cur && !opts.ignoreNotFound) throw keyNotFound(key);
        const current = cur ? decodeObject(cur.value, cur.modRev) : null;
        checkPreconditions(key, opts.preconditions, current);
        value = encodeObject(await tryUpdate(current));
      } catch (err) {
        if (!suggested) throw err;
        suggested = false;
        cur = await this.read(key);
        continue;
      }
      if (cur && sameContent(value, cur.value)) {
        if (!suggested) return decodeObject(cur.value, cur.modRev);
        suggested = false;
        cur = await this.read(key);
        continue;
      }
      const out = await this.swap(key, cur, { request_put: { key: this.keys.etcdKey(key), value: Buffer.from(value) } });
      suggested = false;
      if (out.succeeded) return decodeObject(value, out.rev);
      if (out.ambiguous && cur) await settleUpdate(this.history, key, cur.modRev, value);
      const created = out.ambiguous && !cur ? await settleCreate(this.history, key, value, out.current) : undefined;
      if (created !== undefined) return decodeObject(value, created);
      cur = out.current;
    }
  }

  /** See Storage.delete. */
  async delete(key: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    let cur = await this.read(key);
    for (;;) {
      if (!cur) throw keyNotFound(key);
      const last = decodeObject(cur.value, cur.modRev);
      checkPreconditions(key, opts.preconditions, last);
      if (opts.validateDeletion) await opts.validateDeletion(decodeObject(cur.value, cur.modRev));
      const out = await this.swap(key, cur, { request_delete_range: { key: this.keys.etcdKey(key) } });
      const rev = out.succeeded ? out.rev : out.ambiguous ? await settleDelete(this.history, key, cur.modRev) : undefined;
      if (rev !== undefined) {
        last.metadata.resourceVersion = String(rev);
        return last;
      }
      cur = out.succeeded ? null : out.current;
    }
  }

  /**
   * See Storage.watch; a compacted `fromRevision` throws ResourceVersionTooOld from the first
   * next(). With `progressBookmarks` the watch is a ProgressWatch (etcd's progress requests).
   */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    this.assertOpen(prefix);
    if (opts.signal.aborted) return empty();
    const ctx = { client: this.client, keys: this.keys, onEnd: (w: EtcdWatch) => this.watches.delete(w) };
    const watch = new EtcdWatch(ctx, prefix, opts.fromRevision, opts.signal, !!opts.progressBookmarks);
    this.watches.add(watch);
    return opts.progressBookmarks ? progressWatch(watch) : iterateWatch(watch);
  }

  /** See Storage.currentRevision. */
  async currentRevision(): Promise<number> {
    this.assertOpen('');
    const res = await this.call('', () => this.client.range('', { key: this.keys.etcdKey('/health'), count_only: true }));
    return Number(res.header.revision);
  }

  /** See Storage.count. */
  async count(prefix: string): Promise<number> {
    this.assertOpen(prefix);
    const res = await this.call(prefix, () => this.client.range(prefix, { ...this.keys.range(prefix), count_only: true }));
    return Number(res.count);
  }

  /** See EtcdStorage.healthCheck. */
  async healthCheck(): Promise<void> {
    this.assertOpen('');
    const health = this.keys.etcdKey('/health');
    await this.call('', () => this.client.range('', { key: health, count_only: true }, this.healthTimeoutMs));
  }

  /** See EtcdStorage.compact. */
  async compact(revision: number): Promise<void> {
    this.assertOpen('');
    try {
      await this.client.compact(revision);
    } catch (err) {
      if (!isCompactedError(err)) throw toStorageError('', err);
    }
    this.noteCompacted(revision);
  }

  /** See EtcdStorage.oldestRevision: a binary search for the oldest revision etcd still reads. */
  async oldestRevision(): Promise<number> {
    const current = await this.currentRevision();
    let lo = Math.min(this.knownCompacted, current);
    if (await this.readableAt(lo)) return lo;
    let hi = current;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.readableAt(mid)) hi = mid;
      else lo = mid;
    }
    this.noteCompacted(hi);
    return hi;
  }

  /** See Storage.watcherCount. */
  watcherCount(): number {
    return this.watches.size;
  }

  /** See Storage.close; idempotent. Pending watches end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor.stop();
    for (const w of [...this.watches]) w.end();
    this.client.close();
  }

  /** History reads for settling ambiguous writes (ambiguous-writes.ts). */
  private readonly history: HistoryReader = {
    firstEventAfter: (key, rev) => this.firstEventAfter(key, rev),
    valueAt: async (key, rev) => {
      try {
        const res = await this.client.range(key, { key: this.keys.etcdKey(key), revision: rev });
        return res.kvs[0]?.value.toString('utf8');
      } catch {
        return undefined;
      }
    },
  };

  private async firstEventAfter(key: string, afterRev: number): Promise<WatchEvent | undefined> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.requestTimeoutMs);
    try {
      for await (const ev of this.watch(key, { fromRevision: afterRev, signal: ctl.signal })) return ev;
      return undefined;
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
      ctl.abort();
    }
  }

  /**
   * Writes `op` if `key` still is as `cur` says (absent when null): compares the mod revision
   * (or, for absent keys, create revision 0), and on failure reads the key's current state.
   */
  private async swap(key: string, cur: Current | null, op: RequestOp): Promise<SwapOutcome> {
    this.assertOpen(key);
    const k = this.keys.etcdKey(key);
    const compare = cur
      ? { key: k, target: 'Mod' as const, result: 'Equal' as const, mod_revision: cur.modRev }
      : { key: k, target: 'Create' as const, result: 'Equal' as const, create_revision: 0 };
    const { response, ambiguous } = await this.call(key, () => this.client.txn(key, {
      compare: [compare], success: [op], failure: [{ request_range: { key: k } }],
    }));
    if (response.succeeded) return { succeeded: true, rev: Number(response.header.revision) };
    return { succeeded: false, current: toCurrent(response.responses[0]?.response_range?.kvs[0]), ambiguous };
  }

  private async read(key: string): Promise<Current | null> {
    this.assertOpen(key);
    const res = await this.call(key, () => this.client.range(key, { key: this.keys.etcdKey(key) }));
    return toCurrent(res.kvs[0]);
  }

  private async readableAt(revision: number): Promise<boolean> {
    try {
      await this.client.range('', { key: this.keys.etcdKey('/health'), count_only: true, revision });
      return true;
    } catch (err) {
      if (isCompactedError(err)) return false;
      throw toStorageError('', err);
    }
  }

  /** Runs `fn`, mapping the client's errors to StorageErrors. */
  private async call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toStorageError(key, err);
    }
  }

  private noteCompacted(revision: number): void {
    this.knownCompacted = Math.max(this.knownCompacted, revision);
  }

  private assertOpen(key: string): void {
    if (this.closed) throw storeClosed(key);
  }
}

/**
 * Opens a Storage on the etcd cluster at `opts.endpoints` (see EtcdStore above for the
 * semantics). Connecting is lazy: this never throws for an unreachable etcd; use healthCheck()
 * to find out. Close the store to stop its compaction timer, watches and connections.
 */
export function createEtcdStorage(opts: EtcdStorageOptions): EtcdStorage {
  return new EtcdStore(opts);
}
