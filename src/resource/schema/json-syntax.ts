/**
 * Describes why a text is not valid JSON in the words of Go's encoding/json scanner (which is
 * what kube-apiserver shows): `invalid character 'x' looking for beginning of value`,
 * `unexpected end of JSON input`, ...
 */
import { goQuoteChar } from '../../apimachinery/validation/go-format.ts';

const MAX_DEPTH = 10000;

/** A syntax error at a character offset, with Go's message. */
export interface GoSyntaxError {
  message: string;
  /** UTF-16 offset in the text where scanning stopped. */
  offset: number;
}

/** Go reports the first byte of a character: bytes ≥ 0x80 show as the Latin-1 rune of that byte. */
function describeChar(text: string, i: number): string {
  const cp = text.codePointAt(i) as number;
  if (cp < 0x80) return goQuoteChar(String.fromCharCode(cp));
  const firstByte = cp < 0x800 ? 0xc0 | (cp >> 6) : cp < 0x10000 ? 0xe0 | (cp >> 12) : 0xf0 | (cp >> 18);
  return goQuoteChar(String.fromCharCode(firstByte));
}

class Scanner {
  readonly text: string;
  i = 0;
  depth = 0;
  constructor(text: string) {
    this.text = text;
  }

  fail(context: string): never {
    if (this.i >= this.text.length) throw { message: 'unexpected end of JSON input', offset: this.i } satisfies GoSyntaxError;
    throw { message: `invalid character ${describeChar(this.text, this.i)} ${context}`, offset: this.i } satisfies GoSyntaxError;
  }

  skipSpace(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.i++;
    }
  }

  expect(ch: number, context: string): void {
    this.skipSpace();
    if (this.text.charCodeAt(this.i) !== ch) this.fail(context);
    this.i++;
  }

  value(): void {
    this.skipSpace();
    const c = this.text.charCodeAt(this.i);
    if (c === 0x7b || c === 0x5b) {
      if (++this.depth > MAX_DEPTH) this.fail('exceeded max depth');
      this.i++;
      if (c === 0x7b) this.object(); else this.array();
      this.depth--;
    } else if (c === 0x22) this.string();
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) this.number();
    else if (c === 0x74) this.literal('true');
    else if (c === 0x66) this.literal('false');
    else if (c === 0x6e) this.literal('null');
    else this.fail('looking for beginning of value');
  }

  object(): void {
    this.skipSpace();
    if (this.text.charCodeAt(this.i) === 0x7d) { this.i++; return; }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.i) !== 0x22) this.fail('looking for beginning of object key string');
      this.string();
      this.expect(0x3a, 'after object key');
      this.value();
      this.skipSpace();
      const c = this.text.charCodeAt(this.i);
      if (c === 0x2c) { this.i++; continue; }
      if (c === 0x7d) { this.i++; return; }
      this.fail('after object key:value pair');
    }
  }

  array(): void {
    this.skipSpace();
    if (this.text.charCodeAt(this.i) === 0x5d) { this.i++; return; }
    for (;;) {
      this.value();
      this.skipSpace();
      const c = this.text.charCodeAt(this.i);
      if (c === 0x2c) { this.i++; continue; }
      if (c === 0x5d) { this.i++; return; }
      this.fail('after array element');
    }
  }

  string(): void {
    const t = this.text;
    this.i++;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c === 0x22) { this.i++; return; }
      if (c < 0x20) this.fail('in string literal');
      if (c === 0x5c) {
        this.i++;
        const e = t.charCodeAt(this.i);
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            this.i++;
            if (!/[0-9a-fA-F]/.test(t[this.i] ?? '')) this.fail('in \\u hexadecimal character escape');
          }
        } else if (!'bfnrt\\/"'.includes(t[this.i] ?? 'x')) {
          this.fail('in string escape code');
        }
      }
      this.i++;
    }
    this.fail('in string literal');
  }

  digits(): number {
    const start = this.i;
    while (this.i < this.text.length && this.text.charCodeAt(this.i) >= 0x30 && this.text.charCodeAt(this.i) <= 0x39) this.i++;
    return this.i - start;
  }

  number(): void {
    const t = this.text;
    if (t.charCodeAt(this.i) === 0x2d) {
      this.i++;
      const c = t.charCodeAt(this.i);
      if (!(c >= 0x30 && c <= 0x39)) this.fail('in numeric literal');
    }
    if (t.charCodeAt(this.i) === 0x30) this.i++; else this.digits();
    if (t.charCodeAt(this.i) === 0x2e) {
      this.i++;
      if (this.digits() === 0) this.fail('after decimal point in numeric literal');
    }
    const e = t.charCodeAt(this.i);
    if (e === 0x65 || e === 0x45) {
      this.i++;
      const sign = t.charCodeAt(this.i);
      if (sign === 0x2b || sign === 0x2d) this.i++;
      if (this.digits() === 0) this.fail('in exponent of numeric literal');
    }
  }

  literal(word: string): void {
    for (let k = 1; k < word.length; k++) {
      this.i++;
      if (this.text[this.i] !== word[k]) this.fail(`in literal ${word} (expecting '${word[k]}')`);
    }
    this.i++;
  }
}

/**
 * Scans `text` as Go's json.Unmarshal checks its input and returns the first syntax error,
 * or null when the text is one valid JSON value (surrounded by optional whitespace).
 */
export function findJsonSyntaxError(text: string): GoSyntaxError | null {
  const s = new Scanner(text);
  try {
    s.value();
    s.skipSpace();
    if (s.i < text.length) s.fail('after top-level value');
    return null;
  } catch (err) {
    if (err instanceof RangeError) return { message: 'exceeded max depth', offset: s.i };
    if (err && typeof err === 'object' && 'message' in err && 'offset' in err && !(err instanceof Error)) return err as GoSyntaxError;
    throw err;
  }
}
