/** Getting the control plane binaries by running `scripts/build-control-plane.sh`. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';

/** The extapi package's root (the repository, or `node_modules/extapi` when installed): holds scripts/ and package.json. */
export const REPO_ROOT = PACKAGE_ROOT;

/** Versions to build; default to the build script's defaults (k8s 1.36.3, etcd 3.6.16). */
export interface BinaryVersions {
  k8sVersion?: string;
  etcdVersion?: string;
}

/**
 * Returns the bin directory holding `etcd`, `kube-apiserver` and `kubectl`, building them on
 * first use (cold: several minutes). The script's progress goes to our stderr. Throws a clear
 * error when Go is missing or the build fails.
 */
export async function ensureControlPlaneBinaries(versions: BinaryVersions = {}): Promise<string> {
  const script = join(REPO_ROOT, 'scripts', 'build-control-plane.sh');
  if (!existsSync(script)) throw new Error(`missing ${script}`);
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('Go is not installed or not on PATH: the control plane binaries (etcd, kube-apiserver, kubectl) '
      + 'are built from the Go module proxy. Install Go >= 1.26 (https://go.dev/dl) or set EXTAPI_CONTROL_PLANE_BIN '
      + 'to a directory holding etcd, kube-apiserver and kubectl.');
  }
  const env = { ...process.env };
  if (versions.k8sVersion) env.EXTAPI_K8S_VERSION = versions.k8sVersion;
  if (versions.etcdVersion) env.EXTAPI_ETCD_VERSION = versions.etcdVersion;
  const binDir = await runBuildScript(script, env);
  for (const bin of ['etcd', 'kube-apiserver', 'kubectl']) {
    if (!existsSync(join(binDir, bin))) throw new Error(`build script printed "${binDir}" but ${bin} is not there`);
  }
  return binDir;
}

/**
 * Runs a build script (its progress to our stderr) and returns the bin directory it prints on its
 * last line; throws when it fails.
 */
export async function runBuildScript(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn('bash', [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const code = await new Promise<number | null>((r) => child.once('close', r));
  if (code !== 0) throw new Error(`${script.slice(REPO_ROOT.length + 1)} failed (exit ${code}); see its output above`);
  return out.trim().split('\n').pop() ?? '';
}

/**
 * The bin dir from `EXTAPI_CONTROL_PLANE_BIN` when set (pre-built binaries), else from
 * {@link ensureControlPlaneBinaries}.
 */
export async function resolveControlPlaneBinaries(versions: BinaryVersions = {}): Promise<string> {
  const fromEnv = process.env.EXTAPI_CONTROL_PLANE_BIN;
  if (fromEnv) return fromEnv;
  return ensureControlPlaneBinaries(versions);
}
