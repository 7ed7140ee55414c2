/**
 * Field selectors (`fieldSelector=` query parameter), parsed and matched as apimachinery's
 * pkg/fields does: comma-separated terms `field=value`, `field==value`, `field!=value`, with
 * `\`, `,` and `=` in values escaped by a backslash. Errors carry upstream's exact text.
 */
import { SelectorParseError } from './selector-error.ts';

/** A term operator. `==` parses to `=`, as upstream's Requirements() reports it. */
export type FieldOperator = '=' | '!=';

/** One term of a field selector; `value` is unescaped. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
}

/** A parsed field selector: the AND of its requirements, in upstream's (byte-sorted term) order. */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  /** True when the selector has no requirements and so matches everything. */
  readonly empty: boolean;
  /** The canonical form, as upstream's Selector.String() prints it. */
  toString(): string;
}

/** Reads a field of an object as a selector compares it; `undefined` counts as `""` (upstream's Set.Get). */
export type FieldGetter<T> = (obj: T, field: string) => string | undefined;

/** The field labels every kind supports by default (upstream's DefaultMetaV1FieldSelectorConversion). */
export const DEFAULT_FIELD_LABELS: readonly string[] = ['metadata.name', 'metadata.namespace'];

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** Escapes `\`, `,` and `=` with a backslash so `value` can sit in a field selector term. */
export function escapeFieldSelectorValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Undoes {@link escapeFieldSelectorValue}.
 * @throws SelectorParseError `invalid field selector: invalid escape sequence: \x` or
 *   `invalid field selector: unescaped character in value: 61` (upstream prints the rune's number).
 */
export function unescapeFieldSelectorValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new SelectorParseError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      throw new SelectorParseError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new SelectorParseError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on unescaped commas; escaped commas stay in the term with their backslash. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** Splits a term at the first operator occurrence (the field part has no escaping). */
function splitTerm(term: string): [string, (typeof TERM_OPERATORS)[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Builds a selector object over requirements (kept in the given order). */
export function fieldSelectorFromRequirements(requirements: readonly FieldRequirement[]): FieldSelector {
  const reqs = [...requirements];
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    toString: () => reqs.map((r) => `${r.field}${r.operator}${escapeFieldSelectorValue(r.value)}`).join(','),
  };
}

/**
 * Parses a field selector string as kube-apiserver does (fields.ParseSelector). Empty terms
 * are skipped; the empty string selects everything. Fields are not checked here: see
 * {@link assertSupportedFieldLabels}.
 * @throws SelectorParseError with upstream's text, e.g. `invalid selector: 'a'; can't understand 'a'`.
 */
export function parseFieldSelector(selector: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(selector).sort(byteOrder)) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (split === undefined) throw new SelectorParseError(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [field, op, raw] = split;
    const value = unescapeFieldSelectorValue(raw);
    // Upstream's Transform drops a term whose field and value are both empty.
    if (field !== '' || value !== '') reqs.push({ field, operator: op === '!=' ? '!=' : '=', value });
  }
  return fieldSelectorFromRequirements(reqs);
}

/**
 * Checks every field of `selector` against the kind's supported field labels, in the order
 * upstream converts them, as a kind's field-label conversion function does.
 * @throws SelectorParseError `field label not supported: <field>` for the first unsupported one.
 */
export function assertSupportedFieldLabels(selector: FieldSelector, supported: Iterable<string>): void {
  const allowed = supported instanceof Set ? (supported as ReadonlySet<string>) : new Set(supported);
  for (const req of selector.requirements) {
    if (!allowed.has(req.field)) throw new SelectorParseError(`field label not supported: ${req.field}`);
  }
}

/** True when `obj` satisfies every requirement; a field `getField` leaves undefined reads as `""`. */
export function matchesFieldSelector<T>(selector: FieldSelector, obj: T, getField: FieldGetter<T>): boolean {
  return selector.requirements.every((r) => {
    const actual = getField(obj, r.field) ?? '';
    return r.operator === '=' ? actual === r.value : actual !== r.value;
  });
}

/** Returns a predicate over objects for `selector` (a string is parsed first). @throws SelectorParseError */
export function fieldSelectorMatcher<T>(selector: FieldSelector | string, getField: FieldGetter<T>): (obj: T) => boolean {
  const parsed = typeof selector === 'string' ? parseFieldSelector(selector) : selector;
  return (obj) => matchesFieldSelector(parsed, obj, getField);
}

/**
 * Upstream's RequiresExactMatch: the value of the first `field=value` term for `field`, else
 * undefined (e.g. `metadata.name=x` lets storage fetch a single object).
 */
export function fieldRequiresExactMatch(selector: FieldSelector, field: string): string | undefined {
  return selector.requirements.find((r) => r.field === field && r.operator === '=')?.value;
}
