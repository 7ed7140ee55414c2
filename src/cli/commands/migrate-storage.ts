/**
 * `extapi migrate-storage`: after a resource's storage version moved, writes every object back
 * through the API so that the server re-stores it in the new version, then reports which
 * versions are still stored. Resumable (a state file), progress shown, safe while clients write.
 */
import { resolve } from 'node:path';
import { connectCluster } from '../cluster.ts';
import { defineCommand } from '../define-command.ts';
import { ExitCode, usageError } from '../errors.ts';
import { addClusterFlags, addTargetFlags, type ClusterFlags, type TargetFlags } from '../flags.ts';
import { describeCounts, migrateStorage } from '../migrate/migrate-storage.ts';
import { colorsEnabled, createColors } from '../output.ts';
import { resolveTarget } from '../target.ts';

/** Flags of `extapi migrate-storage`. */
export interface MigrateStorageFlags extends ClusterFlags, TargetFlags {
  resource?: string;
  stateFile: string;
}

/** The `extapi migrate-storage` command (see the module comment). */
export default defineCommand<MigrateStorageFlags>({
  meta: {
    name: 'migrate-storage',
    description: 'write every stored object back in its storage version, then report the versions still stored',
    examples: ['extapi migrate-storage -n wardle', 'extapi migrate-storage -n wardle --resource flunders'],
  },
  flags(cmd) {
    addClusterFlags(cmd);
    addTargetFlags(cmd);
    cmd.option('--resource <plural>', 'only this resource');
    cmd.option('--state-file <file>', 'where progress is kept, so that a run that stopped resumes', '.extapi-migrate-storage.json');
  },
  async run(flags, { io }) {
    const target = await resolveTarget(flags, io.cwd);
    const resources = target.resources.filter((r) => !r.backend && !r.computed && (!flags.resource || r.plural === flags.resource));
    if (resources.length === 0) {
      throw usageError(`no stored resource${flags.resource ? ` named ${flags.resource}` : ''} in ${target.groups.map((g) => g.group).join(', ')}: check --resource and --server-module`);
    }
    const cluster = await connectCluster(flags, io.env);
    const c = createColors(colorsEnabled(io.stdout, io.env));
    io.stdout.write(`${c.bold('extapi migrate-storage')} ${resources.map((r) => `${r.plural}.${r.group}`).join(', ')} on ${cluster.server}\n`);
    const results = await migrateStorage({
      client: cluster.client, resources, stateFile: resolve(io.cwd, flags.stateFile), progress: (line) => io.stderr.write(`  ${line}\n`),
    });
    let ok = true;
    for (const r of results) {
      for (const f of r.failures) io.stdout.write(`  ${c.red('failed')} ${r.resource} ${f.object}: ${f.message}\n`);
      const leftover = r.after.storedVersions.filter((v) => v !== r.storageVersion && (r.after.objects[v] ?? 0) > 0);
      const line = `${r.resource}: stored in ${describeCounts(r.after.objects)}`;
      if (leftover.length === 0 && r.failures.length === 0) {
        io.stdout.write(`${c.green(line)}; no object is stored in another version than ${r.storageVersion}\n`);
      } else {
        ok = false;
        io.stdout.write(`${c.red(line)}; still stored in ${leftover.join(', ') || 'another version'}: fix the failures above (or stop servers still writing the old version) and run again\n`);
      }
    }
    return ok ? ExitCode.ok : ExitCode.failure;
  },
});
