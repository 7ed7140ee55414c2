/**
 * `extapi certs`: setup steps 4-5 on disk. Creates a CA and a serving certificate for
 * `<service>.<namespace>.svc` (and `.svc.cluster.local`, `<service>.<namespace>`, `<service>`)
 * in `--cert-dir`; files that exist are reused, never silently overwritten.
 */
import { certDirOf, certSpecOf, describeCert } from '../certs/cert-options.ts';
import { ensureCertificates } from '../certs/cert-files.ts';
import { defineCommand } from '../define-command.ts';
import { addCertFlags, addPlacementFlags, type CertFlags, type TargetFlags } from '../flags.ts';
import { colorsEnabled, createColors } from '../output.ts';

/** Flags of `extapi certs`. */
export type CertsFlags = Pick<TargetFlags, 'namespace' | 'service'> & CertFlags;

/** The `extapi certs` command (see the module comment). */
export default defineCommand<CertsFlags>({
  meta: {
    name: 'certs',
    description: 'create a CA and a serving certificate for <service>.<namespace>.svc (existing files are reused)',
    examples: [
      'extapi certs -n wardle --service api',
      'extapi certs --cert-dir ./certs --key-algorithm rsa --days 90 --extra-san localhost,127.0.0.1',
    ],
  },
  flags(cmd) {
    addPlacementFlags(cmd, { serviceAccount: false });
    addCertFlags(cmd);
  },
  async run(flags, { io }) {
    const target = { namespace: flags.namespace, service: flags.service };
    const dir = certDirOf(flags, target, io.cwd);
    const result = await ensureCertificates(dir, certSpecOf(flags, target));
    const c = createColors(colorsEnabled(io.stdout, io.env));
    const mark = (s: 'created' | 'reused') => (s === 'created' ? c.green('created') : c.cyan('reused '));
    io.stdout.write(`${mark(result.ca.status)}  ${result.paths.caCrt}, ca.key — CA ${result.ca.facts.commonNames[0] ?? ''}; ${describeCert(result.ca.facts).replace(/^.*; /, '')}\n`);
    io.stdout.write(`${mark(result.serving.status)}  ${result.paths.tlsCrt}, tls.key — ${describeCert(result.serving.facts)}\n`);
    io.stdout.write(c.dim(`The server reads ${dir} with --tls-cert-dir ${dir}; \`extapi deploy --cert-dir ${dir}\` puts the CA in the APIService caBundle.\n`));
    return 0;
  },
});
