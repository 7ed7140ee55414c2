/**
 * Label selectors (`labelSelector=` query parameter), parsed and matched as apimachinery's
 * pkg/labels does: `=`, `==`, `!=`, `in (..)`, `notin (..)`, `key` (exists), `!key`,
 * `>`/`<` (integer comparison), comma = AND. Parse errors carry upstream's exact message.
 */
import { scanLabelSelector } from './label-lexer.ts';
import type { Token, TokenKind } from './label-lexer.ts';
import { SelectorParseError } from './selector-error.ts';
import { invalidValueMessage, isQualifiedName, isValidLabelValue } from './validation.ts';

/** A requirement operator, spelled as apimachinery's selection.Operator values. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One parsed requirement. `values` is sorted and de-duplicated (empty for exists / `!`). */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

/** A predicate over an object's labels; `undefined` labels behave as no labels. */
export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

/** A parsed label selector: the AND of its requirements (sorted by key, as upstream sorts them). */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector has no requirements and so matches everything. */
  readonly empty: boolean;
  readonly matches: LabelMatcher;
  /** The canonical form, as upstream's Selector.String() prints it. */
  toString(): string;
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';
const OPERATOR_TOKENS: Partial<Record<TokenKind, LabelOperator>> = {
  'in': 'in', '=': '=', '==': '==', '>': 'gt', '<': 'lt', 'notin': 'notin', '!=': '!=',
};

/** Parses a Go strconv.ParseInt(s, 10, 64) integer; undefined when Go would fail. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

/** Values-context view of a token: `in`/`notin` are plain identifiers there. */
function asValue(t: Token): Token {
  return t.kind === 'in' || t.kind === 'notin' ? { kind: 'identifier', literal: t.literal } : t;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token {
    return asValue(this.tokens[this.pos]);
  }

  next(valueContext = true): Token {
    const t = this.tokens[this.pos++];
    return valueContext ? asValue(t) : t;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'end') return reqs;
      if (t.kind !== 'identifier' && t.kind !== '!') {
        throw new SelectorParseError(`found '${t.literal}', expected: !, identifier, or 'end of string'`);
      }
      reqs.push(this.requirementOrThrow());
      const after = this.next();
      if (after.kind === 'end') return reqs;
      if (after.kind !== ',') throw new SelectorParseError(`found '${after.literal}', expected: ',' or 'end of string'`);
      const t2 = this.peek();
      if (t2.kind !== 'identifier' && t2.kind !== '!') {
        throw new SelectorParseError(`found '${t2.literal}', expected: identifier after ','`);
      }
    }
  }

  private requirementOrThrow(): LabelRequirement {
    try {
      return this.requirement();
    } catch (err) {
      if (err instanceof SelectorParseError) throw new SelectorParseError(`unable to parse requirement: ${err.message}`);
      throw err;
    }
  }

  private requirement(): LabelRequirement {
    let operator: LabelOperator | undefined;
    let t = this.next();
    if (t.kind === '!') {
      operator = '!';
      t = this.next();
    }
    if (t.kind !== 'identifier') throw new SelectorParseError(`found '${t.literal}', expected: identifier`);
    const key = t.literal;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) throw new SelectorParseError(invalidValueMessage('<nil>', key, keyErrs.join('; ')));
    const ahead = this.peek().kind;
    if (ahead === 'end' || ahead === ',') operator ??= 'exists';
    if (operator === 'exists' || operator === '!') return newRequirement(key, operator, []);
    const op = this.operator();
    const values = op === 'in' || op === 'notin' ? this.valueSet() : this.exactValue();
    return newRequirement(key, op, [...new Set(values)].sort());
  }

  private operator(): LabelOperator {
    const t = this.next(false);
    const op = OPERATOR_TOKENS[t.kind];
    if (op === undefined) throw new SelectorParseError(`found '${t.literal}', expected: ${BINARY_OPERATORS}`);
    return op;
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') throw new SelectorParseError(`found '${open.literal}' expected: '('`);
    const t = this.peek();
    if (t.kind === ')') {
      this.next();
      return [''];
    }
    if (t.kind !== 'identifier' && t.kind !== ',') {
      throw new SelectorParseError(`found '${t.literal}', expected: ',', ')' or identifier`);
    }
    const values = this.identifierList();
    if (this.next().kind !== ')') throw new SelectorParseError(`found '${t.literal}', expected: ')'`);
    return values;
  }

  private identifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'identifier') {
        values.push(t.literal);
        const t2 = this.peek();
        if (t2.kind === ')') return values;
        if (t2.kind !== ',') throw new SelectorParseError(`found '${t2.literal}', expected: ',' or ')'`);
      } else if (t.kind === ',') {
        if (values.length === 0) values.push('');
        const t2 = this.peek().kind;
        if (t2 === ')') return [...values, ''];
        if (t2 === ',') values.push('');
      } else {
        throw new SelectorParseError(`found '${t.literal}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): string[] {
    const ahead = this.peek().kind;
    if (ahead === 'end' || ahead === ',') return [''];
    const t = this.next();
    if (t.kind === 'identifier') return [t.literal];
    throw new SelectorParseError(`found '${t.literal}', expected: identifier`);
  }
}

/** NewRequirement's value checks (the parser already guarantees the value counts). */
function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const errs: string[] = [];
  if (operator === 'gt' || operator === 'lt') {
    values.forEach((v, i) => {
      if (parseInt64(v) === undefined) {
        errs.push(invalidValueMessage(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      }
    });
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) errs.push(invalidValueMessage(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  const unique = [...new Set(errs)];
  if (unique.length === 1) throw new SelectorParseError(unique[0]);
  if (unique.length > 1) throw new SelectorParseError(`[${unique.join(', ')}]`);
  return { key, operator, values };
}

/** True when `labels` satisfies the single requirement `req` (upstream's Requirement.Matches). */
export function matchesLabelRequirement(req: LabelRequirement, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.operator) {
    case 'in': case '=': case '==':
      return value !== undefined && req.values.includes(value);
    case 'notin': case '!=':
      return value === undefined || !req.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt': case 'lt': {
      if (value === undefined || req.values.length !== 1) return false;
      const actual = parseInt64(value);
      const bound = parseInt64(req.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return req.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

const OPERATOR_TEXT: Record<LabelOperator, string> = {
  'in': ' in ', 'notin': ' notin ', '=': '=', '==': '==', '!=': '!=', 'exists': '', '!': '', 'gt': '>', 'lt': '<',
};

/** A requirement as upstream prints it: `a=b`, `a in (x,y)`, `!a`, `a>3`. */
export function formatLabelRequirement(req: LabelRequirement): string {
  if (req.operator === 'exists') return req.key;
  if (req.operator === '!') return `!${req.key}`;
  const values = [...req.values].sort().join(',');
  const shown = req.operator === 'in' || req.operator === 'notin' ? `(${values})` : values;
  return `${req.key}${OPERATOR_TEXT[req.operator]}${shown}`;
}

/** Builds a selector object over already-validated requirements (sorted by key, stably). */
export function labelSelectorFromRequirements(requirements: readonly LabelRequirement[]): LabelSelector {
  const reqs = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    matches: (labels) => reqs.every((r) => matchesLabelRequirement(r, labels)),
    toString: () => reqs.map(formatLabelRequirement).join(','),
  };
}

/**
 * Parses a label selector string as kube-apiserver does (labels.Parse). The empty string (or
 * only whitespace) selects everything.
 * @throws SelectorParseError whose message is upstream's error text, e.g.
 *   `unable to parse requirement: found '', expected: in, notin, =, ==, !=, gt, lt`.
 */
export function parseLabelSelector(selector: string): LabelSelector {
  return labelSelectorFromRequirements(new Parser(scanLabelSelector(selector)).parse());
}

/** Parses `selector` and returns just its matcher. @throws SelectorParseError as {@link parseLabelSelector}. */
export function labelSelectorMatcher(selector: string): LabelMatcher {
  return parseLabelSelector(selector).matches;
}

/**
 * Upstream's RequiresExactMatch: when the selector pins `key` to one value (`=`, `==`, or `in`
 * with a single value) returns that value, else undefined. Lets storage narrow a scan.
 */
export function labelRequiresExactMatch(selector: LabelSelector, key: string): string | undefined {
  const req = selector.requirements.find((r) => r.key === key);
  if (req === undefined) return undefined;
  const pins = req.operator === '=' || req.operator === '==' || req.operator === 'in';
  return pins && req.values.length === 1 ? req.values[0] : undefined;
}
