import { badRequest, invalid } from '../errors/status-error.ts';
import type { DeletePreconditions } from '../rest/interfaces.ts';

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
 * Parses a DELETE body (empty: no options) into typed DeleteOptions, as Go's json decoding of
 * metav1.DeleteOptions refuses wrong types: 400 BadRequest `json: cannot unmarshal <json type>
 * into Go struct field DeleteOptions.<field> of type <Go type>`; dryRun values other than "All"
 * and an unknown propagationPolicy answer 422 Invalid as kube-apiserver words them.
 */
export function parseDeleteOptionsBody(text: string, queryPolicy: string | null): DeleteOptionsBody {
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
  const dryRun = options.dryRun as string[] | null | undefined;
  if (dryRun?.some((v) => v !== 'All')) {
    throw invalid('DeleteOptions', 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'dryRun', detail: `Unsupported value: [${dryRun.map((v) => JSON.stringify(v)).join(' ')}]: supported values: "All"` }]);
  }
  const policy = queryPolicy ?? (options.propagationPolicy as string | null | undefined) ?? undefined;
  if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw invalid('DeleteOptions', 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'propagationPolicy', detail: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"` }]);
  }
  return {
    preconditions: (options.preconditions ?? undefined) as DeletePreconditions | undefined,
    propagationPolicy: policy,
    dryRun: dryRun ?? undefined,
    gracePeriodSeconds: (options.gracePeriodSeconds ?? undefined) as number | undefined,
    orphanDependents: (options.orphanDependents ?? undefined) as boolean | undefined,
  };
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
