/**
 * Go's way of printing values, as kube-apiserver's error messages show them: `strconv.Quote`
 * (`%q`), `%v` of a float64, and `encoding/json.Marshal` (sorted map keys, HTML-safe escapes).
 * Field errors render their bad value with {@link formatBadValue}, exactly as
 * `field.Error.ErrorBody()` does.
 */

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;
const SIMPLE_ASCII = /^[\x20-\x7e]*$/;
const TWO_POW_63 = 9223372036854775808;

/** True when Go's `unicode.IsPrint` holds for the code point (letters, marks, numbers, punctuation, symbols, ASCII space). */
export function isGoPrintable(cp: number): boolean {
  if (cp === 0x20) return true;
  if (cp < 0x20 || cp === 0x7f) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function quoteRune(cp: number, quote: number): string {
  if (cp === quote || cp === 0x5c) return '\\' + String.fromCharCode(cp);
  switch (cp) {
    case 0x07: return '\\a';
    case 0x08: return '\\b';
    case 0x0c: return '\\f';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x0b: return '\\v';
  }
  if (cp >= 0xd800 && cp <= 0xdfff) return '\ufffd'; // a lone surrogate: Go would hold U+FFFD
  if (isGoPrintable(cp)) return String.fromCodePoint(cp);
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  if (cp < 0x10000) return '\\u' + hex(cp, 4);
  return '\\U' + hex(cp, 8);
}

function quoteWith(s: string, quote: number): string {
  let out = '';
  for (const ch of s) out += quoteRune(ch.codePointAt(0) as number, quote);
  return out;
}

/** Go's `strconv.Quote(s)` (what `%q` prints): `"a\"b"`, `"\x01"`, `"é"`. */
export function goQuote(s: string): string {
  if (SIMPLE_ASCII.test(s) && !s.includes('"') && !s.includes('\\')) return `"${s}"`;
  return `"${quoteWith(s, 0x22)}"`;
}

/** Go's quoting of one character in single quotes, as `encoding/json` errors show it: `'x'`, `'\n'`, `'\''`. */
export function goQuoteChar(ch: string): string {
  return `'${quoteWith(ch, 0x27)}'`;
}

/** True when a JSON number would decode to int64 in Kubernetes' unstructured JSON (integral and in range). */
export function isGoInt(n: number): boolean {
  return Number.isInteger(n) && n >= -TWO_POW_63 && n < TWO_POW_63;
}

/**
 * Go's `%v` of a float64 (`%g` with the shortest digits): exponent form (`1e+06`, `1.5e-05`)
 * when the decimal exponent is below -4 or at least 6, plain digits otherwise.
 */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, expPart] = f.toExponential().split('e');
  const exp = Number(expPart);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(f);
}

/** Go's `%v` of a number decoded from JSON: int64 when integral, else float64. */
export function goNumber(n: number): string {
  return isGoInt(n) ? BigInt(n).toString() : goFloat(n);
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f',
  '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029',
};

/** A JSON string literal as Go's `encoding/json` writes it (HTML-safe: `<` is `\u003c`). */
export function goJsonString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return '"' + s.replace(/["\\<>&\u2028\u2029\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    const known = JSON_ESCAPES[c];
    if (known) return known;
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) return '\\ufffd';
    return '\\u' + hex(code, 4);
  }) + '"';
}

/** A value whose Go JSON form is already known (e.g. a typed struct in field order); {@link goJson} prints it verbatim. */
export class GoRawJson {
  /** The exact JSON text Go would marshal. */
  readonly json: string;
  constructor(json: string) {
    this.json = json;
  }
}

/**
 * Go's `json.Marshal` of a JSON-like value: map keys sorted, HTML-safe string escapes,
 * numbers as Go writes float64/int64. `undefined` members are skipped like absent keys.
 */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string': return goJsonString(value);
    case 'number': return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean': return value ? 'true' : 'false';
    case 'bigint': return value.toString();
    case 'object': break;
    default: return 'null';
  }
  if (value instanceof GoRawJson) return value.json;
  if (Array.isArray(value)) return '[' + value.map((v) => goJson(v)).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort(compareBytes);
  return '{' + keys.map((k) => goJsonString(k) + ':' + goJson(obj[k])).join(',') + '}';
}

/** Byte-wise (UTF-8) string order, as Go's `sort.Strings`. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : 1;
}

/**
 * A bad value as `field.Error.ErrorBody()` prints it: strings quoted (`%q`), numbers and
 * booleans plain (`%v`), anything else (objects, arrays, null) as Go JSON.
 */
export function formatBadValue(value: unknown): string {
  switch (typeof value) {
    case 'string': return goQuote(value);
    case 'number': return goNumber(value);
    case 'boolean': return String(value);
    default: return goJson(value);
  }
}

/** The length of `s` in UTF-8 bytes (Go's `len(string)`). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { n += 2; i++; }
    else n += 2;
  }
  return n;
}
