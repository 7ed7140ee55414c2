/** `extapi add resource <Kind>`: one more resource in the project's src/resources.ts (a project made by `extapi init`). */
import { relative } from 'node:path';
import { defineCommand } from '../define-command.ts';
import { usageError } from '../errors.ts';
import { addResource } from '../init/add-resource.ts';
import { checkKind, checkVersion, pluralOf } from '../init/names.ts';

/** Flags of `extapi add resource`. */
export interface AddResourceFlags {
  version: string;
  clusterScoped?: boolean;
}

/** The `extapi add resource` command (see the module comment). */
export default defineCommand<AddResourceFlags>({
  meta: {
    name: 'add resource',
    description: 'add a resource (schema, printer column, strategy hook) to the project made by `extapi init`',
    examples: ['extapi add resource Gadget', 'extapi add resource Policy --version v1beta1 --cluster-scoped'],
  },
  flags(cmd) {
    cmd.argument('[Kind]', 'kind of the resource, UpperCamelCase')
      .option('--version <version>', 'its version', 'v1alpha1')
      .option('--cluster-scoped', 'cluster-scoped (default: namespaced)');
  },
  async run(flags, { io, args }) {
    if (!args[0]) throw usageError('give the kind: extapi add resource <Kind>, e.g. extapi add resource Gadget');
    const resource = { kind: checkKind(args[0]), version: checkVersion(flags.version), namespaced: !flags.clusterScoped };
    const file = await addResource(io.cwd, resource);
    io.stdout.write(`added ${resource.kind} (${pluralOf(resource.kind)}, ${resource.version}, ${resource.namespaced ? 'namespaced' : 'cluster-scoped'}) to ${relative(io.cwd, file)}\n`);
    return 0;
  },
});
