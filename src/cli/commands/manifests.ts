/**
 * `extapi manifests`: every object of setup steps 3-14 as YAML on stdout, or as a directory
 * that `kubectl apply -k` accepts (`--out-dir`). Certificates come from `--cert-dir` (created
 * when missing) or, with `--cert-manager`, from cert-manager.
 */
import { resolve } from 'node:path';
import { defineCommand } from '../define-command.ts';
import { addCertFlags, addTargetFlags, addWorkloadFlags } from '../flags.ts';
import { buildManifests } from '../manifests/build.ts';
import { specFromFlags, type ManifestFlags } from '../manifests/spec-from-flags.ts';
import { toYamlStream, writeManifestDir } from '../manifests/write.ts';
import { makeDirectory } from '../../fs/make-directory.ts';

/** Flags of `extapi manifests`. */
export interface ManifestsCommandFlags extends ManifestFlags {
  outDir?: string;
  overwrite?: boolean;
}

/** The `extapi manifests` command (see the module comment). */
export default defineCommand<ManifestsCommandFlags>({
  meta: {
    name: 'manifests',
    description: 'print every object of setup steps 3-14 as YAML, or write a kustomize directory',
    examples: [
      'extapi manifests > wardle.yaml && kubectl apply -f wardle.yaml',
      'extapi manifests --storage etcd --etcd-servers https://etcd:2379 --out-dir deploy/ && kubectl apply -k deploy/',
      'extapi manifests --cert-manager --image registry.example.com/wardle:1.0',
    ],
  },
  flags(cmd) {
    addTargetFlags(cmd);
    addWorkloadFlags(cmd);
    addCertFlags(cmd);
    cmd.option('--out-dir <dir>', 'write one file per object and a kustomization.yaml here instead of printing');
    cmd.option('--overwrite', 'with --out-dir: replace files in a non-empty directory');
  },
  async run(flags, { io }) {
    // A directory that cannot be made fails before any certificate is written.
    if (flags.outDir) await makeDirectory(resolve(io.cwd, flags.outDir));
    const { spec, certs } = await specFromFlags(flags, io.cwd);
    if (certs) io.stderr.write(`certificates: ${certs.paths.dir} (CA ${certs.ca.status}, serving certificate ${certs.serving.status})\n`);
    const objects = buildManifests(spec);
    if (!flags.outDir) {
      io.stdout.write(toYamlStream(objects));
      return 0;
    }
    const dir = resolve(io.cwd, flags.outDir);
    const files = await writeManifestDir(dir, objects, flags.overwrite === true);
    io.stdout.write(`wrote ${files.length} files to ${dir}; apply them with: kubectl apply -k ${flags.outDir}\n`);
    return 0;
  },
});
