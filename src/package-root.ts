/** Where the extapi package lives, in a checkout (sources in src/) and when installed (built files in dist/src/). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory at or above `dir` holding a package.json. */
function packageRootOf(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) throw new Error(`no package.json above ${dir}`);
  }
}

/** The extapi package's root: the repository, or `node_modules/extapi`; holds package.json and scripts/. */
export const PACKAGE_ROOT = packageRootOf(dirname(fileURLToPath(import.meta.url)));

/** The fields of extapi's own package.json that the CLI reads. */
export interface OwnPackageJson {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  engines: Record<string, string>;
  /** npm's install-script policy (npm ≥ 11.16 warns about, and npm 12 skips, scripts not allowed here). */
  allowScripts: Record<string, boolean>;
}

/** extapi's own package.json (read once). */
export function ownPackageJson(): OwnPackageJson {
  cached ??= JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as OwnPackageJson;
  return cached;
}
let cached: OwnPackageJson | undefined;
