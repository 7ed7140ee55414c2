/**
 * The parts of cel-go's strings extension (version 2+, as Kubernetes enables it) that
 * @marcbachmann/cel-js lacks: charAt, replace, reverse, format and strings.quote. The library
 * already has contains/startsWith/endsWith/matches/indexOf/lastIndexOf/lowerAscii/upperAscii/
 * substring/split (with a limit)/trim/join.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { formatCelString } from './format.ts';

/** The `strings` namespace constant (`strings.quote(...)`). */
class StringsNamespace {}

function codePoints(s: string): string[] {
  return Array.from(s);
}

function replaceN(s: string, from: string, to: string, n: bigint): string {
  if (n === 0n) return s;
  if (n < 0n) return s.split(from).join(to);
  let out = '';
  let rest = s;
  let left = n;
  while (left > 0n) {
    const at = rest.indexOf(from);
    if (at < 0) break;
    out += rest.slice(0, at) + to;
    rest = rest.slice(at + from.length);
    if (from === '') { out += rest.slice(0, 1); rest = rest.slice(1); if (rest === '') break; }
    left -= 1n;
  }
  return out + rest;
}

const QUOTE_ESCAPES: Record<string, string> = {
  '\\': '\\\\', '"': '\\"', '\u0007': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v',
};

function quote(s: string): string {
  return `"${Array.from(s, (c) => QUOTE_ESCAPES[c] ?? c).join('')}"`;
}

function charAt(s: string, i: bigint): string {
  const cps = codePoints(s);
  if (i < 0n || i > BigInt(cps.length)) throw new Error(`index out of range: ${i}`);
  return cps[Number(i)] ?? '';
}

/** Registers the missing strings-extension functions on `env`. */
export function registerStrings(env: Environment): void {
  env.registerType('StringsNamespace', StringsNamespace);
  env.registerConstant('strings', 'StringsNamespace', new StringsNamespace());
  env.registerFunction('StringsNamespace.quote(string): string', (_ns: unknown, s: string) => quote(s));
  env.registerFunction('string.charAt(int): string', charAt);
  env.registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => replaceN(s, a, b, -1n));
  env.registerFunction('string.replace(string, string, int): string', replaceN);
  env.registerFunction('string.reverse(): string', (s: string) => codePoints(s).reverse().join(''));
  env.registerFunction('string.format(list): string', formatCelString);
}
