/**
 * `extapi init <name> --group <group>`: a new project in ./<name> with one resource, its server,
 * a unit and an e2e test, a Dockerfile and a README. On a terminal, missing values are asked for.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { defineCommand } from '../define-command.ts';
import { usageError } from '../errors.ts';
import { checkGroup, checkKind, checkProjectName, checkVersion } from '../init/names.ts';
import { writeProject } from '../init/write-project.ts';
import type { CliIo } from '../output.ts';

/** Flags of `extapi init`. */
export interface InitFlags {
  group?: string;
  kind: string;
  version: string;
  clusterScoped?: boolean;
}

/** Asks for `what` on a terminal; a usage error naming `flag` elsewhere. */
async function ask(io: CliIo, what: string, flag: string, fallback: string): Promise<string> {
  if (!process.stdin.isTTY || !('isTTY' in io.stdout && io.stdout.isTTY)) throw usageError(`${what} is required: ${flag}`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(`${what} (${fallback}): `)).trim() || fallback;
  } finally { rl.close(); }
}

/** The `extapi init` command (see the module comment). */
export default defineCommand<InitFlags>({
  meta: {
    name: 'init',
    description: 'create a new extension API server project: one resource, tests, Dockerfile, README',
    examples: ['extapi init my-api --group example.acme.io', 'extapi init my-api --group example.acme.io --kind Gadget --version v1beta1'],
  },
  flags(cmd) {
    cmd.argument('[name]', 'directory and package name of the project')
      .option('--group <group>', 'API group of its resources, e.g. example.acme.io')
      .option('--kind <Kind>', 'kind of its first resource', 'Widget')
      .option('--version <version>', 'version of its first resource', 'v1alpha1')
      .option('--cluster-scoped', 'the first resource is cluster-scoped (default: namespaced)');
  },
  async run(flags, { io, args }) {
    const name = checkProjectName(args[0] ?? await ask(io, 'project name', 'extapi init <name> --group <group>', 'my-api'));
    const group = checkGroup(flags.group ?? await ask(io, 'API group', 'add --group, e.g. --group example.acme.io', `${name}.example.com`));
    const dir = resolve(io.cwd, name);
    const resource = { kind: checkKind(flags.kind), version: checkVersion(flags.version), namespaced: !flags.clusterScoped };
    const files = await writeProject(dir, { name, group, resource });
    io.stdout.write(`created ${name}/ (${files.length} files) serving ${resource.kind} in ${group}/${resource.version}\n\n`
      + `  cd ${name}\n  npm install\n  npm start     # standalone on https://127.0.0.1:8443\n  npm test      # unit and e2e tests\n`);
    return 0;
  },
});
