/**
 * The JSON types of ObjectMeta, checked the way Go's decoder checks them when kube-apiserver
 * decodes a body into a typed object: a wrong type is a 400, worded as
 * `json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string`.
 */

type Expected = 'string' | 'int64' | 'map[string]string' | '[]string' | '[]v1.OwnerReference' | '[]v1.ManagedFieldsEntry' | 'v1.Time';

const OBJECT_META_TYPES: Record<string, Expected> = {
  name: 'string', generateName: 'string', namespace: 'string', selfLink: 'string', uid: 'string', resourceVersion: 'string',
  generation: 'int64', creationTimestamp: 'v1.Time', deletionTimestamp: 'v1.Time', deletionGracePeriodSeconds: 'int64',
  labels: 'map[string]string', annotations: 'map[string]string', finalizers: '[]string',
  ownerReferences: '[]v1.OwnerReference', managedFields: '[]v1.ManagedFieldsEntry',
};

const OWNER_REFERENCE_TYPES: Record<string, 'string' | 'bool'> = {
  apiVersion: 'string', kind: 'string', name: 'string', uid: 'string', controller: 'bool', blockOwnerDeletion: 'bool',
};

/** Go's name for the JSON type of `value`, as its decoder reports it. */
function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

function mismatch(value: unknown, field: string, type: string): string {
  return `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ${field} of type ${type}`;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function checkValue(value: unknown, expected: Expected, field: string): string | null {
  if (value === null) return null;
  switch (expected) {
    case 'string': return typeof value === 'string' ? null : mismatch(value, field, 'string');
    case 'int64': return typeof value === 'number' && Number.isInteger(value) ? null : mismatch(value, field, 'int64');
    case 'v1.Time':
      if (typeof value !== 'string') return mismatch(value, field, 'v1.Time');
      return RFC3339.test(value) ? null : `parsing time "${value}" as "2006-01-02T15:04:05Z07:00": cannot parse "${value}" as "2006"`;
    case 'map[string]string': {
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch(value, field, 'map[string]string');
      const bad = Object.values(value as object).find((v) => typeof v !== 'string' && v !== null);
      return bad === undefined ? null : mismatch(bad, field, 'string');
    }
    case '[]string': {
      if (!Array.isArray(value)) return mismatch(value, field, '[]string');
      const bad = value.find((v) => typeof v !== 'string');
      return bad === undefined ? null : mismatch(bad, field, 'string');
    }
    case '[]v1.OwnerReference': return checkOwnerReferences(value, field);
    case '[]v1.ManagedFieldsEntry': {
      if (!Array.isArray(value)) return mismatch(value, field, '[]v1.ManagedFieldsEntry');
      const bad = value.find((v) => v === null || typeof v !== 'object' || Array.isArray(v));
      return bad === undefined ? null : mismatch(bad, field, 'v1.ManagedFieldsEntry');
    }
  }
}

function checkOwnerReferences(value: unknown, field: string): string | null {
  if (!Array.isArray(value)) return mismatch(value, field, '[]v1.OwnerReference');
  for (const ref of value) {
    if (ref === null || typeof ref !== 'object' || Array.isArray(ref)) return mismatch(ref, field, 'v1.OwnerReference');
    for (const [key, type] of Object.entries(OWNER_REFERENCE_TYPES)) {
      const v = (ref as Record<string, unknown>)[key];
      if (v !== undefined && v !== null && jsonTypeName(v) !== type) return mismatch(v, `OwnerReference.${field}.${key}`, type);
    }
  }
  return null;
}

/**
 * The first type error of `metadata` (an ObjectMeta as parsed from JSON), or null when every
 * field has its Go type. A non-object metadata is itself an error.
 */
export function objectMetaTypeError(metadata: unknown): string | null {
  if (metadata === undefined || metadata === null) return null;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) return mismatch(metadata, 'metadata', 'v1.ObjectMeta');
  for (const [key, expected] of Object.entries(OBJECT_META_TYPES)) {
    const value = (metadata as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const error = checkValue(value, expected, `ObjectMeta.metadata.${key}`);
    if (error) return error;
  }
  return null;
}
