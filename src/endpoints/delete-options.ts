import { badRequest, invalid, type FieldError } from '../errors/status-error.ts';
import type { DeletePreconditions, DeleteRequest } from '../rest/interfaces.ts';

/** The fields of a DeleteOptions body this server reads, type-checked. */
export interface DeleteOptionsBody {
  preconditions?: DeletePreconditions;
  propagationPolicy?: string;
  dryRun?: string[];
  gracePeriodSeconds?: number;
  orphanDependents?: boolean;
}

type GoType = 'string' | '[]string' | 'int64' | 'bool' | 'object';

const FIELDS: Record<string, { goName: string; type: GoType }> = {
  propagationPolicy: { goName: 'propagationPolicy', type: 'string' },
  dryRun: { goName: 'dryRun', type: '[]string' },
  gracePeriodSeconds: { goName: 'gracePeriodSeconds', type: 'int64' },
  orphanDependents: { goName: 'orphanDependents', type: 'bool' },
  preconditions: { goName: 'preconditions', type: 'object' },
};

/**
 * Parses a DELETE body (empty: no options) and the query's `propagationPolicy`,
 * `orphanDependents` and `gracePeriodSeconds` (which win over the body's, as kube's parameter
 * codec decodes them onto it) into typed DeleteOptions. Wrong JSON types answer 400 BadRequest
 * `json: cannot unmarshal <json type> into Go struct field DeleteOptions.<field> of type <Go
 * type>`; a query value that is not a bool/integer 400 with strconv's words; then
 * ValidateDeleteOptions as kube-apiserver: orphanDependents together with propagationPolicy, an
 * unknown propagationPolicy and dryRun values other than "All" answer one 422 Invalid.
 */
export function parseDeleteOptionsBody(text: string, query: URLSearchParams): DeleteOptionsBody {
  let options: Record<string, unknown> = {};
  if (text.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest(`json: cannot unmarshal ${jsonType(parsed)} into Go value of type v1.DeleteOptions`);
    options = parsed as Record<string, unknown>;
  }
  for (const [field, spec] of Object.entries(FIELDS)) checkType(options, field, spec.goName, spec.type);
  checkPreconditions(options.preconditions);
  const parsed: DeleteOptionsBody = {
    preconditions: (options.preconditions ?? undefined) as DeletePreconditions | undefined,
    propagationPolicy: query.get('propagationPolicy') ?? (options.propagationPolicy as string | null | undefined) ?? undefined,
    dryRun: (options.dryRun as string[] | null | undefined) ?? undefined,
    gracePeriodSeconds: queryInt(query, 'gracePeriodSeconds') ?? (options.gracePeriodSeconds as number | null | undefined) ?? undefined,
    orphanDependents: queryBool(query, 'orphanDependents') ?? (options.orphanDependents as boolean | null | undefined) ?? undefined,
  };
  validateDeleteOptions(parsed);
  return parsed;
}

/** kube's ValidateDeleteOptions, errors in its order, as one 422 Invalid of DeleteOptions.meta.k8s.io. */
function validateDeleteOptions(options: DeleteOptionsBody): void {
  const errors: FieldError[] = [];
  const policy = options.propagationPolicy;
  if (options.orphanDependents !== undefined && policy !== undefined) {
    errors.push({ type: 'FieldValueInvalid', field: 'propagationPolicy', detail: `Invalid value: "${policy}": orphanDependents and deletionPropagation cannot be both set` });
  }
  if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    errors.push({ type: 'FieldValueNotSupported', field: 'propagationPolicy', detail: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"` });
  }
  const dryRun = options.dryRun;
  if (dryRun?.some((v) => v !== 'All')) {
    errors.push({ type: 'FieldValueNotSupported', field: 'dryRun', detail: `Unsupported value: [${dryRun.map((v) => JSON.stringify(v)).join(' ')}]: supported values: "All"` });
  }
  if (errors.length > 0) throw invalid('DeleteOptions', 'meta.k8s.io', '', errors);
}

/** The DeleteRequest a store acts on (validated options). */
export function toDeleteRequest(options: DeleteOptionsBody): DeleteRequest {
  return {
    preconditions: options.preconditions,
    propagationPolicy: options.propagationPolicy as DeleteRequest['propagationPolicy'],
    orphanDependents: options.orphanDependents,
    gracePeriodSeconds: options.gracePeriodSeconds,
  };
}

function queryBool(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const parsed = ({ 1: true, t: true, T: true, TRUE: true, true: true, True: true, 0: false, f: false, F: false, FALSE: false, false: false, False: false } as Record<string, boolean>)[value];
  if (parsed === undefined) throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
  return parsed;
}

function queryInt(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  return Number(value);
}

function checkType(options: Record<string, unknown>, field: string, goName: string, type: GoType, struct = 'DeleteOptions'): void {
  const value = options[field];
  if (value === undefined || value === null || matches(value, type)) return;
  const shown = type === '[]string' && Array.isArray(value) ? jsonType(value.find((v) => typeof v !== 'string')) : jsonType(value);
  const goType = type === '[]string' && Array.isArray(value) ? 'string' : type === 'object' ? `v1.Preconditions` : type;
  throw badRequest(`json: cannot unmarshal ${shown} into Go struct field ${struct}.${goName} of type ${goType}`);
}

function matches(value: unknown, type: GoType): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case '[]string': return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'int64': return typeof value === 'number' && Number.isSafeInteger(value);
    case 'bool': return typeof value === 'boolean';
    case 'object': return typeof value === 'object' && !Array.isArray(value);
  }
}

function checkPreconditions(value: unknown): void {
  if (value === undefined || value === null) return;
  const pre = value as Record<string, unknown>;
  checkType(pre, 'uid', 'uid', 'string', 'DeleteOptions.preconditions');
  checkType(pre, 'resourceVersion', 'resourceVersion', 'string', 'DeleteOptions.preconditions');
}

/** Go's encoding/json name of a JSON value's type. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}
