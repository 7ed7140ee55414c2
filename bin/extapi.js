#!/usr/bin/env node
// The extapi CLI: runs the built JavaScript (dist/, made by `npm run build` and shipped in the package).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('extapi: dist/ is missing; run `npm run build` in the extapi checkout (or use `npx tsx src/cli/main.ts` there)\n');
  process.exit(1);
}
await import(entry.href);
