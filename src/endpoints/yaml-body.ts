import { isMap, isScalar, isSeq, LineCounter, parse, parseDocument } from 'yaml';

/**
 * Parses a YAML request body into plain JSON values, as sigs.k8s.io/yaml's YAMLToJSON reads it
 * for kube-apiserver: `!!binary` becomes the decoded bytes as a string, `!!set` a mapping to
 * nulls, `!!omap` a mapping, `!!timestamp` an RFC 3339 string; `.inf`/`.nan` cannot be JSON and
 * throw ("json: unsupported value"). Aliases are bounded by the parser (100). Parser warnings
 * are not logged: they would copy client input into the server log. Throws on malformed YAML.
 */
export function parseYamlBody(text: string): unknown {
  return toJsonValue(parse(text, { logLevel: 'error', maxAliasCount: 100 }));
}

/**
 * Parses an apply body as kube-apiserver's applyPatcher does: duplicate keys are accepted, the
 * last one winning (sigs.k8s.io/yaml's Unmarshal); `duplicates` lists them as its UnmarshalStrict
 * reports them (`line N: key "x" already set in map`, 1-based lines, in document order).
 * Throws on malformed YAML.
 */
export function parseYamlBodyAllowingDuplicates(text: string): { value: unknown; duplicates: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { logLevel: 'error', uniqueKeys: false, lineCounter });
  if (doc.errors.length > 0) throw doc.errors[0];
  const duplicates: string[] = [];
  const walk = (node: unknown): void => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key : undefined;
        const name = key ? String(key.value) : String(pair.key);
        if (seen.has(name) && key?.range) {
          duplicates.push(`line ${lineCounter.linePos(key.range[0]).line}: key ${typeof key.value === 'string' ? JSON.stringify(name) : name} already set in map`);
        }
        seen.add(name);
        walk(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) walk(item);
    }
  };
  walk(doc.contents);
  return { value: toJsonValue(doc.toJS({ maxAliasCount: 100 })), duplicates };
}

function toJsonValue(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`json: unsupported value: ${value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN'}`);
    return value;
  }
  if (typeof value === 'bigint') return Number(value);
  if (value === undefined) return null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (value instanceof Date) return value.toISOString().replace('.000Z', 'Z');
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Set) return Object.fromEntries([...value].map((k) => [String(k), null]));
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v)]));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
  return String(value);
}
