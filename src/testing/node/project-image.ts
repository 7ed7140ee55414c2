/**
 * The image of a project made by `extapi init`, built without Docker from the project's own
 * Dockerfile: its build stage's COPY and RUN lines run on this machine in a staged `/src`
 * (`buildRoot`), then the final stage is assembled to the letter (see dockerfile.ts). The one
 * build-stage line not run is the toolchain's `apt-get` (the base image is not available without
 * Docker; this machine's compiler and Python build native addons instead). Any other instruction
 * this builder does not know fails the build.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { assembleImage, dockerfileStages, parseDockerfileFinalStage, type BuiltImage } from './dockerfile.ts';

/** Sources of one `COPY <src>... <dest>` from the build context; a trailing `*` makes a source optional. */
function copyFromContext(context: string, sources: string[], dest: string): void {
  for (const source of sources) {
    const optional = source.endsWith('*');
    const path = join(context, optional ? source.slice(0, -1) : source);
    if (!existsSync(path)) {
      if (optional) continue;
      throw new Error(`image builder: COPY ${source}: not in the build context ${context}`);
    }
    const target = dest.endsWith('/') ? join(dest, basename(path)) : dest;
    mkdirSync(dirname(target), { recursive: true });
    cpSync(path, target, { recursive: true });
  }
}

/** Files the build context leaves out (.dockerignore: one top-level name per line). */
function ignoredNames(context: string): Set<string> {
  const file = join(context, '.dockerignore');
  if (!existsSync(file)) return new Set();
  return new Set(readFileSync(file, 'utf8').split('\n').map((l) => l.trim().replace(/\/$/, '')).filter(Boolean));
}

/** Runs the build stage aliased `build` of `dockerfile` with `context` as build context into `buildRoot` (its WORKDIR). */
function runBuildStage(dockerfile: string, context: string, buildRoot: string): void {
  const stage = dockerfileStages(readFileSync(dockerfile, 'utf8')).find((s) => s.alias === 'build');
  if (!stage) throw new Error(`image builder: ${dockerfile} has no stage "AS build"`);
  const ignored = ignoredNames(context);
  const visible = readdirSync(context).filter((n) => !ignored.has(n));
  mkdirSync(buildRoot, { recursive: true });
  for (const line of stage.lines) {
    const [, op, rest] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    switch (op?.toUpperCase()) {
      case 'WORKDIR': if (rest !== '/src') throw new Error(`image builder: the build stage must work in /src: ${line}`); break;
      case 'COPY': {
        const args = rest.split(/\s+/);
        const dest = args.pop()!;
        const hidden = args.filter((a) => !visible.includes(a.replace(/\*$/, '').split('/')[0]) && !a.endsWith('*'));
        if (hidden.length > 0) throw new Error(`image builder: COPY ${hidden.join(' ')}: excluded by .dockerignore or missing`);
        copyFromContext(context, args, dest === './' || dest === '.' ? `${buildRoot}/` : join(buildRoot, dest));
        break;
      }
      case 'RUN':
        if (/^apt-get update\b/.test(rest)) break; // the toolchain: this machine's (see the file comment)
        execFileSync('sh', ['-c', rest], { cwd: buildRoot, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
        break;
      default: throw new Error(`image builder: build-stage instruction it does not follow in ${dockerfile}: ${line}`);
    }
  }
}

/**
 * Builds the image `name` of the project in `projectDir` from its Dockerfile into `workDir`;
 * `buildRoot` is the staged `/src` of the build stage (relative `file:` dependencies in the
 * project's package.json resolve from it as from the project, so give a sibling of the project).
 */
export async function buildProjectImage(projectDir: string, workDir: string, buildRoot: string, name: string): Promise<BuiltImage> {
  const dockerfile = join(projectDir, 'Dockerfile');
  const stage = parseDockerfileFinalStage(readFileSync(dockerfile, 'utf8'), dockerfile);
  runBuildStage(dockerfile, projectDir, buildRoot);
  mkdirSync(workDir, { recursive: true });
  return assembleImage(workDir, name, stage, buildRoot);
}
