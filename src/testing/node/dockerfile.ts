/**
 * Dockerfiles read by the Docker-free image builders: the stages of a Dockerfile, and an image
 * assembled to the letter of its final stage from a staged build stage (the `/src` that
 * `COPY --from=build` takes from). The Node runtime layer is this machine's `node` plus the
 * libraries `ldd` lists, instead of the node image the Dockerfile names.
 */
import { copyFileSync, mkdirSync, readdirSync, realpathSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { host } from './host.ts';
import { packLayer, writeOciImage, type ImageRuntimeConfig, type LayerSource } from './oci-image.ts';

/** One stage: its `FROM` line's alias (if any) and its instruction lines (continuations joined, comments dropped). */
export interface DockerfileStage {
  alias?: string;
  lines: string[];
}

/** What a Dockerfile's final stage declares. */
export interface DockerfileFinalStage {
  config: ImageRuntimeConfig;
  /** `COPY --from=build /src/<from> <to>` pairs (paths relative to the build stage's /src). */
  copies: Array<{ from: string; to: string }>;
  /** Directories `RUN mkdir -p <dir> && chown <uid>:<gid> <dir>` creates. */
  ownedDirs: Array<{ path: string; uid: number; gid: number }>;
}

/** The built image: its name, the OCI tarball, and the config taken from the Dockerfile. */
export interface BuiltImage {
  name: string;
  tarball: string;
  stage: DockerfileFinalStage;
}

const NODE_IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The stages of a Dockerfile, in order (lines before the first FROM, e.g. ARG, are dropped). */
export function dockerfileStages(text: string): DockerfileStage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: DockerfileStage[] = [];
  for (const line of lines) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) stages.push({ alias: from[1], lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

/** Parses the final stage of the Dockerfile `file` (its text) into an image config, copies and owned directories. */
export function parseDockerfileFinalStage(text: string, file: string): DockerfileFinalStage {
  const config: ImageRuntimeConfig = { Env: [`PATH=${NODE_IMAGE_PATH}`] };
  const copies: DockerfileFinalStage['copies'] = [];
  const ownedDirs: DockerfileFinalStage['ownedDirs'] = [];
  for (const line of dockerfileStages(text).at(-1)?.lines ?? []) {
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
        if (!m) throw new Error(`image builder: unsupported COPY in ${file}: ${line}`);
        const to = m[2].startsWith('/') ? m[2] : join(config.WorkingDir ?? '/', m[2]);
        copies.push({ from: m[1], to: to.replace(/\/$/, '') });
        break;
      }
      case 'RUN': {
        const m = /^mkdir -p (\S+) && chown (\d+):(\d+) \1$/.exec(rest);
        if (!m) throw new Error(`image builder: unsupported RUN in ${file}: ${line}`);
        ownedDirs.push({ path: m[1], uid: Number(m[2]), gid: Number(m[3]) });
        break;
      }
      default: throw new Error(`image builder: instruction it does not follow in ${file}: ${line}`);
    }
  }
  return { config, copies, ownedDirs };
}

/** Shared libraries of an ELF file, as `ldd` lists them (absolute paths). */
function sharedLibraries(file: string): string[] {
  const out = host('ldd', [file]);
  return [...out.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]);
}

/** Native addons (`*.node`) under a node_modules tree. */
export function nativeAddons(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.node'))
    .map((e) => join(e.parentPath, e.name));
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
 * The image `name` of a final stage, from the staged build stage `buildRoot` (moved, not copied):
 * a runtime layer (node and the libraries it and the native addons need), then one layer with
 * the final stage's copies and owned directories. Written into `workDir`.
 */
export async function assembleImage(workDir: string, name: string, stage: DockerfileFinalStage, buildRoot: string): Promise<BuiltImage> {
  const runtimeRoot = join(workDir, 'runtime-root');
  stageNodeRuntime(runtimeRoot, nativeAddons(join(buildRoot, 'node_modules')));
  const appRoot = join(workDir, 'app-root');
  for (const c of stage.copies) {
    mkdirSync(join(appRoot, dirname(c.to)), { recursive: true });
    renameSync(join(buildRoot, c.from), join(appRoot, c.to));
  }
  const owned: LayerSource[] = stage.ownedDirs.map((d) => {
    mkdirSync(join(appRoot, d.path), { recursive: true });
    return { root: appRoot, paths: [`.${d.path}`], owner: { uid: d.uid, gid: d.gid } };
  });
  const runtimeTar = join(workDir, 'runtime.tar');
  packLayer(runtimeTar, [{ root: runtimeRoot }]);
  const appTar = join(workDir, 'app.tar');
  packLayer(appTar, [{ root: appRoot, paths: stage.copies.map((c) => `.${c.to}`) }, ...owned]);
  const tarball = await writeOciImage(workDir, name, [runtimeTar, appTar], stage.config);
  return { name, tarball, stage };
}
