/**
 * `extapi uninstall`: removes the APIServices first (so discovery and namespace deletion never
 * break), then everything else deploy created. Safe to repeat.
 */
import { createChecklist } from '../checklist.ts';
import { connectCluster } from '../cluster.ts';
import { defineCommand } from '../define-command.ts';
import { addClusterFlags, addTargetFlags, type ClusterFlags, type TargetFlags } from '../flags.ts';
import { colorsEnabled, createColors } from '../output.ts';
import { resolveTarget } from '../target.ts';
import { runUninstall } from '../uninstall/run-uninstall.ts';

/** Flags of `extapi uninstall`. */
export interface UninstallFlags extends ClusterFlags, TargetFlags {
  keepNamespace?: boolean;
}

/** The `extapi uninstall` command (see the module comment). */
export default defineCommand<UninstallFlags>({
  meta: {
    name: 'uninstall',
    description: 'remove the APIServices first, then everything else deploy created',
    examples: ['extapi uninstall -n wardle', 'extapi uninstall -n wardle --keep-namespace'],
  },
  flags(cmd) {
    addClusterFlags(cmd);
    addTargetFlags(cmd);
    cmd.option('--keep-namespace', 'leave the namespace (and anything else in it) in place');
  },
  async run(flags, { io }) {
    const target = await resolveTarget(flags, io.cwd);
    const cluster = await connectCluster(flags, io.env);
    const c = createColors(colorsEnabled(io.stdout, io.env));
    io.stdout.write(`${c.bold('extapi uninstall')} ${target.groups.map((g) => g.group).join(', ')} from namespace ${target.namespace} on ${cluster.server}\n`);
    const checklist = createChecklist(io.stdout, c);
    try {
      const r = await runUninstall({ cluster, target, keepNamespace: flags.keepNamespace === true, checklist });
      checklist.note(r.deleted.length === 0 ? 'Nothing to remove: it was already uninstalled.' : `Removed ${r.deleted.length} objects (${r.absent.length} were already absent).`);
    } finally {
      checklist.close();
    }
    return 0;
  },
});
