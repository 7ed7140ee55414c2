/** kube-apiserver's warning recorder: beyond 4096 runes in total, each warning is cut to 256 runes. */
const TRUNCATE_AT_TOTAL_RUNES = 4 * 1024;
const TRUNCATE_ITEM_RUNES = 256;

/** C0, DEL and C1 controls: Go's unicode.IsControl, which NewWarningHeader refuses. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A UTF-16 surrogate without its partner: not valid UTF-8 once encoded. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The `Warning` header values for `texts`, as k8s.io/apiserver's warning recorder writes them:
 * empty and repeated texts dropped, a text with a control character or invalid UTF-8 dropped
 * (NewWarningHeader refuses it), each `299 - "text"` with `"` and `\` escaped, and past 4096
 * runes in total every text cut to 256 runes (further ones dropped once that limit is reached
 * again). The values carry the text's UTF-8 bytes one per character (latin1), so that Node
 * writes exactly the bytes Go writes and no character can make setting the header throw.
 */
export function warningHeaderValues(texts: readonly string[]): string[] {
  const accepted = [...new Set(texts)].filter((t) => t.length > 0 && !CONTROL.test(t) && !LONE_SURROGATE.test(t));
  const runes = accepted.map((t) => [...t]);
  const total = runes.reduce((sum, r) => sum + r.length, 0);
  if (total <= TRUNCATE_AT_TOTAL_RUNES) return accepted.map(formatWarning);
  const values: string[] = [];
  let written = 0;
  for (const r of runes) {
    if (written >= TRUNCATE_AT_TOTAL_RUNES) break;
    const cut = r.slice(0, TRUNCATE_ITEM_RUNES);
    written += cut.length;
    values.push(formatWarning(cut.join('')));
  }
  return values;
}

/** One warning as `299 - "text"` (Go's makeQuotedString), UTF-8 bytes as latin1 characters. */
function formatWarning(text: string): string {
  const quoted = `299 - "${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return Buffer.from(quoted, 'utf8').toString('latin1');
}
