/** RE2 patterns (as CEL and Kubernetes write them) compiled to JavaScript RegExps, cached. */

const cache = new Map<string, RegExp>();

/**
 * Compiles an RE2 pattern with `flags` (a leading `(?i)`/`(?s)`/`(?m)` group becomes a flag).
 * Throws an Error in cel-go's wording (`error parsing regexp: ...`) when the pattern is invalid.
 */
export function compileRe2(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  const hit = cache.get(key);
  if (hit !== undefined) { hit.lastIndex = 0; return hit; }
  let source = pattern;
  let all = `u${flags}`;
  const lead = /^\(\?([ims]+)\)/.exec(source);
  if (lead !== null) { source = source.slice(lead[0].length); all += lead[1]; }
  let re: RegExp;
  try { re = new RegExp(source, all); } catch (err) {
    throw new Error(`error parsing regexp: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  if (cache.size > 1000) cache.clear();
  cache.set(key, re);
  return re;
}
