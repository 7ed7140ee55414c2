import Database from 'better-sqlite3';
import type { KeyMatch, MvccEngine, VersionRow } from './engine.ts';
import { prefixEnd } from './engine.ts';
import { StorageError } from './interface.ts';
import type { Storage } from './interface.ts';
import { MvccStorage } from './mvcc-storage.ts';

/** Options of createSqliteStorage. */
export interface SqliteStorageOptions {
  /** The database file; created if absent, reopened (revision counter continued) if present. */
  path: string;
  /** How many past revisions stay readable (list Exact, watch, continue tokens). Default 10000. */
  historyRevisions?: number;
  /**
   * SQLite's `synchronous` setting. 'NORMAL' (default): in WAL mode a commit is written to the
   * WAL file (the OS page cache) before the call returns, so every acknowledged write survives
   * the process being killed (kill -9, OOM, crash); only an OS crash or power loss can roll back
   * the last commits (never corrupt the file). 'FULL' also fsyncs every commit, surviving power
   * loss at the price of one fsync per write.
   */
  synchronous?: 'NORMAL' | 'FULL';
}

/**
 * A Storage in one SQLite file (better-sqlite3), for single-process servers that must survive
 * restarts. One transaction per write; versions live in an MVCC table (one row per revision:
 * key, mod_rev, create_rev, deleted, value JSON) with an index serving "newest version of each
 * key at or below a revision"; a meta table holds the revision counter and the compacted
 * revision. The file is opened in EXCLUSIVE locking mode: a second process opening it fails
 * with StorageError('Unavailable') instead of silently forking the revision counter.
 * Throws StorageError('Unavailable') when the file cannot be opened.
 */
export function createSqliteStorage(opts: SqliteStorageOptions): Storage & { watcherCount(): number } {
  return new MvccStorage(SqliteEngine.open(opts), { historyRevisions: opts.historyRevisions });
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  mod_rev    INTEGER PRIMARY KEY,
  key        TEXT    NOT NULL,
  create_rev INTEGER NOT NULL,
  deleted    INTEGER NOT NULL,
  value      TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_key_rev ON kv (key, mod_rev, deleted);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0), ('compacted', 0);
`;

/** The newest version (key, mod_rev, deleted) of each key in [@from, @end) at or below revision @rev. */
const LATEST_AT = `
SELECT key, MAX(mod_rev) AS mr, deleted FROM kv
WHERE key >= @from AND key < @end AND mod_rev <= @rev GROUP BY key`;

interface DbRow {
  key: string;
  mod_rev: number;
  create_rev: number;
  deleted: number;
  value: string;
}

function toVersion(r: DbRow): VersionRow {
  return { key: r.key, rev: r.mod_rev, createRev: r.create_rev, deleted: r.deleted !== 0, value: r.value };
}

/** A key no real key reaches: the end of the empty prefix's range. */
const MAX_KEY = '\u{10FFFF}';

function openDatabase(opts: SqliteStorageOptions): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(opts.path);
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('busy_timeout = 1000');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    db?.close();
    throw unavailable(opts.path, err);
  }
}

function unavailable(path: string, err: unknown): StorageError {
  const message = err instanceof Error ? err.message : String(err);
  return new StorageError('Unavailable', '', `cannot open SQLite storage ${path}: ${message}`);
}

/** Runs `fn`, turning SQLite failures into StorageErrors (SQLITE_BUSY*: Unavailable, else Internal). */
function guard<T>(key: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof StorageError) throw err;
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    const busy = typeof code === 'string' && code.startsWith('SQLITE_BUSY');
    throw new StorageError(busy ? 'Unavailable' : 'Internal', key, `SQLite storage error: ${message}`);
  }
}

/** The SQLite MvccEngine; all statements are prepared once. */
class SqliteEngine implements MvccEngine {
  private rev: number;
  private compacted: number;
  private readonly stmt: Statements;
  private readonly appendTx: Database.Transaction<(row: VersionRow) => void>;
  private readonly compactTx: Database.Transaction<(from: number, to: number) => void>;

  private constructor(private readonly db: Database.Database) {
    this.stmt = prepareStatements(db);
    const meta = this.stmt.getMeta;
    const maxRev = (db.prepare('SELECT MAX(mod_rev) AS m FROM kv').get() as { m: number | null }).m ?? 0;
    this.rev = Math.max(maxRev, (meta.get('revision') as { value: number }).value);
    this.compacted = (meta.get('compacted') as { value: number }).value;
    this.appendTx = db.transaction((row: VersionRow) => {
      this.stmt.insert.run(row.rev, row.key, row.createRev, row.deleted ? 1 : 0, row.value);
      this.stmt.setMeta.run(row.rev, 'revision');
    });
    this.compactTx = db.transaction((from: number, to: number) => this.compactRange(from, to));
  }

  /** Opens (creating if needed) the database at `opts.path`. */
  static open(opts: SqliteStorageOptions): SqliteEngine {
    const db = openDatabase(opts);
    try {
      return new SqliteEngine(db);
    } catch (err) {
      db.close();
      throw unavailable(opts.path, err);
    }
  }

  revision(): number {
    return this.rev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  latest(key: string): VersionRow | undefined {
    const row = guard(key, () => this.stmt.latest.get(key) as DbRow | undefined);
    return row && row.deleted === 0 ? toVersion(row) : undefined;
  }

  range(prefix: string, fromKey: string, rev: number, limit: number): VersionRow[] {
    const from = fromKey < prefix ? prefix : fromKey;
    const rows = guard(prefix, () => this.stmt.range.all({ from, end: prefixEnd(prefix) ?? MAX_KEY, rev,
      limit: Number.isFinite(limit) ? limit : -1 }) as DbRow[]);
    return rows.map(toVersion);
  }

  countRange(prefix: string, fromKey: string, rev: number): number {
    const from = fromKey < prefix ? prefix : fromKey;
    return guard(prefix, () => (this.stmt.count.get({ from, end: prefixEnd(prefix) ?? MAX_KEY, rev }) as { n: number }).n);
  }

  history(match: KeyMatch, afterRev: number, uptoRev: number, limit: number): VersionRow[] {
    const lim = Number.isFinite(limit) ? limit : -1;
    const rows = guard(match.prefix, () => (match.exact
      ? this.stmt.historyKey.all(match.prefix, afterRev, uptoRev, lim)
      : this.stmt.historyPrefix.all(afterRev, uptoRev, match.prefix, prefixEnd(match.prefix) ?? MAX_KEY, lim)) as DbRow[]);
    return rows.map(toVersion);
  }

  append(key: string, value: string, createRev: number | undefined, deleted: boolean): VersionRow {
    const rev = this.rev + 1;
    const row: VersionRow = { key, rev, createRev: createRev ?? rev, deleted, value };
    guard(key, () => this.appendTx.immediate(row));
    this.rev = rev;
    return row;
  }

  compact(rev: number): void {
    const target = Math.min(rev, this.rev);
    if (target <= this.compacted) return;
    guard('', () => this.compactTx.immediate(this.compacted, target));
    this.compacted = target;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * For every key written in (from, to]: drops its versions older than its newest version at or
   * below `to`, and that version too when it is a tombstone. Only keys written since the last
   * compaction can have become compactable, so each run costs the writes it covers.
   */
  private compactRange(from: number, to: number): void {
    const written = this.stmt.writtenKeys.all(from, to) as { key: string; mr: number; deleted: number }[];
    for (const w of written) {
      this.stmt.deleteOlder.run(w.key, w.mr);
      if (w.deleted !== 0) this.stmt.deleteRev.run(w.mr);
    }
    this.stmt.setMeta.run(to, 'compacted');
  }
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  const cols = 'key, mod_rev, create_rev, deleted, value';
  return {
    getMeta: db.prepare('SELECT value FROM meta WHERE name = ?'),
    setMeta: db.prepare('UPDATE meta SET value = ? WHERE name = ?'),
    insert: db.prepare('INSERT INTO kv (mod_rev, key, create_rev, deleted, value) VALUES (?, ?, ?, ?, ?)'),
    latest: db.prepare(`SELECT ${cols} FROM kv WHERE key = ? ORDER BY mod_rev DESC LIMIT 1`),
    // Walks kv_key_rev in key order (so LIMIT stops early, no sort); the value is read only for
    // rows that are the newest live version of their key at @rev.
    range: db.prepare(`SELECT ${cols} FROM kv v WHERE v.key >= @from AND v.key < @end AND v.deleted = 0
      AND v.mod_rev = (SELECT MAX(k.mod_rev) FROM kv k WHERE k.key = v.key AND k.mod_rev <= @rev)
      ORDER BY v.key LIMIT @limit`),
    count: db.prepare(`SELECT COUNT(*) AS n FROM (${LATEST_AT}) WHERE deleted = 0`),
    historyKey: db.prepare(`SELECT ${cols} FROM kv WHERE key = ? AND mod_rev > ? AND mod_rev <= ? ORDER BY mod_rev LIMIT ?`),
    historyPrefix: db.prepare(`SELECT ${cols} FROM kv WHERE mod_rev > ? AND mod_rev <= ? AND key >= ? AND key < ?
      ORDER BY mod_rev LIMIT ?`),
    writtenKeys: db.prepare('SELECT key, MAX(mod_rev) AS mr, deleted FROM kv WHERE mod_rev > ? AND mod_rev <= ? GROUP BY key'),
    deleteOlder: db.prepare('DELETE FROM kv WHERE key = ? AND mod_rev < ?'),
    deleteRev: db.prepare('DELETE FROM kv WHERE mod_rev = ?'),
  };
}
