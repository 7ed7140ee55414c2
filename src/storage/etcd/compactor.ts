import type { EtcdClient } from './etcd-client.ts';
import { isCompactedError } from './etcd-errors.ts';

/**
 * Periodic etcd compaction as kube-apiserver does it (k8s.io/apiserver/pkg/storage/etcd3/
 * compact.go): every interval, each replica tries to bump the version of the `compact_rev_key`
 * key from the version it last saw, with a compare-and-swap. The winner compacts etcd up to
 * the revision it observed one interval ago, so at least one interval of history stays
 * readable; losers adopt the new version and try again next interval. Any number of replicas
 * (and kube-apiservers sharing the etcd) thus compact about once per interval in total.
 * The key lives outside the key prefix (compaction is global to etcd) and each successful
 * bump is one write, i.e. one revision.
 */

/** The key replicas use to coordinate compaction (the same as kube-apiserver's). */
export const COMPACT_REV_KEY = 'compact_rev_key';

/** The default compaction interval: kube-apiserver's `--etcd-compaction-interval` (5 minutes). */
export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60_000;

/** Runs the compaction loop of one store; see the file comment. */
export class Compactor {
  /** The version of COMPACT_REV_KEY this replica last saw. */
  private compactTime = 0;
  /** The revision observed at the previous tick: the next compaction target. */
  private rev = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `onCompacted` is told each revision this replica compacted to. */
  constructor(private readonly client: EtcdClient, private readonly intervalMs: number,
    private readonly onCompacted: (revision: number) => void) {}

  /** Starts the loop (no-op for an interval of 0). The timer does not keep the process alive. */
  start(): void {
    if (this.intervalMs <= 0 || this.stopped) return;
    this.timer = setTimeout(() => void this.runTick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the loop. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /**
   * One round: claim the round with a compare-and-swap on COMPACT_REV_KEY's version and, when
   * won, compact to the revision seen in the previous round. Returns the revision compacted to,
   * or undefined when this replica did not compact.
   */
  async tick(): Promise<number | undefined> {
    const key = Buffer.from(COMPACT_REV_KEY);
    const { response } = await this.client.txn(COMPACT_REV_KEY, {
      compare: [{ key, target: 'Version', result: 'Equal', version: this.compactTime }],
      success: [{ request_put: { key, value: Buffer.from(String(this.rev)) } }],
      failure: [{ request_range: { key } }],
    });
    const target = this.rev;
    this.rev = Number(response.header.revision);
    if (!response.succeeded) {
      this.compactTime = Number(response.responses[0]?.response_range?.kvs[0]?.version ?? 0);
      return undefined;
    }
    this.compactTime++;
    if (target === 0) return undefined;
    try {
      await this.client.compact(target);
    } catch (err) {
      if (!isCompactedError(err)) throw err;
    }
    this.onCompacted(target);
    return target;
  }

  private async runTick(): Promise<void> {
    try {
      await this.tick();
    } catch (err) {
      process.emitWarning(`etcd compaction failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!this.stopped) this.start();
  }
}
