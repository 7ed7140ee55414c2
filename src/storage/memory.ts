import type { KeyMatch, MvccEngine, VersionRow } from './engine.ts';
import { matches } from './engine.ts';
import type { Storage } from './interface.ts';
import { MvccStorage } from './mvcc-storage.ts';
import { lowerBound } from './sorted-keys.ts';

/** Options of createMemoryStorage. */
export interface MemoryStorageOptions {
  /** How many past revisions stay readable (list Exact, watch, continue tokens). Default 10000. */
  historyRevisions?: number;
}

/**
 * A Storage kept entirely in process memory: multi-version (every key keeps its versions with
 * their mod revisions, deletions as tombstones), compacted to the newest `historyRevisions`
 * revisions, with in-process watch fan-out. Nothing survives the process. The returned store
 * also has `watcherCount()`.
 */
export function createMemoryStorage(opts: MemoryStorageOptions = {}): Storage & { watcherCount(): number } {
  return new MvccStorage(new MemoryEngine(), opts);
}

/** The newest version in `versions` (ascending by rev) at or below `rev`. */
function versionAt(versions: readonly VersionRow[], rev: number): VersionRow | undefined {
  for (let i = versions.length - 1; i >= 0; i--) if (versions[i].rev <= rev) return versions[i];
  return undefined;
}

/**
 * The in-memory MvccEngine. `versions` holds each key's versions in revision order, `keys` the
 * sorted key set for range scans, and `log` every version with revision > compacted, indexed by
 * revision (log[i].rev === compacted + 1 + i), which serves history and incremental compaction.
 */
class MemoryEngine implements MvccEngine {
  private rev = 0;
  private compacted = 0;
  private readonly versions = new Map<string, VersionRow[]>();
  private readonly keys: string[] = [];
  private log: VersionRow[] = [];

  revision(): number {
    return this.rev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  latest(key: string): VersionRow | undefined {
    const list = this.versions.get(key);
    const row = list?.[list.length - 1];
    return row && !row.deleted ? row : undefined;
  }

  range(prefix: string, fromKey: string, rev: number, limit: number): VersionRow[] {
    const out: VersionRow[] = [];
    for (let i = lowerBound(this.keys, fromKey < prefix ? prefix : fromKey); i < this.keys.length && out.length < limit; i++) {
      const key = this.keys[i];
      if (!key.startsWith(prefix)) break;
      const row = versionAt(this.versions.get(key) ?? [], rev);
      if (row && !row.deleted) out.push(row);
    }
    return out;
  }

  countRange(prefix: string, fromKey: string, rev: number): number {
    return this.range(prefix, fromKey, rev, Infinity).length;
  }

  history(match: KeyMatch, afterRev: number, uptoRev: number, limit: number): VersionRow[] {
    const out: VersionRow[] = [];
    const end = Math.min(uptoRev, this.rev) - this.compacted;
    for (let i = Math.max(0, afterRev - this.compacted); i < end && out.length < limit; i++) {
      if (matches(match, this.log[i].key)) out.push(this.log[i]);
    }
    return out;
  }

  append(key: string, value: string, createRev: number | undefined, deleted: boolean): VersionRow {
    const rev = this.rev + 1;
    const row: VersionRow = { key, rev, createRev: createRev ?? rev, deleted, value };
    let list = this.versions.get(key);
    if (!list) {
      list = [];
      this.versions.set(key, list);
      this.keys.splice(lowerBound(this.keys, key), 0, key);
    }
    list.push(row);
    this.log.push(row);
    this.rev = rev;
    return row;
  }

  compact(rev: number): void {
    const target = Math.min(rev, this.rev);
    if (target <= this.compacted) return;
    const written = new Set<string>();
    for (let i = 0; i < target - this.compacted; i++) written.add(this.log[i].key);
    for (const key of written) this.compactKey(key, target);
    this.log = this.log.slice(target - this.compacted);
    this.compacted = target;
  }

  close(): void {
    this.versions.clear();
    this.keys.length = 0;
    this.log = [];
  }

  /** Keeps the versions of `key` newer than `rev` plus the newest one at or below it, if live. */
  private compactKey(key: string, rev: number): void {
    const list = this.versions.get(key);
    if (!list) return;
    let keepFrom = 0;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i].rev <= rev) {
        keepFrom = list[i].deleted ? i + 1 : i;
        break;
      }
    }
    if (keepFrom > 0) list.splice(0, keepFrom);
    if (list.length === 0) {
      this.versions.delete(key);
      this.keys.splice(lowerBound(this.keys, key), 1);
    }
  }
}
