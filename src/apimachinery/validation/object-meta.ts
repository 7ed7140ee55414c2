/**
 * ObjectMeta validation on create and update, as k8s.io/apimachinery's
 * `ValidateObjectMetaAccessor` / `ValidateObjectMetaAccessorUpdate` (kube-apiserver 1.36):
 * same checks, same order, same field paths and messages.
 */
import type { ObjectMeta } from '../types.ts';
import type { FieldError } from '../../errors/status-error.ts';
import { childPath, forbidden, invalid, required } from './field-errors.ts';
import { GoRawJson, compareBytes, goJsonString, goQuote } from './go-format.ts';
import {
  validateAnnotations, validateFinalizers, validateLabels, validateManagedFields, validateOwnerReferences,
} from './meta-fields.ts';
import { nameIsDNSSubdomain, validateNamespaceName, type NameValidator } from './names.ts';

/** Message of every immutable-field error. */
export const FIELD_IMMUTABLE_MESSAGE = 'field is immutable';

/** How to validate one kind's metadata. */
export interface ObjectMetaValidationOptions {
  /** Whether the kind is namespace-scoped (namespace required) or cluster-scoped (namespace forbidden). */
  namespaced: boolean;
  /** Rule for `name` / `generateName`; defaults to {@link nameIsDNSSubdomain} (what custom resources use). */
  validateName?: NameValidator;
  /** Path of the metadata in error messages; defaults to `metadata`. */
  fieldPath?: string;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/**
 * Validates metadata of an object about to be created. Call it after name generation, as
 * kube-apiserver does; when `name` is still empty but `generateName` is set, only
 * `generateName` is checked. Returns the problems in upstream's order (generateName, name,
 * namespace, generation, labels, annotations, ownerReferences, finalizers, managedFields);
 * empty when valid. Never throws, even on wrongly-typed input.
 * @example validateObjectMetaCreate({ name: 'Foo' }, { namespaced: false })
 * // → [{ field: 'metadata.name', detail: 'Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist of ...' }]
 */
export function validateObjectMetaCreate(meta: ObjectMeta, opts: ObjectMetaValidationOptions): FieldError[] {
  const p = opts.fieldPath ?? 'metadata';
  const nameFn = opts.validateName ?? nameIsDNSSubdomain;
  const m = meta ?? {};
  const errs: FieldError[] = [];
  const generateName = str(m.generateName);
  const name = str(m.name);
  if (generateName !== '') {
    for (const msg of nameFn(generateName, true)) errs.push(invalid(childPath(p, 'generateName'), generateName, msg));
  }
  if (name === '') {
    if (generateName === '') errs.push(required(childPath(p, 'name'), 'name or generateName is required'));
  } else {
    for (const msg of nameFn(name, false)) errs.push(invalid(childPath(p, 'name'), name, msg));
  }
  errs.push(...validateNamespace(str(m.namespace), opts.namespaced, childPath(p, 'namespace')));
  if (int(m.generation) < 0) errs.push(invalid(childPath(p, 'generation'), int(m.generation), 'must be greater than or equal to 0'));
  errs.push(...validateLabels(m.labels, childPath(p, 'labels')));
  errs.push(...validateAnnotations(m.annotations, childPath(p, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, childPath(p, 'ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, childPath(p, 'finalizers')));
  errs.push(...validateManagedFields(m.managedFields, childPath(p, 'managedFields')));
  return errs;
}

function validateNamespace(namespace: string, namespaced: boolean, fldPath: string): FieldError[] {
  if (!namespaced) return namespace === '' ? [] : [forbidden(fldPath, 'not allowed on this type')];
  if (namespace === '') return [required(fldPath)];
  return validateNamespaceName(namespace, false).map((msg) => invalid(fldPath, namespace, msg));
}

/** A metav1.Time as upstream compares (instant) and prints it (JSON: RFC 3339 in UTC, or null). */
function timeOf(v: unknown): { key: string; json: GoRawJson } {
  const s = str(v);
  if (s === '') return { key: '', json: new GoRawJson('null') };
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return { key: s, json: new GoRawJson(goJsonString(s)) };
  return { key: String(ms), json: new GoRawJson(goJsonString(new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'))) };
}

/** Adds "field is immutable" for `fldPath` when `changed`; `newValue` is computed only then. */
function immutable(errs: FieldError[], fldPath: string, changed: boolean, newValue: () => unknown): void {
  if (changed) errs.push(invalid(fldPath, newValue(), FIELD_IMMUTABLE_MESSAGE));
}

/** True when two metav1.Times are different instants (identical values are the same without parsing). */
function timeChanged(a: unknown, b: unknown): boolean {
  return a !== b && timeOf(a).key !== timeOf(b).key;
}

function validateImmutables(n: ObjectMeta, o: ObjectMeta, p: string, errs: FieldError[]): void {
  immutable(errs, childPath(p, 'name'), str(n.name) !== str(o.name), () => str(n.name));
  immutable(errs, childPath(p, 'namespace'), str(n.namespace) !== str(o.namespace), () => str(n.namespace));
  immutable(errs, childPath(p, 'uid'), str(n.uid) !== str(o.uid), () => new GoRawJson(goJsonString(str(n.uid))));
  immutable(errs, childPath(p, 'creationTimestamp'), timeChanged(n.creationTimestamp, o.creationTimestamp), () => timeOf(n.creationTimestamp).json);
  immutable(errs, childPath(p, 'deletionTimestamp'), timeChanged(n.deletionTimestamp, o.deletionTimestamp), () => timeOf(n.deletionTimestamp).json);
  const grace = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  const [ng, og] = [grace(n.deletionGracePeriodSeconds), grace(o.deletionGracePeriodSeconds)];
  immutable(errs, childPath(p, 'deletionGracePeriodSeconds'), ng !== og, () => ng);
}

/** Go's `%#v` of a []string: `[]string{"a", "b"}`. */
function goStringSlice(list: string[]): string {
  return `[]string{${list.map((s) => goQuote(s)).join(', ')}}`;
}

/**
 * Validates metadata of an update against the stored object's. Mirrors upstream, which does
 * not re-check name format or namespace scope on update: finalizers (qualified names, not both
 * `orphan` and `foregroundDeletion`, as rest.BeforeUpdate's common checks), no new finalizers
 * while deleting, resourceVersion set (the caller fills it in for unconditional updates before
 * validating), generation not decremented, name/namespace/uid/creationTimestamp/
 * deletionTimestamp/deletionGracePeriodSeconds unchanged (`field is immutable`), then labels,
 * annotations, ownerReferences and managedFields. `opts.namespaced` is accepted for symmetry
 * and unused. Returns the problems, empty when valid.
 */
export function validateObjectMetaUpdate(newMeta: ObjectMeta, oldMeta: ObjectMeta, opts: ObjectMetaValidationOptions): FieldError[] {
  const p = opts.fieldPath ?? 'metadata';
  const n = newMeta ?? {};
  const o = oldMeta ?? {};
  const errs: FieldError[] = [...validateFinalizers(n.finalizers, childPath(p, 'finalizers'))];
  if (str(o.deletionTimestamp) !== '') {
    const old = new Set((o.finalizers ?? []).map(str));
    const extra = [...new Set((n.finalizers ?? []).map(str))].filter((f) => !old.has(f)).sort(compareBytes);
    if (extra.length > 0) {
      errs.push(forbidden(childPath(p, 'finalizers'),
        `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`));
    }
  }
  if (str(n.resourceVersion) === '') errs.push(invalid(childPath(p, 'resourceVersion'), '', 'must be specified for an update'));
  if (int(n.generation) < int(o.generation)) errs.push(invalid(childPath(p, 'generation'), int(n.generation), 'must not be decremented'));
  validateImmutables(n, o, p, errs);
  errs.push(...validateLabels(n.labels, childPath(p, 'labels')));
  errs.push(...validateAnnotations(n.annotations, childPath(p, 'annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, childPath(p, 'ownerReferences')));
  errs.push(...validateManagedFields(n.managedFields, childPath(p, 'managedFields')));
  return errs;
}
