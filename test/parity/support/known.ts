/** Matching observed differences against the documented list (test/parity/known-differences.ts). */
import type { Difference, Via } from './scenario.ts';

/** Why a difference is accepted. */
export type DifferenceCategory =
  | 'extension' // extapi serves more than sample-apiserver (a feature, kept on purpose)
  | 'representation' // same meaning, different but valid wire form
  | 'upstream-quirk' // sample-apiserver behaviour that is a bug or an accident of its implementation
  | 'gap' // extapi lacks something upstream has; accepted for now, with the reason
  | 'reported'; // a deviation reported to the lead for fixing; remove the entry once fixed

/**
 * One documented path: a glob over difference keys `<scenario>/<step>:<json path>` (`*` matches
 * any run of characters), optionally with both sides' values pinned (JSON equality; `undefined`
 * is "absent"), so that a changed value is a new, undocumented difference.
 */
export type PathMatch = string | { key: string; go: unknown; ts: unknown };

/** One documented difference. */
export interface KnownDifference {
  id: string;
  category: DifferenceCategory;
  /** The JSON paths it covers; never a whole step (`<step>:*`), see {@link validateKnownDifferences}. */
  matches: PathMatch[];
  /** Only on this route (default: both). */
  via?: Via;
  /** Pins both sides' values for every match without its own values. */
  values?: { go: unknown; ts: unknown };
  /** What differs, in one sentence. */
  summary: string;
  /** Why it is accepted, or what the fix is. */
  reason: string;
}

/** The glob of a match. */
export const matchKey = (m: PathMatch): string => (typeof m === 'string' ? m : m.key);

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The values a match pins (its own, else the entry's), or undefined when it pins none. */
function pinned(k: KnownDifference, m: PathMatch): { go: unknown; ts: unknown } | undefined {
  return typeof m === 'string' ? k.values : m;
}

/**
 * The problems of a documented list, one sentence each (empty when valid): a glob that names no
 * JSON path (neither `<scenario>/<step>:<path>` nor a path suffix `*<path>` for every step) or
 * whose path is only wildcards (it would match a whole step, hiding any regression in it), and
 * duplicate ids.
 */
export function validateKnownDifferences(list: KnownDifference[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const k of list) {
    if (ids.has(k.id)) problems.push(`${k.id}: duplicate id`);
    ids.add(k.id);
    if (k.matches.length === 0) problems.push(`${k.id}: matches nothing`);
    for (const m of k.matches) {
      const key = matchKey(m);
      const colon = key.indexOf(':');
      if (colon < 0 && !/^\*[^*]/.test(key)) problems.push(`${k.id}: "${key}" names no JSON path (<scenario>/<step>:<path>, or *<path> for every step)`);
      else if (colon >= 0 && /^\**$/.test(key.slice(colon + 1))) problems.push(`${k.id}: "${key}" matches a whole step; name the JSON paths it covers`);
    }
  }
  return problems;
}

/** Splits differences into explained (with the ids that explain them) and unexplained; the first matching entry explains. */
export function classify(differences: Difference[], known: KnownDifference[]): { unexplained: Difference[]; used: Set<string> } {
  const compiled = known.map((k) => ({ k, rules: k.matches.map((m) => ({ re: globToRegExp(matchKey(m)), values: pinned(k, m) })) }));
  const unexplained: Difference[] = [];
  const used = new Set<string>();
  for (const d of differences) {
    const hit = compiled.find(({ k, rules }) => (!k.via || k.via === d.via)
      && rules.some((r) => r.re.test(d.key) && (!r.values || (same(r.values.go, d.go) && same(r.values.ts, d.ts)))));
    if (hit) used.add(hit.k.id);
    else unexplained.push(d);
  }
  return { unexplained, used };
}

/** A difference as one line for messages. */
export function describeDifference(d: Difference): string {
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v)?.slice(0, 300));
  return `[${d.via}] ${d.key}\n    go: ${show(d.go)}\n    ts: ${show(d.ts)}`;
}
