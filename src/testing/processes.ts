/**
 * Child processes that never outlive the test run: each runs in its own process group with
 * output appended to a log file, and (unless detached for `cluster:up`) is guarded by a tiny
 * `bash` watchdog that kills the group and removes the run directory when the parent Node process
 * disappears — even on SIGKILL, where no JavaScript exit handler can run.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';

/** Options for {@link spawnManaged}. */
export interface SpawnOptions {
  /** Append stdout and stderr here. */
  logPath: string;
  /** Environment (default: the parent's). */
  env?: NodeJS.ProcessEnv;
  /** Working directory (default: the parent's). */
  cwd?: string;
  /**
   * Outlive this Node process (for `cluster:up`): no watchdog, not killed by exit handlers.
   * Default false.
   */
  detached?: boolean;
  /** Removed by the watchdog after it kills the process (the per-run temp dir). */
  cleanupDir?: string;
}

/** A process started by {@link spawnManaged}. */
export interface ManagedProcess {
  /** Short name for messages, e.g. `etcd`. */
  readonly name: string;
  /** PID; also the process group id. */
  readonly pid: number;
  /** The log file. */
  readonly logPath: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** The last `lines` lines of the log. */
  logTail(lines?: number): string;
  /** SIGTERM the group, SIGKILL after `graceMs` (default 10 s); resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<number>();
let handlersInstalled = false;

/** Sends `signal` to the process group `pgid`, ignoring "no such process". */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** True when a process (or group, for negative ids) with this id exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads the last `lines` lines of a file ('' when unreadable). */
export function tailFile(path: string, lines = 40): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '';
  }
}

/**
 * Kills every non-detached managed process group synchronously (SIGKILL) on `exit`, and turns
 * SIGINT/SIGTERM/SIGHUP into an exit (running that handler) when nobody else listens for them.
 */
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const pgid of live) killGroup(pgid, 'SIGKILL');
  });
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      for (const pgid of live) killGroup(pgid, 'SIGTERM');
      if (process.listenerCount(signal) === 0) process.exit(code);
    });
  }
}

const WATCHDOG = `
parent=$1; group=$2; dir=$3
trap '' INT HUP TERM
while kill -0 "$parent" 2>/dev/null; do
  kill -0 -- "-$group" 2>/dev/null || exit 0
  sleep 1
done
kill -TERM -- "-$group" 2>/dev/null
i=0; while [ $i -lt 40 ] && kill -0 -- "-$group" 2>/dev/null; do sleep 0.25; i=$((i+1)); done
kill -KILL -- "-$group" 2>/dev/null
[ -n "$dir" ] && rm -rf -- "$dir"
exit 0`;

/**
 * Starts the watchdog for process group `pgid` (detached itself, so Ctrl-C does not hit it).
 * bash, not sh: dash's `kill` cannot address a process group (`kill -TERM -- -PGID`).
 */
function startWatchdog(pgid: number, cleanupDir: string | undefined): void {
  const dog = spawn('bash', ['-c', WATCHDOG, 'extapi-watchdog', String(process.pid), String(pgid), cleanupDir ?? ''], {
    detached: true, stdio: 'ignore',
  });
  dog.unref();
}

/** Spawns `command args` in a new process group, logging to `opts.logPath`. */
export function spawnManaged(name: string, command: string, args: string[], opts: SpawnOptions): ManagedProcess {
  const fd = openSync(opts.logPath, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env: opts.env ?? process.env, cwd: opts.cwd });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => { done = true; live.delete(pid); resolve(code ?? signal ?? 'unknown'); });
    child.once('error', (err) => { done = true; live.delete(pid); resolve(`spawn error: ${err.message}`); });
  });
  if (opts.detached) {
    child.unref();
  } else {
    installExitHandlers();
    live.add(pid);
    startWatchdog(pid, opts.cleanupDir);
  }
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (done) return;
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    killGroup(pid, 'SIGKILL'); // stragglers in the group
  };
  return { name, pid, logPath: opts.logPath, exited, hasExited: () => done, logTail: (n) => tailFile(opts.logPath, n), stop };
}

/**
 * Stops a process group that this Node process did not spawn (e.g. from a `cluster:up` state
 * file): SIGTERM, then SIGKILL after `graceMs`. Resolves once the group is gone.
 */
export async function stopGroupByPid(pgid: number, graceMs = 10_000): Promise<void> {
  if (!killGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (isAlive(-pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  killGroup(pgid, 'SIGKILL');
}

/**
 * True when process `pid` runs a command line containing `needle` — a guard against PID reuse
 * before signalling a PID read from a state file. Reads `/proc` (Linux); elsewhere trusts the PID.
 */
export function commandLineIncludes(pid: number, needle: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(needle);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync('/proc/self');
  }
}

/** Removes a directory tree, ignoring errors (used for per-run temp dirs). */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
