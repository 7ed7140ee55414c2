/**
 * The shape of one CLI command, in the style of citty's `defineCommand({ meta, args, run })`:
 * metadata, a function adding its flags to a commander command (shared groups from
 * `flags.ts`), and `run`, which returns an exit code and never exits the process itself.
 */
import type { Command } from 'commander';
import type { CliIo } from './output.ts';

/** What a command receives besides its flags. */
export interface CommandContext {
  /** Streams, environment and working directory. */
  io: CliIo;
  /** Positional arguments left after the flags. */
  args: string[];
}

/** One command of the CLI. `F` is the type of its parsed flags. */
export interface CommandDefinition<F> {
  meta: {
    /** The words that invoke it, e.g. `certs rotate`. */
    name: string;
    /** One line for `extapi --help`. */
    description: string;
    /** Example invocations shown in its `--help`. */
    examples?: string[];
  };
  /** Adds the command's flags and arguments to `cmd`. */
  flags(cmd: Command): void;
  /** Runs the command; resolves to the exit code. Throws ActionableError on failure. */
  run(flags: F, ctx: CommandContext): Promise<number>;
}

/**
 * Declares a command (an identity function that fixes the flag type).
 * @example
 * export default defineCommand<{ dir: string }>({
 *   meta: { name: 'hello', description: 'Says hello' },
 *   flags: (cmd) => cmd.option('--dir <d>', 'where', '.'),
 *   run: async (flags, { io }) => { io.stdout.write(`hello ${flags.dir}\n`); return 0; },
 * });
 */
export function defineCommand<F>(def: CommandDefinition<F>): CommandDefinition<F> {
  return def;
}
