/**
 * Normalising what two servers answer so that only meaningful differences remain: uids,
 * timestamps, resourceVersions, continue tokens, generated name suffixes, managedFields times and
 * Table ages are replaced by placeholders (their presence still counts).
 */

const TIME_KEYS = new Set(['creationTimestamp', 'deletionTimestamp', 'time', 'lastTransitionTime', 'startTime']);

/** Placeholders used by {@link normalize}. */
export const PLACEHOLDER = { uid: '<uid>', time: '<time>', rv: '<rv>', cont: '<continue>', age: '<age>', suffix: '<suffix>' } as const;

/** Normalises one value (object, list, Status, Table, watch event) recursively; returns a copy. */
export function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = normalizeField(k, v, obj);
  if (obj.kind === 'Table' && Array.isArray(obj.rows)) out.rows = normalizeTableRows(obj);
  return out;
}

function normalizeField(key: string, v: unknown, parent: Record<string, unknown>): unknown {
  if (typeof v === 'string' && v !== '') {
    if (key === 'uid') return PLACEHOLDER.uid;
    if (TIME_KEYS.has(key)) return PLACEHOLDER.time;
    if (key === 'resourceVersion') return PLACEHOLDER.rv;
    if (key === 'continue') return PLACEHOLDER.cont;
    if (key === 'name' && typeof parent.generateName === 'string' && v.startsWith(parent.generateName)) return parent.generateName + PLACEHOLDER.suffix;
    if (key === 'message') return normalizeMessage(v);
  }
  return normalize(v);
}

/** Resource versions and ages inside human-readable messages. */
export function normalizeMessage(message: string): string {
  return message
    .replace(/too old resource version: \d+ \(\d+\)/g, 'too old resource version: <rv> (<rv>)')
    .replace(/resourceVersion(["\s:=]+)\d+/g, 'resourceVersion$1<rv>')
    .replace(/(ResourceVersion in (?:record|the precondition) \()\d+\)/g, '$1<rv>)')
    .replace(/(ResourceVersion in (?:precondition|object meta): )\d+/g, '$1<rv>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, PLACEHOLDER.uid);
}

function normalizeTableRows(table: Record<string, unknown>): unknown[] {
  const columns = (table.columnDefinitions as Array<{ format?: string; type?: string; name?: string }> | undefined) ?? [];
  const ageLike = columns.map((c) => c.format === 'date-time' || c.type === 'date' || /^(age|created at)$/i.test(c.name ?? ''));
  return (table.rows as Array<Record<string, unknown>>).map((row) => ({
    ...(normalize(row) as Record<string, unknown>),
    cells: Array.isArray(row.cells) ? row.cells.map((c, i) => (ageLike[i] ? PLACEHOLDER.age : normalize(c))) : row.cells,
  }));
}

/** Times (RFC 3339) and ages (`5s`, `2m3s`) in kubectl's output → `<time>`, `<age>`. */
export function normalizeKubectlText(text: string): string {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, PLACEHOLDER.time).replace(/(^|\s)(\d+[smhd])+(?=\s|$)/gm, `$1${PLACEHOLDER.age}`).replace(/[ \t]+\n/g, '\n');
}

/** One difference between two normalised values, at a JSON path like `body.items[name=a].spec`. */
export interface ValueDifference {
  path: string;
  go: unknown;
  ts: unknown;
}

/** Keys that identify array elements, so arrays compare by identity, not by index. */
const IDENTITY_KEYS = ['name', 'resource', 'version', 'subresource', 'type', 'field'];

function identityKey(items: unknown[]): string | undefined {
  if (items.length === 0) return undefined;
  return IDENTITY_KEYS.find((k) => {
    const values = items.map((i) => (i && typeof i === 'object' && !Array.isArray(i) ? (i as Record<string, unknown>)[k] : undefined));
    return values.every((v) => typeof v === 'string') && new Set(values).size === values.length;
  });
}

/** Lists where `go` and `ts` differ (leaves only; a side missing is reported once at its path). */
export function diffValues(go: unknown, ts: unknown, path = ''): ValueDifference[] {
  if (Object.is(go, ts)) return [];
  if (Array.isArray(go) && Array.isArray(ts)) return diffArrays(go, ts, path);
  if (isPlain(go) && isPlain(ts)) {
    const keys = [...new Set([...Object.keys(go), ...Object.keys(ts)])].sort();
    return keys.flatMap((k) => diffValues(go[k], ts[k], path ? `${path}.${k}` : k));
  }
  return [{ path, go, ts }];
}

function diffArrays(go: unknown[], ts: unknown[], path: string): ValueDifference[] {
  const key = identityKey(go) ?? identityKey(ts);
  if (key && (go.length === 0 || identityKey(go) === key) && (ts.length === 0 || identityKey(ts) === key)) {
    const byKey = (items: unknown[]) => new Map(items.map((i) => [(i as Record<string, string>)[key], i]));
    const g = byKey(go);
    const t = byKey(ts);
    const order = [...new Set([...g.keys(), ...t.keys()])];
    return order.flatMap((k) => diffValues(g.get(k), t.get(k), `${path}[${key}=${k}]`));
  }
  const n = Math.max(go.length, ts.length);
  const out: ValueDifference[] = [];
  for (let i = 0; i < n; i++) out.push(...diffValues(go[i], ts[i], `${path}[${i}]`));
  return out;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

const INVALID_VALUE = /Invalid value: ("(?:[^"\\]|\\.)*")/;

/**
 * A 422 whose message embeds a whole object as JSON (a strict patch: `patch: Invalid value:
 * "{...}": strict decoding error: ...`): the JSON is cut out of the message and its cause
 * (`<object>`) and returned parsed as `object`, so that it compares as an object (normalised,
 * key order aside) instead of as one opaque string.
 */
export function withEmbeddedObject(body: any): unknown {
  const quoted = typeof body?.message === 'string' ? INVALID_VALUE.exec(body.message)?.[1] : undefined;
  if (!quoted) return body;
  const cut = (m: unknown) => (typeof m === 'string' ? m.replace(quoted, '<object>') : m);
  const causes = body.details?.causes?.map((c: any) => ({ ...c, message: cut(c.message) }));
  return { ...body, message: cut(body.message), ...(causes ? { details: { ...body.details, causes } } : {}), object: JSON.parse(JSON.parse(quoted)) };
}
