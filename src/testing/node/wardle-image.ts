/**
 * The wardle server as an OCI image, built without Docker but to the letter of
 * examples/wardle/Dockerfile's final stage: the same esbuild bundle at /app/dist/wardle.mjs, the
 * production node_modules, `/var/lib/extapi` owned by 65532, and the same ENV, WORKDIR, USER,
 * EXPOSE, ENTRYPOINT and CMD — read from the Dockerfile itself, so a change there changes what the
 * node tests run (an instruction this builder does not know fails the build). The Node runtime
 * layer is this machine's `node` plus the libraries `ldd` lists, instead of node:20-bookworm-slim.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../binaries.ts';
import { host } from './host.ts';
import { packLayer, writeOciImage } from './oci-image.ts';
import type { ImageRuntimeConfig, LayerSource } from './oci-image.ts';

/** What the Dockerfile's final stage declares. */
export interface DockerfileFinalStage {
  config: ImageRuntimeConfig;
  /** `COPY --from=build /src/<from> <to>` pairs (paths relative to the build stage's /src). */
  copies: Array<{ from: string; to: string }>;
  /** Directories `RUN mkdir -p <dir> && chown <uid>:<gid> <dir>` creates. */
  ownedDirs: Array<{ path: string; uid: number; gid: number }>;
}

/** The Dockerfile the image follows. */
export const WARDLE_DOCKERFILE = join(REPO_ROOT, 'examples', 'wardle', 'Dockerfile');

const NODE_IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Instruction lines (continuations joined, comments dropped) of the last stage. */
function finalStageLines(text: string): string[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const last = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  return lines.slice(last + 1);
}

/** Parses the final stage of a Dockerfile into an image config, copies and owned directories. */
export function parseDockerfileFinalStage(text: string): DockerfileFinalStage {
  const config: ImageRuntimeConfig = { Env: [`PATH=${NODE_IMAGE_PATH}`] };
  const copies: DockerfileFinalStage['copies'] = [];
  const ownedDirs: DockerfileFinalStage['ownedDirs'] = [];
  for (const line of finalStageLines(text)) {
    const [, op, rest] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    switch (op?.toUpperCase()) {
      case 'ENV': config.Env!.push(...rest.split(/\s+/)); break;
      case 'WORKDIR': config.WorkingDir = rest; break;
      case 'USER': config.User = rest; break;
      case 'EXPOSE': config.ExposedPorts = { ...config.ExposedPorts, [`${rest}/tcp`]: {} }; break;
      case 'ENTRYPOINT': config.Entrypoint = JSON.parse(rest) as string[]; break;
      case 'CMD': config.Cmd = JSON.parse(rest) as string[]; break;
      case 'COPY': {
        const m = /^--from=build\s+(?:--chown=0:0\s+)?\/src\/(\S+)\s+(\S+)$/.exec(rest);
        if (!m) throw new Error(`wardle-image: unsupported COPY in ${WARDLE_DOCKERFILE}: ${line}`);
        const to = m[2].startsWith('/') ? m[2] : join(config.WorkingDir ?? '/', m[2]);
        copies.push({ from: m[1], to: to.replace(/\/$/, '') });
        break;
      }
      case 'RUN': {
        const m = /^mkdir -p (\S+) && chown (\d+):(\d+) \1$/.exec(rest);
        if (!m) throw new Error(`wardle-image: unsupported RUN in ${WARDLE_DOCKERFILE}: ${line}`);
        ownedDirs.push({ path: m[1], uid: Number(m[2]), gid: Number(m[3]) });
        break;
      }
      default: throw new Error(`wardle-image: instruction the image builder does not follow in ${WARDLE_DOCKERFILE}: ${line}`);
    }
  }
  return { config, copies, ownedDirs };
}

/** Shared libraries of an ELF file, as `ldd` lists them (absolute paths). */
function sharedLibraries(file: string): string[] {
  const out = host('ldd', [file]);
  return [...out.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]);
}

/** Stages the Node runtime: `node` at /usr/local/bin/node (as in node images) and its libraries. */
function stageNodeRuntime(root: string, extraElfFiles: string[]): void {
  const node = realpathSync(process.execPath);
  mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
  copyFileSync(node, join(root, 'usr/local/bin/node'));
  const libs = new Set([node, ...extraElfFiles].flatMap(sharedLibraries));
  for (const lib of libs) {
    mkdirSync(join(root, dirname(lib)), { recursive: true });
    copyFileSync(realpathSync(lib), join(root, lib));
  }
  mkdirSync(join(root, 'tmp'), { recursive: true, mode: 0o1777 });
}

/**
 * The build stage, without Docker: the esbuild bundle (the Dockerfile's command line), the
 * package manifest, and node_modules pruned to production dependencies. Returns the staged /src.
 */
function stageBuild(src: string): void {
  mkdirSync(src, { recursive: true });
  execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'esbuild'), [
    'examples/wardle/main.ts', '--bundle', '--platform=node', '--format=esm', '--target=node20', '--packages=external',
    '--sourcemap', `--outfile=${join(src, 'dist', 'wardle.mjs')}`, '--log-level=warning',
  ], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  for (const f of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(REPO_ROOT, f), join(src, f));
  cpSync(join(REPO_ROOT, 'node_modules'), join(src, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  execFileSync('npm', ['prune', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: src, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** The built image: its name, the OCI tarball, and the config taken from the Dockerfile. */
export interface BuiltImage {
  name: string;
  tarball: string;
  stage: DockerfileFinalStage;
}

/** Builds the wardle image `name` into `workDir` (runtime layer + app layer). */
export async function buildWardleImage(workDir: string, name = 'extapi.local/wardle:dev'): Promise<BuiltImage> {
  const stage = parseDockerfileFinalStage(readFileSync(WARDLE_DOCKERFILE, 'utf8'));
  const src = join(workDir, 'build-src');
  stageBuild(src);
  const runtimeRoot = join(workDir, 'runtime-root');
  const nativeAddons = [join(src, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')].filter(existsSync);
  stageNodeRuntime(runtimeRoot, nativeAddons);
  const appRoot = join(workDir, 'app-root');
  for (const c of stage.copies) {
    mkdirSync(join(appRoot, dirname(c.to)), { recursive: true });
    renameSync(join(src, c.from), join(appRoot, c.to));
  }
  const owned: LayerSource[] = stage.ownedDirs.map((d) => {
    mkdirSync(join(appRoot, d.path), { recursive: true });
    return { root: appRoot, paths: [`.${d.path}`], owner: { uid: d.uid, gid: d.gid } };
  });
  const runtimeTar = join(workDir, 'runtime.tar');
  packLayer(runtimeTar, [{ root: runtimeRoot }]);
  const appTar = join(workDir, 'app.tar');
  const appPaths = stage.copies.map((c) => `.${c.to}`);
  packLayer(appTar, [{ root: appRoot, paths: appPaths }, ...owned]);
  const tarball = await writeOciImage(workDir, name, [runtimeTar, appTar], stage.config);
  return { name, tarball, stage };
}
