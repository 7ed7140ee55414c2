/**
 * The wardle server as an OCI image, built without Docker but to the letter of
 * examples/wardle/Dockerfile's final stage: the same esbuild bundle at /app/dist/wardle.mjs, the
 * production node_modules, `/var/lib/extapi` owned by 65532, and the same ENV, WORKDIR, USER,
 * EXPOSE, ENTRYPOINT and CMD — read from the Dockerfile itself, so a change there changes what the
 * node tests run (an instruction this builder does not know fails the build). The Node runtime
 * layer is this machine's `node` plus the libraries `ldd` lists, instead of node:20-bookworm-slim.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../binaries.ts';
import { assembleImage, parseDockerfileFinalStage, type BuiltImage } from './dockerfile.ts';

export type { BuiltImage } from './dockerfile.ts';

/** The Dockerfile the image follows. */
export const WARDLE_DOCKERFILE = join(REPO_ROOT, 'examples', 'wardle', 'Dockerfile');

/** The bundler the Dockerfile runs (one ES module of the server and its dependencies). */
export const WARDLE_BUNDLER = join(REPO_ROOT, 'examples', 'wardle', 'bundle.mjs');

/**
 * The node flags of the Dockerfile's ENTRYPOINT (between `node` and the bundle), so that
 * whatever runs the bundle outside the image (the benchmark) runs it as the image does.
 */
export function wardleNodeFlags(): string[] {
  const entrypoint = parseDockerfileFinalStage(readFileSync(WARDLE_DOCKERFILE, 'utf8'), WARDLE_DOCKERFILE).config.Entrypoint ?? [];
  if (entrypoint[0] !== 'node' || entrypoint.at(-1) !== 'dist/wardle.mjs') {
    throw new Error(`${WARDLE_DOCKERFILE}: expected ENTRYPOINT ["node", ...flags, "dist/wardle.mjs"], found ${JSON.stringify(entrypoint)}`);
  }
  return entrypoint.slice(1, -1);
}

/**
 * The build stage, without Docker: the esbuild bundle (the Dockerfile's bundler), the
 * package manifest, and node_modules pruned to production dependencies. Returns the staged /src.
 */
function stageBuild(src: string): void {
  mkdirSync(src, { recursive: true });
  execFileSync(process.execPath, [WARDLE_BUNDLER, join(src, 'dist', 'wardle.mjs')], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  for (const f of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(REPO_ROOT, f), join(src, f));
  cpSync(join(REPO_ROOT, 'node_modules'), join(src, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  execFileSync('npm', ['prune', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: src, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Builds the wardle image `name` into `workDir` (runtime layer + app layer). */
export async function buildWardleImage(workDir: string, name = 'extapi.local/wardle:dev'): Promise<BuiltImage> {
  const stage = parseDockerfileFinalStage(readFileSync(WARDLE_DOCKERFILE, 'utf8'), WARDLE_DOCKERFILE);
  const src = join(workDir, 'build-src');
  stageBuild(src);
  return assembleImage(workDir, name, stage, src);
}
