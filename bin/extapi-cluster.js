#!/usr/bin/env node
// `extapi-cluster up|down|status|exec`: a local control plane (etcd + kube-apiserver) for development and e2e tests.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/testing/cluster-cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('extapi-cluster: dist/ is missing; run `npm run build` in the extapi checkout\n');
  process.exit(1);
}
const { main } = await import(entry.href);
try {
  process.exit(await main(process.argv.slice(2)));
} catch (err) {
  process.stderr.write(`[control-plane] error: ${err.message}\n`);
  process.exit(1);
}
