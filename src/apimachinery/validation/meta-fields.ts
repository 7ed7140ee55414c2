/**
 * Validation of the parts of ObjectMeta — labels, annotations, finalizers, owner references,
 * managed fields — as k8s.io/apimachinery v0.36 (kube-apiserver 1.36) does it, message for message.
 */
import type { ManagedFieldsEntry, OwnerReference } from '../types.ts';
import type { FieldError } from '../../errors/status-error.ts';
import { childPath, indexPath, invalid, tooLong } from './field-errors.ts';
import { GoRawJson, compareBytes, goJsonString, goQuote, isGoPrintable, utf8Length } from './go-format.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';

/** Total size limit of annotation keys + values, in bytes (256 KiB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;
/** The finalizer that makes the garbage collector orphan dependents. */
export const FINALIZER_ORPHAN_DEPENDENTS = 'orphan';
/** The finalizer of foreground cascading deletion. */
export const FINALIZER_DELETE_DEPENDENTS = 'foregroundDeletion';
/** Longest accepted managedFields[].manager. */
export const FIELD_MANAGER_MAX_LENGTH = 128;
/** Longest accepted managedFields[].subresource. */
export const MAX_SUBRESOURCE_NAME_LENGTH = 256;

const STANDARD_FINALIZERS = new Set([FINALIZER_ORPHAN_DEPENDENTS, FINALIZER_DELETE_DEPENDENTS, 'kubernetes']);

function entries(map: unknown): [string, unknown][] {
  return map !== null && typeof map === 'object' && !Array.isArray(map) ? Object.entries(map) : [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** `ValidateLabelName`: a label key must be a qualified name. */
export function validateLabelName(key: string, fldPath: string): FieldError[] {
  return isQualifiedName(key).map((msg) => invalid(fldPath, key, msg));
}

/** `ValidateLabels`: keys are qualified names, values valid label values (≤ 63 characters). */
export function validateLabels(labels: Record<string, string> | undefined, fldPath: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, raw] of entries(labels)) {
    errs.push(...validateLabelName(k, fldPath));
    const v = str(raw);
    for (const msg of isValidLabelValue(v)) errs.push(invalid(fldPath, v, msg));
  }
  return errs;
}

/** `ValidateAnnotations`: keys are qualified names (case-insensitive); keys + values ≤ 256 KiB in total. */
export function validateAnnotations(annotations: Record<string, string> | undefined, fldPath: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(fldPath, k, msg));
    total += utf8Length(k) + utf8Length(str(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) errs.push(tooLong(fldPath, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
  return errs;
}

/** `ValidateFinalizerName`: a finalizer must be a qualified name. */
export function validateFinalizerName(name: string, fldPath: string): FieldError[] {
  return isQualifiedName(name).map((msg) => invalid(fldPath, name, msg));
}

/** `ValidateFinalizers`: qualified names, and not both `orphan` and `foregroundDeletion`. */
export function validateFinalizers(finalizers: string[] | undefined, fldPath: string): FieldError[] {
  const list = Array.isArray(finalizers) ? finalizers.map(str) : [];
  const errs: FieldError[] = [];
  for (const f of list) errs.push(...validateFinalizerName(f, fldPath));
  if (list.includes(FINALIZER_ORPHAN_DEPENDENTS) && list.includes(FINALIZER_DELETE_DEPENDENTS)) {
    errs.push(invalid(fldPath, list, `finalizer ${FINALIZER_ORPHAN_DEPENDENTS} and ${FINALIZER_DELETE_DEPENDENTS} cannot be both set`));
  }
  return errs;
}

/**
 * The warnings apiextensions-apiserver gives for finalizers added by a create/update (those in
 * `finalizers` but not in `oldFinalizers`, sorted): invalid names, and names without a domain
 * prefix other than the standard ones, e.g.
 * `metadata.finalizers: "foo": prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers`.
 */
export function finalizerWarnings(finalizers: string[] | undefined, oldFinalizers?: string[], fldPath = 'metadata.finalizers'): string[] {
  const old = new Set(oldFinalizers ?? []);
  const added = [...new Set((finalizers ?? []).map(str))].filter((f) => !old.has(f)).sort(compareBytes);
  const warnings: string[] = [];
  for (const f of added) {
    for (const msg of isQualifiedName(f)) warnings.push(`${fldPath}: ${goQuote(f)}: ${msg}`);
    if (f.split('/').length === 1 && !STANDARD_FINALIZERS.has(f)) {
      const detail = f.includes('.') ? 'prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers'
        : 'prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers';
      warnings.push(`${fldPath}: ${goQuote(f)}: ${detail}`);
    }
  }
  return warnings;
}

/** An OwnerReference as Go's json.Marshal writes the typed struct (field order, omitempty pointers). */
function ownerReferenceJson(ref: OwnerReference): string {
  let s = `{"apiVersion":${goJsonString(str(ref.apiVersion))},"kind":${goJsonString(str(ref.kind))},`
    + `"name":${goJsonString(str(ref.name))},"uid":${goJsonString(str(ref.uid))}`;
  if (typeof ref.controller === 'boolean') s += `,"controller":${ref.controller}`;
  if (typeof ref.blockOwnerDeletion === 'boolean') s += `,"blockOwnerDeletion":${ref.blockOwnerDeletion}`;
  return s + '}';
}

/** `schema.ParseGroupVersion` → the version ('' when absent), or null when malformed. */
function parseVersion(apiVersion: string): { group: string; version: string } | null {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return null;
}

function validateOwnerReference(ref: OwnerReference, fldPath: string): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = str(ref.apiVersion);
  const gv = parseVersion(apiVersion) ?? { group: '', version: '' };
  if (gv.version === '') errs.push(invalid(childPath(fldPath, 'apiVersion'), apiVersion, 'version must not be empty'));
  if (str(ref.kind) === '') errs.push(invalid(childPath(fldPath, 'kind'), str(ref.kind), 'must not be empty'));
  if (str(ref.name) === '') errs.push(invalid(childPath(fldPath, 'name'), str(ref.name), 'must not be empty'));
  if (str(ref.uid) === '') errs.push(invalid(childPath(fldPath, 'uid'), str(ref.uid), 'must not be empty'));
  if (gv.group === '' && gv.version === 'v1' && ref.kind === 'Event') {
    errs.push(invalid(fldPath, new GoRawJson(ownerReferenceJson(ref)), `${gv.group}/${gv.version}, Kind=${ref.kind} is disallowed from being an owner`));
  }
  return errs;
}

/**
 * `ValidateOwnerReferences`: apiVersion (with a version), kind, name and uid set; v1 Events
 * cannot own; at most one reference with `controller: true`. As in kube-apiserver 1.36 the
 * per-reference errors carry the list's path without an index (`metadata.ownerReferences.uid`).
 */
export function validateOwnerReferences(refs: OwnerReference[] | undefined, fldPath: string): FieldError[] {
  const list = Array.isArray(refs) ? refs : [];
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of list) {
    errs.push(...validateOwnerReference(ref ?? ({} as OwnerReference), fldPath));
    if (ref?.controller === true) {
      const current = `${str(ref.kind)}/${str(ref.name)}`;
      if (firstController !== '') {
        const all = new GoRawJson(`[${list.map((r) => ownerReferenceJson(r ?? ({} as OwnerReference))).join(',')}]`);
        errs.push(invalid(fldPath, all, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

/** `ValidateFieldManager`: at most 128 bytes, printable characters only. */
export function validateFieldManager(manager: string, fldPath: string): FieldError[] {
  const errs: FieldError[] = [];
  if (utf8Length(manager) > FIELD_MANAGER_MAX_LENGTH) errs.push(tooLong(fldPath, FIELD_MANAGER_MAX_LENGTH));
  let byteIndex = 0;
  for (const ch of manager) {
    const cp = ch.codePointAt(0) as number;
    if (!isGoPrintable(cp)) {
      const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      errs.push(invalid(fldPath, manager, `invalid character ${code} (at position ${byteIndex})`));
    }
    byteIndex += utf8Length(ch);
  }
  return errs;
}

/** `ValidateManagedFields`: operation Apply/Update, fieldsType FieldsV1, manager and subresource limits. */
export function validateManagedFields(entriesList: ManagedFieldsEntry[] | undefined, fldPath: string): FieldError[] {
  const errs: FieldError[] = [];
  (Array.isArray(entriesList) ? entriesList : []).forEach((entry, i) => {
    const p = indexPath(fldPath, i);
    const e = entry ?? {};
    const operation = str(e.operation);
    if (operation !== 'Apply' && operation !== 'Update') errs.push(invalid(childPath(p, 'operation'), operation, 'must be `Apply` or `Update`'));
    const fieldsType = str(e.fieldsType);
    if (fieldsType !== '' && fieldsType !== 'FieldsV1') errs.push(invalid(childPath(p, 'fieldsType'), fieldsType, 'must be `FieldsV1`'));
    errs.push(...validateFieldManager(str(e.manager), childPath(p, 'manager')));
    if (utf8Length(str(e.subresource)) > MAX_SUBRESOURCE_NAME_LENGTH) errs.push(tooLong(childPath(p, 'subresource'), MAX_SUBRESOURCE_NAME_LENGTH));
  });
  return errs;
}
