#!/usr/bin/env node
// Runs the extapi CLI through tsx so that the TypeScript sources need no build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
