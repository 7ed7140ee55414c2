/** The deepest nesting of JSON objects and arrays extapi accepts in a body. */
export const MAX_JSON_DEPTH = 1000;

/**
 * The nesting depth of a JSON text, scanned without recursion (strings and escapes skipped), so
 * that absurdly deep bodies are refused before any recursive code sees them.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) { depth++; if (depth > max) max = depth; }
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}
