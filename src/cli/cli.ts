/**
 * The CLI dispatcher: finds the command named by the first words of argv, loads only that
 * command's module, parses its flags with commander and runs it. Every failure is translated
 * once into an {@link ActionableError} and printed as one sentence; {@link runCli} resolves
 * to the exit code and never exits the process (only `main.ts` does).
 */
import { Command, CommanderError } from 'commander';
import type { CommandDefinition } from './define-command.ts';
import { ActionableError, ExitCode, toActionableError } from './errors.ts';
import { colorsEnabled, createColors, type CliIo } from './output.ts';
import { ownPackageJson } from '../package-root.ts';

/** One entry of the command table: loaded lazily. */
interface CommandEntry {
  name: string;
  description: string;
  load: () => Promise<{ default: CommandDefinition<any> }>;
}

/** The commands, in the order of the work: start a project, make certificates, render, apply, check, remove. */
export const COMMANDS: CommandEntry[] = [
  { name: 'init', description: 'create a new extension API server project: one resource, tests, Dockerfile, README', load: () => import('./commands/init.ts') },
  { name: 'add resource', description: 'add a resource to the project made by `extapi init`', load: () => import('./commands/add-resource.ts') },
  { name: 'certs', description: 'create a CA and a serving certificate for <service>.<namespace>.svc (existing files are reused)', load: () => import('./commands/certs.ts') },
  { name: 'certs rotate', description: 'replace the serving certificate (or the CA, with an overlapping caBundle) without failing a request', load: () => import('./commands/certs-rotate.ts') },
  { name: 'manifests', description: 'print every object of setup steps 3-14 as YAML, or write a kustomize directory', load: () => import('./commands/manifests.ts') },
  { name: 'deploy', description: 'perform setup steps 1-15 against the current cluster, with a live checklist', load: () => import('./commands/deploy.ts') },
  { name: 'migrate-storage', description: 'write every stored object back in its storage version, then report the versions still stored', load: () => import('./commands/migrate-storage.ts') },
  { name: 'doctor', description: 'check each setup step on a live cluster and say how to fix what fails', load: () => import('./commands/doctor.ts') },
  { name: 'uninstall', description: 'remove the APIServices first, then everything else deploy created', load: () => import('./commands/uninstall.ts') },
];

function packageVersion(): string {
  try {
    return ownPackageJson().version;
  } catch { return 'unknown'; }
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'extapi — set up, verify and remove Kubernetes extension API servers behind the aggregation layer',
    '',
    'Usage: extapi <command> [flags]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.description}`),
    '',
    'Run `extapi <command> --help` for the flags of a command.',
    '',
  ].join('\n');
}

/** The entry whose words are the longest prefix of `argv`, and the remaining argv. */
function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  const sorted = [...COMMANDS].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const entry of sorted) {
    const words = entry.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { entry, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** Builds the commander command of `def`, with errors thrown rather than printed. */
function buildCommand(def: CommandDefinition<any>, io: CliIo): Command {
  const cmd = new Command(`extapi ${def.meta.name}`)
    .description(def.meta.description)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: () => undefined, outputError: () => undefined })
    .helpOption('-h, --help', 'show the flags of this command');
  def.flags(cmd);
  if (def.meta.examples?.length) cmd.addHelpText('after', `\nExamples:\n${def.meta.examples.map((e) => `  ${e}`).join('\n')}\n`);
  return cmd;
}

/** Turns commander's `error: unknown option '--x'` into one sentence with the next step. */
function usageMessage(err: CommanderError, name: string): string {
  const text = err.message.replace(/^error:\s*/, '').replace(/\n[\s\S]*$/, '').replace(/\.$/, '');
  return `${text}; run \`extapi ${name} --help\` for the flags`;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves to the exit code.
 * @example
 * process.exit(await runCli(process.argv.slice(2), processIo()));
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(topHelp());
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.stdout.write(`extapi ${packageVersion()}\n`);
    return ExitCode.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    return report(new ActionableError(`unknown command "${argv[0]}"; run \`extapi --help\` for the commands`, { exitCode: ExitCode.usage }), io);
  }
  const def = (await found.entry.load()).default;
  const cmd = buildCommand(def, io);
  let code: number = ExitCode.ok;
  cmd.action(async (...params: unknown[]) => {
    const command = params[params.length - 1] as Command;
    code = await def.run(command.opts(), { io, args: command.args });
  });
  try {
    await cmd.parseAsync(found.rest, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return ExitCode.ok;
      return report(new ActionableError(usageMessage(err, def.meta.name), { exitCode: ExitCode.usage }), io);
    }
    return report(toActionableError(err), io);
  }
}

/** Prints an error as `error: <sentence>` (+ details) and returns its exit code. */
export function report(err: ActionableError, io: CliIo): number {
  const c = createColors(colorsEnabled(io.stderr, io.env));
  io.stderr.write(`${c.red('error:')} ${err.message}\n`);
  for (const line of err.details) io.stderr.write(`  ${line}\n`);
  if (io.env.EXTAPI_DEBUG === '1') {
    const cause = (err.cause as Error | undefined) ?? err;
    io.stderr.write(`${c.dim(cause.stack ?? String(cause))}\n`);
  }
  return err.exitCode;
}
