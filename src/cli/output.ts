/**
 * Terminal output: colours that switch off when the stream is not a TTY, with `NO_COLOR` or
 * `TERM=dumb` (and on with `FORCE_COLOR`), and the streams a command writes to.
 */

/** A writable text stream (process.stdout, or a test double). */
export interface TextStream {
  write(chunk: string): unknown;
  /** True on a terminal. */
  isTTY?: boolean;
  /** Terminal width, when a terminal. */
  columns?: number;
}

/** Colour functions; identity functions when colours are off. */
export interface Colors {
  readonly enabled: boolean;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/** Decides whether colours are on for `stream` given the environment. */
export function colorsEnabled(stream: TextStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Creates the colour functions, ANSI escapes when `enabled`. */
export function createColors(enabled: boolean): Colors {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return {
    enabled,
    green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), cyan: wrap(36, 39),
    dim: wrap(2, 22), bold: wrap(1, 22),
  };
}

/** What a command writes to: stdout for results, stderr for progress and errors. */
export interface CliIo {
  stdout: TextStream;
  stderr: TextStream;
  env: NodeJS.ProcessEnv;
  /** Working directory relative paths resolve against. */
  cwd: string;
}

/** The I/O of the real process. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Truncates a line to the terminal width (when known), so that progress lines never wrap. */
export function fitLine(line: string, columns: number | undefined): string {
  if (!columns || columns < 20 || visibleLength(line) <= columns - 1) return line;
  // eslint-disable-next-line no-control-regex
  const plain = line.replace(/\u001b\[[0-9;]*m/g, '');
  return plain.slice(0, columns - 2) + '…';
}

function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}
