/**
 * The label selector lexer. It tokenises exactly as apimachinery's pkg/labels lexer does
 * (byte-wise, whitespace = space/tab/CR/LF, a NUL character ends the token it is in), so
 * the parser built on it reports the same `found '...'` literals upstream reports.
 */

/** A token kind; keyword and symbol tokens are named after their literal. */
export type TokenKind =
  | 'error' | 'end' | 'identifier'
  | ')' | ',' | '!' | '==' | '=' | '>' | 'in' | '<' | '!=' | 'notin' | '(';

/** One scanned token: its kind and literal text. */
export interface Token {
  kind: TokenKind;
  literal: string;
}

const LITERAL_TOKENS: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>([
  [')', ')'], [',', ','], ['!', '!'], ['==', '=='], ['=', '='], ['>', '>'], ['in', 'in'],
  ['<', '<'], ['!=', '!='], ['notin', 'notin'], ['(', '('],
]);

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isSpecialSymbol(ch: string): boolean {
  return ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';
}

/** Reads characters; `''` stands for Go's 0 byte (end of input, or a NUL that is consumed). */
class Reader {
  private pos = 0;
  constructor(private readonly s: string) {}

  read(): string {
    if (this.pos >= this.s.length) return '';
    const ch = this.s[this.pos++];
    return ch === '\0' ? '' : ch;
  }

  unread(): void {
    this.pos--;
  }
}

function scanIdentifierOrKeyword(r: Reader): Token {
  let buf = '';
  for (;;) {
    const ch = r.read();
    if (ch === '') break;
    if (isSpecialSymbol(ch) || isWhitespace(ch)) {
      r.unread();
      break;
    }
    buf += ch;
  }
  return { kind: LITERAL_TOKENS.get(buf) ?? 'identifier', literal: buf };
}

function scanSpecialSymbol(r: Reader): Token {
  let buf = '';
  let last: Token | undefined;
  for (;;) {
    const ch = r.read();
    if (ch === '') break;
    if (!isSpecialSymbol(ch)) {
      r.unread();
      break;
    }
    buf += ch;
    const kind = LITERAL_TOKENS.get(buf);
    if (kind !== undefined) {
      last = { kind, literal: buf };
    } else if (last !== undefined) {
      r.unread();
      break;
    }
  }
  return last ?? { kind: 'error', literal: `error expected: keyword found '${buf}'` };
}

function nextToken(r: Reader): Token {
  let ch = r.read();
  while (isWhitespace(ch)) ch = r.read();
  if (ch === '') return { kind: 'end', literal: '' };
  r.unread();
  return isSpecialSymbol(ch) ? scanSpecialSymbol(r) : scanIdentifierOrKeyword(r);
}

/** Tokenises a whole selector; the last token is always `end`. */
export function scanLabelSelector(selector: string): Token[] {
  const reader = new Reader(selector);
  const tokens: Token[] = [];
  for (;;) {
    const token = nextToken(reader);
    tokens.push(token);
    if (token.kind === 'end') return tokens;
  }
}
