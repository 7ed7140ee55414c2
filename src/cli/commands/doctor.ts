/**
 * `extapi doctor`: checks each setup step on a live cluster, connecting to the server as the
 * aggregator does (TLS with the APIService caBundle and ServerName `<svc>.<ns>.svc`), and
 * prints pass/fail with the fix of each failure. Exit code 1 when any check fails.
 */
import { resolve } from 'node:path';
import { createChecklist } from '../checklist.ts';
import { connectCluster } from '../cluster.ts';
import { defineCommand } from '../define-command.ts';
import { gatherFacts } from '../doctor/facts.ts';
import { runDoctor } from '../doctor/run-doctor.ts';
import { ExitCode } from '../errors.ts';
import { addClusterFlags, addOutputFlag, addTargetFlags, hostPort, type ClusterFlags, type TargetFlags } from '../flags.ts';
import { colorsEnabled, createColors } from '../output.ts';
import { resolveTarget } from '../target.ts';

/** Flags of `extapi doctor`. */
export interface DoctorFlags extends ClusterFlags, TargetFlags {
  output: 'text' | 'json';
  address?: string;
  certDir?: string;
}

/** The `extapi doctor` command (see the module comment). */
export default defineCommand<DoctorFlags>({
  meta: {
    name: 'doctor',
    description: 'check each setup step on a live cluster and say how to fix what fails',
    examples: [
      'extapi doctor -n wardle',
      'extapi doctor -n wardle --output json | jq \'.checks[] | select(.status == "fail")\'',
      'kubectl -n wardle port-forward svc/api 8443:443 & extapi doctor -n wardle --address 127.0.0.1:8443',
    ],
  },
  flags(cmd) {
    addClusterFlags(cmd);
    addTargetFlags(cmd);
    addOutputFlag(cmd);
    cmd.option('--address <host:port>', 'probe the server here (e.g. a port-forward) instead of where its Service points', hostPort);
    cmd.option('--cert-dir <dir>', 'also compare the local certificate directory with the cluster');
  },
  async run(flags, { io }) {
    const target = await resolveTarget(flags, io.cwd);
    const cluster = await connectCluster(flags, io.env);
    const json = flags.output === 'json';
    const c = createColors(!json && colorsEnabled(io.stdout, io.env));
    if (!json) io.stdout.write(`${c.bold('extapi doctor')} ${target.groups.map((g) => g.group).join(', ')} in namespace ${target.namespace} on ${cluster.server}\n`);
    const facts = await gatherFacts(cluster, target, { address: flags.address, certDir: flags.certDir ? resolve(io.cwd, flags.certDir) : undefined });
    const checklist = json ? undefined : createChecklist(io.stdout, c);
    const report = await runDoctor(facts, { checklist, colors: c });
    checklist?.close();
    if (json) {
      io.stdout.write(`${JSON.stringify({ ...report, namespace: target.namespace, service: target.service, server: cluster.server }, null, 2)}\n`);
    } else {
      const s = report.summary;
      const line = `${s.pass} passed, ${s.fail} failed, ${s.warn} warnings, ${s.skip} skipped`;
      io.stdout.write(`${report.ok ? c.green(line) : c.red(line)}\n`);
    }
    return report.ok ? ExitCode.ok : ExitCode.failure;
  },
});
