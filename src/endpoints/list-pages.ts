import type { KubeObject } from '../apimachinery/types.ts';
import type { Lister } from '../rest/interfaces.ts';
import type { ListOptions } from '../storage/interface.ts';

/** About how many encoded bytes one page of a ListPager holds (kube's cacher streams in ~this order). */
export const PAGE_TARGET_BYTES = 1024 * 1024;
const FIRST_PAGE_LIMIT = 1;
const MAX_PAGE_LIMIT = 500;

/**
 * A collection read page by page at one revision, so that a watch's initial events (or any
 * stream of a whole collection) holds one page of objects at a time instead of a full copy of
 * the collection per client: the first page fixes the revision, the next ones follow its
 * continue token (storage reads them at that same revision). The consumer reports the bytes it
 * wrote per object (`consumed`) and asks for the next object only when its peer took the last
 * ones, so a slow reader slows its own reads down; page sizes adapt to about PAGE_TARGET_BYTES.
 * A Lister that ignores `limit` answers everything in one page, as before.
 */
export class ListPager {
  private limit = FIRST_PAGE_LIMIT;
  private pageBytes = 0;
  private pageItems = 0;

  private constructor(private readonly lister: Lister, private readonly namespace: string | undefined,
    private readonly opts: ListOptions, private page: { items: KubeObject[]; continue?: string }, readonly resourceVersion: number) {}

  /** Reads the first page of `namespace` with `opts` (predicate, resourceVersion, match). */
  static async open(lister: Lister, namespace: string | undefined, opts: ListOptions): Promise<ListPager> {
    const first = await lister.list(namespace, { ...opts, limit: FIRST_PAGE_LIMIT, continue: undefined });
    return new ListPager(lister, namespace, opts, first, first.resourceVersion);
  }

  /** Reports that the object just taken cost `bytes` once encoded (sizes the next pages). */
  consumed(bytes: number): void {
    this.pageBytes += bytes;
    this.pageItems++;
  }

  /** Every object of the collection at `resourceVersion`, in key order; stops early once `signal` aborts. */
  async *objects(signal: AbortSignal): AsyncGenerator<KubeObject, void, undefined> {
    for (;;) {
      const { items, continue: token } = this.page;
      this.page = { items: [] };
      for (let i = 0; i < items.length; i++) {
        if (signal.aborted) return;
        const obj = items[i];
        items[i] = undefined as unknown as KubeObject; // the consumer's copy is the only one left
        yield obj;
      }
      if (!token || signal.aborted) return;
      this.limit = this.nextLimit();
      this.page = await this.lister.list(this.namespace, { predicate: this.opts.predicate, limit: this.limit, continue: token });
    }
  }

  private nextLimit(): number {
    const average = this.pageItems > 0 ? this.pageBytes / this.pageItems : 0;
    this.pageBytes = 0;
    this.pageItems = 0;
    if (average <= 0) return this.limit;
    return Math.max(1, Math.min(MAX_PAGE_LIMIT, Math.floor(PAGE_TARGET_BYTES / average)));
  }
}
