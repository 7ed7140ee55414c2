import type { KubeObject } from '../apimachinery/types.ts';
import { badRequest, invalid, StatusError, type FieldError } from '../errors/status-error.ts';
import type { Resource } from '../resource/define-resource.ts';
import type { ListOptions } from '../storage/interface.ts';
import { parseLabelSelector } from '../apimachinery/selectors/labels.ts';
import { matchesFieldSelector, parseFieldSelector } from '../apimachinery/selectors/fields.ts';
import { SelectorParseError } from '../apimachinery/selectors/selector-error.ts';
import { readJsonPath } from './table.ts';

/** The list/watch query of a request, validated as kube-apiserver validates ListOptions. */
export interface ParsedListQuery {
  storage: ListOptions;
  /** The resourceVersion as given ('' when absent). */
  resourceVersion: string;
  watch: boolean;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

/**
 * Parses labelSelector, fieldSelector, limit, continue, resourceVersion, resourceVersionMatch,
 * timeoutSeconds, allowWatchBookmarks and sendInitialEvents. Malformed selectors answer 400 with
 * the parser's message; inconsistent combinations answer 422 Invalid (kind ListOptions).
 */
export function parseListQuery(query: URLSearchParams, resource: Resource, namespace: string | undefined, watch: boolean): ParsedListQuery {
  const rv = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  const cont = query.get('continue') ?? '';
  const limit = Math.min(parseNonNegativeInt(query.get('limit'), 'limit'), MAX_EFFECTIVE_LIMIT);
  const sendInitialEvents = parseBool(query.get('sendInitialEvents'));
  validateListCombination({ rv, match, cont, watch, sendInitialEvents });
  if (rv) parseRevision(rv);
  const filter = buildPredicate(query, resource, namespace);
  const storage: ListOptions = filter ? { predicate: filter } : {};
  if (!watch) {
    if (limit) storage.limit = limit;
    if (cont) storage.continue = cont;
    if (rv === '0' && match !== 'Exact') storage.match = 'Any';
    else if (rv) {
      storage.resourceVersion = parseRevision(rv);
      storage.match = match === 'Exact' || (match === '' && limit > 0 && !cont) ? 'Exact' : 'NotOlderThan';
    }
  }
  const timeout = Math.min(parseNonNegativeInt(query.get('timeoutSeconds'), 'timeoutSeconds'), MAX_TIMEOUT_SECONDS);
  return {
    storage, resourceVersion: rv, watch,
    allowWatchBookmarks: parseBool(query.get('allowWatchBookmarks')) ?? false,
    sendInitialEvents, timeoutSeconds: timeout > 0 ? timeout : undefined,
  };
}

/** Parses a resourceVersion string; a non-number answers 400 as kube-apiserver does. */
export function parseRevision(rv: string): number {
  if (!/^\d+$/.test(rv) || BigInt(rv) > MAX_UINT64) throw badRequest(`invalid resource version: "${rv}"`);
  return Number(rv);
}

/**
 * kube-apiserver's "Timeout: Too large resource version: N, current: M" names N as the client sent it (a
 * uint64). Storage holds revisions as JS numbers, exact only up to 2^53, and a revision that
 * large is always ahead of ours: the message gets the client's own digits back.
 */
export function withRequestedRevision(err: unknown, rv: string): unknown {
  if (!(err instanceof StatusError) || err.code !== 504 || !/^\d+$/.test(rv) || BigInt(rv) <= BigInt(Number.MAX_SAFE_INTEGER)) return err;
  const m = /^Timeout: Too large resource version: \d+(, current: \d+)$/.exec(err.message);
  return m ? new StatusError(504, 'Timeout', `Timeout: Too large resource version: ${BigInt(rv)}${m[1]}`, err.details) : err;
}

/** A resourceVersion is a uint64, as kube-apiserver parses it. */
const MAX_UINT64 = 2n ** 64n - 1n;
/** Go's int64 range, which limit and timeoutSeconds are parsed into. */
const MAX_INT64 = 2n ** 63n - 1n;
/** The largest limit passed on: more than any list holds, and exact in every backend. */
const MAX_EFFECTIVE_LIMIT = 2 ** 31 - 1;
/** The longest watch timeout a timer can hold (2^31-1 ms, about 24.8 days); longer ones are cut to it. */
const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

function validateListCombination(q: { rv: string; match: string; cont: string; watch: boolean; sendInitialEvents?: boolean }): void {
  const errors: FieldError[] = q.watch ? watchOptionErrors(q) : listOptionErrors(q);
  if (errors.length > 0) throw invalid('ListOptions', 'meta.k8s.io', '', errors);
  if (!q.watch && q.cont && q.rv && q.rv !== '0') throw badRequest('specifying resource version is not allowed when using continue');
}

const forbid = (field: string, why: string): FieldError => ({ type: 'FieldValueForbidden', field, detail: `Forbidden: ${why}` });
const unsupported = (field: string, value: string, supported: string[]): FieldError =>
  ({ type: 'FieldValueNotSupported', field, detail: `Unsupported value: "${value}": supported values: ${supported.map((v) => `"${v}"`).join(', ')}` });

/** ValidateListOptions for a list, as k8s.io/apiserver words each error. */
function listOptionErrors(q: { rv: string; match: string; cont: string; sendInitialEvents?: boolean }): FieldError[] {
  const errors: FieldError[] = [];
  if (q.match) {
    if (!q.rv) errors.push(forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (q.cont) errors.push(forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (q.match !== 'Exact' && q.match !== 'NotOlderThan') errors.push(unsupported('resourceVersionMatch', q.match, ['Exact', 'NotOlderThan', '']));
    if (q.match === 'Exact' && q.rv === '0') errors.push(forbid('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (q.sendInitialEvents !== undefined) errors.push(forbid('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return errors;
}

/** ValidateListOptions for a watch. */
function watchOptionErrors(q: { match: string; cont: string; sendInitialEvents?: boolean }): FieldError[] {
  const errors: FieldError[] = [];
  if (q.sendInitialEvents !== undefined && q.match !== 'NotOlderThan') {
    errors.push(forbid('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
  }
  if (q.match) {
    if (q.sendInitialEvents === undefined) errors.push(forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    if (q.match !== 'NotOlderThan') errors.push(unsupported('resourceVersionMatch', q.match, ['NotOlderThan']));
    if (q.cont) errors.push(forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
  }
  return errors;
}

function buildPredicate(query: URLSearchParams, resource: Resource, namespace: string | undefined): ((obj: KubeObject) => boolean) | null {
  const labelText = query.get('labelSelector') ?? '';
  const fieldText = query.get('fieldSelector') ?? '';
  try {
    const labels = labelText ? parseLabelSelector(labelText) : null;
    const fields = fieldText ? parseFieldSelector(fieldText) : null;
    if (fields) checkSelectableFields(fields.requirements.map((r) => r.field), ['metadata.name', 'metadata.namespace', ...resource.selectableFields]);
    const matchLabels = labels && !labels.empty ? labels.matches : null;
    const matchFields = fields && !fields.empty ? fields : null;
    if (!matchLabels && !matchFields) return null;
    return (obj) => (!matchLabels || matchLabels(obj.metadata.labels))
      && (!matchFields || matchesFieldSelector(matchFields, obj, (o, path) => fieldValue(o, path, namespace)));
  } catch (err) {
    if (err instanceof SelectorParseError) throw badRequest(err.message);
    throw err;
  }
}

/** kube-apiserver's words for a field selector on a field the resource does not offer. */
function checkSelectableFields(fields: string[], selectable: string[]): void {
  const unknown = fields.find((f) => !selectable.includes(f));
  if (unknown !== undefined) {
    throw badRequest(`"${unknown}" is not a known field selector: only ${selectable.map((f) => `"${f}"`).join(', ')}`);
  }
}

function fieldValue(obj: KubeObject, path: string, _namespace: string | undefined): string {
  const value = readJsonPath(obj, path);
  return value === undefined || value === null ? '' : String(value);
}

/** An int64 query value (Go's strconv.ParseInt: optional sign, in range); negative counts as 0. */
function parseNonNegativeInt(value: string | null, name: string): number {
  if (value === null || value === '') return 0;
  if (!/^[+-]?\d+$/.test(value) || BigInt(value) > MAX_INT64 || BigInt(value) < -MAX_INT64 - 1n) throw badRequest(`${name}: invalid value "${value}": must be an integer`);
  const n = Number(value);
  return n < 0 ? 0 : n;
}

function parseBool(value: string | null): boolean | undefined {
  if (value === null || value === '') return undefined;
  return value === 'true' || value === '1';
}
