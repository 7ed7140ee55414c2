/**
 * Drops the fields of a `metadata` object that metav1.ObjectMeta does not have, reporting them
 * as kube-apiserver's strict decoding does (`metadata.foo`, `metadata.ownerReferences[0].bar`).
 */

const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);
const OWNER_REFERENCE_FIELDS = new Set(['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion']);
const MANAGED_FIELDS_ENTRY_FIELDS = new Set(['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NESTED_LISTS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['ownerReferences', OWNER_REFERENCE_FIELDS], ['managedFields', MANAGED_FIELDS_ENTRY_FIELDS],
]);

function pruneStruct(obj: Record<string, unknown>, known: ReadonlySet<string>, path: string, out: string[], nested?: typeof NESTED_LISTS): void {
  for (const k of Object.keys(obj)) {
    if (!known.has(k)) {
      out.push(`${path}.${k}`);
      delete obj[k];
      continue;
    }
    const itemFields = nested?.get(k);
    const list = obj[k];
    if (itemFields === undefined || !Array.isArray(list)) continue;
    list.forEach((item, i) => {
      if (isPlainObject(item)) pruneStruct(item, itemFields, `${path}.${k}[${i}]`, out);
    });
  }
}

/**
 * Removes unknown fields from `metadata` in place (matching is case-sensitive, as Kubernetes'
 * strict decoding) and returns their paths in document order, each under `fieldPath`
 * (default `metadata`). Wrongly typed metadata is left alone. The caller reports the paths as
 * `unknown field "metadata.foo"` under fieldValidation=Warn/Strict; kube-apiserver lists them
 * before the schema's unknown fields.
 */
export function pruneObjectMeta(metadata: unknown, fieldPath = 'metadata'): string[] {
  const out: string[] = [];
  if (!isPlainObject(metadata)) return out;
  pruneStruct(metadata, OBJECT_META_FIELDS, fieldPath, out, NESTED_LISTS);
  return out;
}
