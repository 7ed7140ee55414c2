/**
 * Bundles the wardle server (examples/wardle/main.ts, src/ and its dependencies) into one ES
 * module — what examples/wardle/Dockerfile ships as dist/wardle.mjs, and what the node tests and
 * the benchmark run. Dependencies are bundled too (loading one file is much faster than loading
 * the hundreds of modules of @kubernetes/client-node and friends one by one), except:
 * - better-sqlite3, a native addon;
 * - @kubernetes/client-node, which the server imports only for kubeconfig users with `exec` or
 *   `auth-provider` credentials (src/kube/kubeconfig.ts): bundled, that one dynamic import would
 *   pull all of it (14 MiB) into the bundle.
 * They stay in node_modules. CommonJS code in the bundle gets a `require` from createRequire.
 *
 *   node examples/wardle/bundle.mjs [outfile]        # default dist/wardle.mjs
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** Packages left to node_modules (see above). */
export const EXTERNAL_PACKAGES = ['better-sqlite3', '@kubernetes/client-node'];

await build({
  entryPoints: [fileURLToPath(new URL('./main.ts', import.meta.url))],
  outfile: process.argv[2] ?? 'dist/wardle.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: EXTERNAL_PACKAGES,
  banner: { js: "import { createRequire as __extapiCreateRequire } from 'node:module'; const require = __extapiCreateRequire(import.meta.url);" },
});
