/**
 * Kubernetes' CEL list library (isSorted, sum, min, max, indexOf, lastIndexOf) and the sets
 * library (sets.contains, sets.equivalent, sets.intersects), over @marcbachmann/cel-js values.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { celCompare, celEquals } from '../values.ts';

/** The `sets` namespace constant. */
class SetsNamespace {}

function isSorted(list: unknown[]): boolean {
  for (let i = 1; i < list.length; i++) if (celCompare(list[i - 1], list[i]) > 0) return false;
  return true;
}

function sum(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  let total = list[0];
  for (const v of list.slice(1)) {
    if (typeof total === 'bigint' && typeof v === 'bigint') {
      total = total + v;
      if ((total as bigint) > 9223372036854775807n || (total as bigint) < -9223372036854775808n) throw new Error('integer overflow');
    } else if (typeof total === 'number' && typeof v === 'number') total = total + v;
    else throw new Error('no such overload');
  }
  return total;
}

function extreme(list: unknown[], sign: 1 | -1): unknown {
  if (list.length === 0) throw new Error(`${sign > 0 ? 'max' : 'min'}(list) called on an empty list`);
  let best = list[0];
  for (const v of list.slice(1)) if (celCompare(v, best) * sign > 0) best = v;
  return best;
}

function indexOf(list: unknown[], v: unknown): bigint {
  return BigInt(list.findIndex((x) => celEquals(x, v)));
}

function lastIndexOf(list: unknown[], v: unknown): bigint {
  for (let i = list.length - 1; i >= 0; i--) if (celEquals(list[i], v)) return BigInt(i);
  return -1n;
}

const has = (list: unknown[], v: unknown): boolean => list.some((x) => celEquals(x, v));

/** Registers the list and sets libraries on `env`. */
export function registerLists(env: Environment): void {
  env.registerFunction('list.isSorted(): bool', isSorted);
  env.registerFunction('list.sum(): dyn', sum);
  env.registerFunction('list.min(): dyn', (l: unknown[]) => extreme(l, -1));
  env.registerFunction('list.max(): dyn', (l: unknown[]) => extreme(l, 1));
  env.registerFunction('list.indexOf(dyn): int', indexOf);
  env.registerFunction('list.lastIndexOf(dyn): int', lastIndexOf);
  env.registerType('SetsNamespace', SetsNamespace);
  env.registerConstant('sets', 'SetsNamespace', new SetsNamespace());
  env.registerFunction('SetsNamespace.contains(list, list): bool', (_n: unknown, a: unknown[], b: unknown[]) => b.every((v) => has(a, v)));
  env.registerFunction('SetsNamespace.equivalent(list, list): bool',
    (_n: unknown, a: unknown[], b: unknown[]) => b.every((v) => has(a, v)) && a.every((v) => has(b, v)));
  env.registerFunction('SetsNamespace.intersects(list, list): bool', (_n: unknown, a: unknown[], b: unknown[]) => b.some((v) => has(a, v)));
}
