/**
 * `extapi certs rotate`: a new serving certificate under the same CA, or (`--new-ca`) a new CA
 * with a caBundle holding the old and the new one during the overlap; updates the files, the
 * APIServices' caBundle and the TLS Secret, and waits for the server to present the new
 * certificate when it can reach it. No request fails while it happens.
 */
import type { Checklist } from '../checklist.ts';
import { createChecklist } from '../checklist.ts';
import { certPaths, readCaBundle, type CertPaths, type CertSpec } from '../certs/cert-files.ts';
import { certDirOf, certSpecOf, describeCert } from '../certs/cert-options.ts';
import {
  finishCaFiles, patchCaBundle, patchSecret, readCa, rotateCaFiles, rotateServingFiles, rotationNames,
  waitForServedCertificate, type RotationCluster,
} from '../certs/rotate.ts';
import { connectCluster } from '../cluster.ts';
import { defineCommand } from '../define-command.ts';
import { addCertFlags, addClusterFlags, addDurationFlag, addPlacementFlags, addTimeoutFlag, type CertFlags, type ClusterFlags, type TargetFlags } from '../flags.ts';
import { colorsEnabled, createColors } from '../output.ts';
import { readCertificate } from '../../certs/index.ts';

/** Flags of `extapi certs rotate`. */
export interface RotateFlags extends ClusterFlags, CertFlags, Pick<TargetFlags, 'namespace' | 'service'> {
  newCa?: boolean;
  finish?: boolean;
  offline?: boolean;
  propagationDelay: number;
  timeout: number;
}

async function rotationCluster(flags: RotateFlags, env: NodeJS.ProcessEnv): Promise<RotationCluster> {
  const cluster = await connectCluster(flags, env);
  const { client } = cluster;
  const list = await client.request('GET', '/apis/apiregistration.k8s.io/v1/apiservices');
  const ours = (list?.items ?? []).filter((a: any) => a.spec?.service?.namespace === flags.namespace && a.spec?.service?.name === flags.service);
  const service = await client.getOrNull(`/api/v1/namespaces/${flags.namespace}/services/${flags.service}`);
  const secretName = `${flags.service}-serving-cert`;
  const secret = await client.getOrNull(`/api/v1/namespaces/${flags.namespace}/secrets/${secretName}`);
  const port = ours.map((a: any) => a.spec?.service?.port as number | undefined).find(Boolean) ?? 443;
  return {
    client, apiServices: ours.map((a: any) => a.metadata.name as string),
    secret: secret ? { namespace: flags.namespace, name: secretName } : undefined,
    endpoint: service?.spec?.type === 'ExternalName'
      ? { host: service.spec.externalName, port, serverName: `${flags.service}.${flags.namespace}.svc` } : undefined,
  };
}

async function finishRotation(list: Checklist, p: CertPaths, rc: RotationCluster | undefined): Promise<void> {
  const s = list.start('14', 'caBundle drops the previous CA');
  const ca = await readCa(p);
  if (rc) await patchCaBundle(rc, ca.certPem);
  await finishCaFiles(p);
  s.done('pass', rc ? `${rc.apiServices.length} APIService(s) now trust only ${readCertificate(ca.certPem).commonNames[0]}` : 'ca-previous.crt removed');
}

async function startCaRotation(list: Checklist, p: CertPaths, spec: CertSpec, rc: RotationCluster | undefined, delayMs: number) {
  const s = list.start('4', 'new CA, old CA kept in the caBundle');
  const ca = await rotateCaFiles(p, spec);
  const bundle = await readCaBundle(p);
  if (rc) {
    await patchCaBundle(rc, bundle);
    s.update(`waiting ${delayMs / 1000}s for kube-apiserver to load the new caBundle`);
    await new Promise((r) => setTimeout(r, delayMs));
  }
  s.done('pass', `${readCertificate(ca.certPem).commonNames[0]}; caBundle holds new + previous CA${rc ? ` on ${rc.apiServices.length} APIService(s)` : ''}`);
  return ca;
}

/** The `extapi certs rotate` command (see the module comment). */
export default defineCommand<RotateFlags>({
  meta: {
    name: 'certs rotate',
    description: 'replace the serving certificate (or the CA, with an overlapping caBundle) without failing a request',
    examples: ['extapi certs rotate -n wardle', 'extapi certs rotate -n wardle --new-ca', 'extapi certs rotate -n wardle --finish   # after a --new-ca rotation in a cluster'],
  },
  flags(cmd) {
    addClusterFlags(cmd);
    addPlacementFlags(cmd, { serviceAccount: false });
    addCertFlags(cmd);
    cmd.option('--new-ca', 'also replace the CA (the caBundle holds old and new CA until the server serves the new certificate)');
    cmd.option('--finish', 'end a --new-ca rotation: drop the previous CA from the caBundle');
    cmd.option('--offline', 'only rotate the files; do not touch the cluster');
    addDurationFlag(cmd, '--propagation-delay <duration>', 'wait after changing the caBundle before switching certificates', 5000);
    addTimeoutFlag(cmd, 60_000, 'the server to present the new certificate');
  },
  async run(flags, { io }) {
    const p = certPaths(certDirOf(flags, flags, io.cwd));
    const spec = await rotationNames(p, certSpecOf(flags, flags));
    const rc = flags.offline ? undefined : await rotationCluster(flags, io.env);
    const c = createColors(colorsEnabled(io.stdout, io.env));
    const list = createChecklist(io.stdout, c);
    io.stdout.write(`${c.bold('extapi certs rotate')} ${p.dir}${rc ? ` (${rc.apiServices.length} APIService(s), ${rc.secret ? 'Secret' : 'no Secret'})` : ' (files only)'}\n`);
    try {
      if (flags.finish) { await finishRotation(list, p, rc); return 0; }
      const ca = flags.newCa ? await startCaRotation(list, p, spec, rc, flags.propagationDelay) : await readCa(p);
      const s = list.start('5', 'new serving certificate');
      const pair = await rotateServingFiles(p, ca, spec);
      if (rc) await patchSecret(rc, pair, ca.certPem);
      s.done('pass', `${describeCert(readCertificate(pair.certPem))}${rc?.secret ? '; Secret updated' : ''}`);
      let served = false;
      if (rc?.endpoint) {
        const w = list.start('8', `server at ${rc.endpoint.host}:${rc.endpoint.port} presents it`);
        served = await waitForServedCertificate(rc.endpoint, await readCaBundle(p), pair.certPem, flags.timeout, (m) => w.update(m));
        w.done(served ? 'pass' : 'warn', served ? 'reloaded' : `not within ${flags.timeout / 1000}s: is the server reading ${p.dir}?`);
      }
      if (flags.newCa && served) await finishRotation(list, p, rc);
      else if (flags.newCa) list.note(`The caBundle trusts the old and the new CA. Once every server instance presents the new certificate (kubelet refreshes Secret volumes within about a minute), run: extapi certs rotate -n ${flags.namespace} --service ${flags.service} --finish`);
    } finally {
      list.close();
    }
    return 0;
  },
});
