#!/usr/bin/env node
// The extapi CLI. In the package it runs the built JavaScript (dist/, made by `npm run build`).
// In a checkout without a build it runs the TypeScript sources through tsx (a devDependency),
// so `npx extapi ...` works right after `npm ci`.
import { existsSync } from 'node:fs';

const built = new URL('../dist/src/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else if (existsSync(source) && (await registerTsx())) {
  await import(source.href);
} else {
  process.stderr.write('extapi: dist/ is missing; run `npm run build` in the extapi checkout\n');
  process.exit(1);
}

async function registerTsx() {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    return true;
  } catch {
    return false;
  }
}
