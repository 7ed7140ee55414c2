/**
 * `extapi deploy`: performs setup steps 1-15 against the current kubeconfig with a live
 * checklist. Server-side apply makes a second run change nothing (and say so). `--external
 * host:port` registers a server running outside the cluster.
 */
import { createChecklist } from '../checklist.ts';
import { connectCluster } from '../cluster.ts';
import { defineCommand } from '../define-command.ts';
import { runDeploy } from '../deploy/run-deploy.ts';
import { addCertFlags, addClusterFlags, addTargetFlags, addTimeoutFlag, addWorkloadFlags, type ClusterFlags } from '../flags.ts';
import { specFromFlags, type ManifestFlags } from '../manifests/spec-from-flags.ts';
import { colorsEnabled, createColors } from '../output.ts';

/** Flags of `extapi deploy`. */
export interface DeployFlags extends ManifestFlags, ClusterFlags {
  wait: boolean;
  timeout: number;
}

/** The `extapi deploy` command (see the module comment). */
export default defineCommand<DeployFlags>({
  meta: {
    name: 'deploy',
    description: 'perform setup steps 1-15 against the current cluster, with a live checklist',
    examples: [
      'extapi deploy --image registry.example.com/wardle:1.0',
      'extapi deploy --external 127.0.0.1:8443 --cert-dir .extapi/certs/wardle.api   # a server running on this machine',
      'extapi deploy --storage etcd --etcd-servers https://etcd.wardle:2379',
    ],
  },
  flags(cmd) {
    addClusterFlags(cmd);
    addTargetFlags(cmd);
    addWorkloadFlags(cmd);
    addCertFlags(cmd);
    addTimeoutFlag(cmd, 180_000, 'the server and its APIServices');
    cmd.option('--no-wait', 'apply and return: do not wait for the server, the APIServices or list the resources');
  },
  async run(flags, { io }) {
    const cluster = await connectCluster(flags, io.env);
    const { spec, certs } = await specFromFlags(flags, io.cwd);
    const c = createColors(colorsEnabled(io.stdout, io.env));
    const groups = spec.target.groups.map((g) => `${g.group} (${g.versions.join(', ')})`).join(', ');
    io.stdout.write(`${c.bold('extapi deploy')} ${groups} → namespace ${spec.target.namespace} on ${cluster.server}${cluster.context ? ` (context ${cluster.context})` : ''}\n`);
    const checklist = createChecklist(io.stdout, c);
    try {
      await runDeploy({ cluster, spec, certs, wait: flags.wait, timeoutMs: flags.timeout, checklist });
    } finally {
      checklist.close();
    }
    return 0;
  },
});
