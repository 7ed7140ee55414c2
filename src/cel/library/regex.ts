/**
 * Kubernetes' CEL regex library: `string.find(regex)` and `string.findAll(regex[, limit])`.
 * Patterns are RE2 syntax; JavaScript's engine runs them (the common subset behaves the same).
 */
import type { Environment } from '@marcbachmann/cel-js';
import { compileRe2 } from './re2.ts';

function find(s: string, pattern: string): string {
  const m = compileRe2(pattern, '').exec(s);
  return m === null ? '' : m[0];
}

function findAll(s: string, pattern: string, limit: bigint = -1n): string[] {
  if (limit === 0n) return [];
  const out: string[] = [];
  for (const m of s.matchAll(compileRe2(pattern, 'g'))) {
    out.push(m[0]);
    if (limit > 0n && BigInt(out.length) >= limit) break;
  }
  return out;
}

/** Registers find/findAll on `env`. */
export function registerRegex(env: Environment): void {
  env.registerFunction('string.find(string): string', find);
  env.registerFunction('string.findAll(string): list<string>', (s: string, p: string) => findAll(s, p));
  env.registerFunction('string.findAll(string, int): list<string>', findAll);
}
