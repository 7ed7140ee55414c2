import { closeSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { makeDirectory } from '../fs/make-directory.ts';
import type { AuditBackend, AuditEvent } from './types.ts';

/** Options of the log backend, as kube-apiserver's `--audit-log-*` flags. */
export interface LogBackendOptions {
  /** File path, or `-` for standard output. */
  path: string;
  /** Rotate when the file would exceed this many megabytes (0: never). */
  maxSizeMB?: number;
  /** Keep at most this many rotated files (0: all). */
  maxBackups?: number;
  /** Remove rotated files older than this many days (0: never). */
  maxAgeDays?: number;
}

/**
 * Writes each event as one JSON line, synchronously and in order (kube-apiserver's default
 * "blocking" log mode). Size rotation as kube-apiserver's (lumberjack): the full file is renamed to
 * `<name>-<UTC time>.<ext>`, a new one is started, then rotated files beyond maxBackups or older
 * than maxAgeDays are removed. A write error is reported once per distinct error and never thrown
 * into the request. The file is created at start (its directory must exist: {@link LogBackend.open}
 * creates it); failing that throws.
 */
export class LogBackend implements AuditBackend {
  readonly name = 'log';
  private readonly opts: Required<LogBackendOptions>;
  private fd: number | undefined;
  private size = 0;
  private lastError = '';
  private readonly report: (msg: string) => void;

  /**
   * Creates the log file's missing directories (failing fast where they cannot be made, e.g.
   * under /proc) and opens the file; throws one sentence naming the path and the reason.
   */
  static async open(opts: LogBackendOptions, report?: (msg: string) => void): Promise<LogBackend> {
    if (opts.path !== '-') {
      try {
        await makeDirectory(dirname(opts.path));
      } catch (err) {
        throw new Error(`cannot open the audit log ${opts.path}: ${(err as Error).message}; give --audit-log-path a writable file`);
      }
    }
    return new LogBackend(opts, report);
  }

  constructor(opts: LogBackendOptions, report: (msg: string) => void = (m) => console.error(m)) {
    this.opts = { maxSizeMB: 0, maxBackups: 0, maxAgeDays: 0, ...opts };
    this.report = report;
    if (opts.path === '-') return;
    try {
      this.open();
    } catch (err) {
      throw new Error(`cannot open the audit log ${opts.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; give --audit-log-path a writable file`);
    }
  }

  process(events: AuditEvent[]): void {
    for (const event of events) this.write(JSON.stringify(event) + '\n');
  }

  async shutdown(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(line: string): void {
    if (this.opts.path === '-') { process.stdout.write(line); return; }
    try {
      const bytes = Buffer.byteLength(line);
      const limit = this.opts.maxSizeMB * 1024 * 1024;
      if (limit > 0 && this.size > 0 && this.size + bytes > limit) this.rotate();
      if (this.fd === undefined) this.open();
      writeSync(this.fd!, line);
      this.size += bytes;
    } catch (err) {
      const message = `audit log ${this.opts.path}: ${(err as Error).message}`;
      if (message !== this.lastError) this.report(message);
      this.lastError = message;
    }
  }

  private open(): void {
    this.fd = openSync(this.opts.path, 'a', 0o600);
    this.size = statSync(this.opts.path).size;
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.opts.path, backupName(this.opts.path, new Date()));
    this.open();
    this.removeOldBackups();
  }

  private removeOldBackups(): void {
    const dir = dirname(this.opts.path);
    const { prefix, ext } = nameParts(this.opts.path);
    const backups = readdirSync(dir)
      .filter((f) => f.startsWith(`${prefix}-`) && f.endsWith(ext) && f !== basename(this.opts.path))
      .map((f) => ({ file: join(dir, f), time: backupTime(f.slice(prefix.length + 1, f.length - ext.length)) }))
      .filter((b): b is { file: string; time: number } => b.time !== undefined)
      .sort((a, b) => b.time - a.time);
    const cutoff = this.opts.maxAgeDays > 0 ? Date.now() - this.opts.maxAgeDays * 86_400_000 : -Infinity;
    backups.forEach((b, i) => {
      if ((this.opts.maxBackups > 0 && i >= this.opts.maxBackups) || b.time < cutoff) unlinkSync(b.file);
    });
  }
}

function nameParts(path: string): { prefix: string; ext: string } {
  const ext = extname(path);
  return { prefix: basename(path, ext), ext };
}

/** `audit.log` rotated at `when` → `audit-2026-11-28T18-02-09.123.log` (lumberjack's naming, UTC). */
export function backupName(path: string, when: Date): string {
  const { prefix, ext } = nameParts(path);
  const stamp = when.toISOString().slice(0, 23).replace(/:/g, '-');
  return join(dirname(path), `${prefix}-${stamp}${ext}`);
}

function backupTime(stamp: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/.exec(stamp);
  return m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : undefined;
}
