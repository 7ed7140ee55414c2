/** Matching observed differences against the documented list (test/parity/known-differences.ts). */
import type { Difference, Via } from './scenario.ts';

/** Why a difference is accepted. */
export type DifferenceCategory =
  | 'extension' // extapi serves more than sample-apiserver (a feature, kept on purpose)
  | 'representation' // same meaning, different but valid wire form
  | 'upstream-quirk' // sample-apiserver behaviour that is a bug or an accident of its implementation
  | 'gap' // extapi lacks something upstream has; accepted for now, with the reason
  | 'reported'; // a deviation reported to the lead for fixing; remove the entry once fixed

/** One documented difference. */
export interface KnownDifference {
  id: string;
  category: DifferenceCategory;
  /** Globs over difference keys `<scenario>/<step>:<path>`; `*` matches any run of characters. */
  matches: string[];
  /** Only on this route (default: both). */
  via?: Via;
  /** Only when the values are exactly these (JSON equality; a missing value is `undefined`). */
  values?: { go?: unknown; ts?: unknown };
  /** What differs, in one sentence. */
  summary: string;
  /** Why it is accepted, or what the fix is. */
  reason: string;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function valuesMatch(k: KnownDifference, d: Difference): boolean {
  if (!k.values) return true;
  return (!('go' in k.values) || same(k.values.go, d.go)) && (!('ts' in k.values) || same(k.values.ts, d.ts));
}

/** Splits differences into explained (with the ids that explain them) and unexplained; the first matching entry explains. */
export function classify(differences: Difference[], known: KnownDifference[]): { unexplained: Difference[]; used: Set<string> } {
  const compiled = known.map((k) => ({ k, res: k.matches.map(globToRegExp) }));
  const unexplained: Difference[] = [];
  const used = new Set<string>();
  for (const d of differences) {
    const hit = compiled.find(({ k, res }) => (!k.via || k.via === d.via) && res.some((r) => r.test(d.key)) && valuesMatch(k, d));
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
