import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../errors/status-error.ts';
import { invalid as invalidStatus } from '../../errors/status-error.ts';
import type { ObjectMeta } from '../types.ts';
import { fieldErrorMessage } from './field-errors.ts';
import { finalizerWarnings } from './meta-fields.ts';
import { validateObjectMetaCreate, validateObjectMetaUpdate } from './object-meta.ts';
import { nameIsPathSegment } from './names.ts';

const msgs = (errs: FieldError[]): string[] => errs.map(fieldErrorMessage);
const create = (meta: ObjectMeta, namespaced = true): string[] => msgs(validateObjectMetaCreate(meta, { namespaced }));
const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

test('a valid object has no errors', () => {
  assert.deepEqual(create({ name: 'a.b-c', namespace: 'ns', labels: { 'app.kubernetes.io/name': 'x' }, annotations: { 'Some/Key': 'v' }, finalizers: ['example.com/f'] }), []);
});

test('name is required unless generateName is set', () => {
  const errs = validateObjectMetaCreate({ namespace: 'ns' }, { namespaced: true });
  assert.deepEqual(errs, [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'Required value: name or generateName is required' }]);
  assert.deepEqual(create({ generateName: 'foo-', namespace: 'ns' }), []);
  assert.deepEqual(create({ generateName: 'Foo-', namespace: 'ns' }), [`metadata.generateName: Invalid value: "Foo-": ${SUBDOMAIN}`]);
});

test('name must be a DNS subdomain, with the message of the StatusError', () => {
  const errs = validateObjectMetaCreate({ name: 'Foo' }, { namespaced: false });
  assert.deepEqual(msgs(errs), [`metadata.name: Invalid value: "Foo": ${SUBDOMAIN}`]);
  assert.equal(invalidStatus('Flunder', 'wardle.example.com', 'Foo', errs).message,
    `Flunder.wardle.example.com "Foo" is invalid: metadata.name: Invalid value: "Foo": ${SUBDOMAIN}`);
});

test('a custom name rule applies', () => {
  assert.deepEqual(msgs(validateObjectMetaCreate({ name: '..' }, { namespaced: false, validateName: nameIsPathSegment })),
    ["metadata.name: Invalid value: \"..\": may not be '..'"]);
});

test('namespace is required or forbidden by scope', () => {
  assert.deepEqual(validateObjectMetaCreate({ name: 'a' }, { namespaced: true }), [{ type: 'FieldValueRequired', field: 'metadata.namespace', detail: 'Required value' }]);
  assert.deepEqual(create({ name: 'a', namespace: 'ns' }, false), ['metadata.namespace: Forbidden: not allowed on this type']);
  assert.deepEqual(create({ name: 'a', namespace: 'a.b' }), ['metadata.namespace: Invalid value: "a.b": must not contain dots']);
});

test('generation must not be negative', () => {
  assert.deepEqual(create({ name: 'a', namespace: 'n', generation: -1 }), ['metadata.generation: Invalid value: -1: must be greater than or equal to 0']);
});

test('labels: keys and values', () => {
  assert.deepEqual(create({ name: 'a', namespace: 'n', labels: { 'bad key': 'ok', ok: 'bad value', long: 'x'.repeat(64) } }), [
    `metadata.labels: Invalid value: "bad key": ${NAME_PART}`,
    "metadata.labels: Invalid value: \"bad value\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    `metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 bytes`,
  ]);
});

test('annotations: keys and total size', () => {
  assert.deepEqual(create({ name: 'a', namespace: 'n', annotations: { 'Bad Key': '' } }), [`metadata.annotations: Invalid value: "Bad Key": ${NAME_PART.replace("'MyName'", "'MyName'")}`]);
  const errs = validateObjectMetaCreate({ name: 'a', namespace: 'n', annotations: { big: 'x'.repeat(256 * 1024) } }, { namespaced: true });
  assert.deepEqual(errs, [{ type: 'FieldValueTooLong', field: 'metadata.annotations', detail: 'Too long: may not be more than 262144 bytes' }]);
  assert.deepEqual(create({ name: 'a', namespace: 'n', annotations: { b: 'x'.repeat(256 * 1024 - 1) } }), []);
});

test('finalizers: qualified names and the orphan/foreground conflict', () => {
  assert.deepEqual(create({ name: 'a', namespace: 'n', finalizers: ['bad name', 'orphan', 'foregroundDeletion'] }), [
    `metadata.finalizers: Invalid value: "bad name": ${NAME_PART}`,
    'metadata.finalizers: Invalid value: ["bad name","orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set',
  ]);
});

test('finalizer warnings for names without a domain', () => {
  assert.deepEqual(finalizerWarnings(['foo', 'a.b', 'example.com/x', 'orphan', 'kubernetes']), [
    'metadata.finalizers: "a.b": prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers',
    'metadata.finalizers: "foo": prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers',
  ]);
  assert.deepEqual(finalizerWarnings(['foo', 'bar'], ['foo']), [
    'metadata.finalizers: "bar": prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers',
  ]);
});

test('ownerReferences: required parts, banned owners, one controller', () => {
  assert.deepEqual(create({ name: 'a', namespace: 'n', ownerReferences: [{ apiVersion: '', kind: '', name: '', uid: '' }] }), [
    'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
    'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
    'metadata.ownerReferences.name: Invalid value: "": must not be empty',
    'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
  ]);
  assert.deepEqual(create({ name: 'a', namespace: 'n', ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: '1' }] }), [
    'metadata.ownerReferences: Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"1"}: /v1, Kind=Event is disallowed from being an owner',
  ]);
  const refs = [
    { apiVersion: 'apps/v1', kind: 'A', name: 'a', uid: '1', controller: true },
    { apiVersion: 'apps/v1', kind: 'B', name: 'b', uid: '2', controller: true, blockOwnerDeletion: false },
  ];
  assert.deepEqual(create({ name: 'a', namespace: 'n', ownerReferences: refs }), [
    'metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1","kind":"A","name":"a","uid":"1","controller":true},{"apiVersion":"apps/v1","kind":"B","name":"b","uid":"2","controller":true,"blockOwnerDeletion":false}]: Only one reference can have Controller set to true. Found "true" in references for A/a and B/b',
  ]);
});

test('managedFields entries', () => {
  assert.deepEqual(create({ name: 'a', namespace: 'n', managedFields: [{ manager: 'm\u0007', operation: 'Patch' as 'Apply', fieldsType: 'X' }] }), [
    'metadata.managedFields[0].operation: Invalid value: "Patch": must be `Apply` or `Update`',
    'metadata.managedFields[0].fieldsType: Invalid value: "X": must be `FieldsV1`',
    'metadata.managedFields[0].manager: Invalid value: "m\\a": invalid character U+0007 (at position 1)',
  ]);
});

const OLD: ObjectMeta = { name: 'a', namespace: 'n', uid: 'u1', resourceVersion: '5', generation: 2, creationTimestamp: '2024-01-01T00:00:00Z' };

test('update: immutable fields', () => {
  const errs = validateObjectMetaUpdate({ ...OLD, name: 'b', namespace: 'm', uid: 'u2', creationTimestamp: '2024-01-02T00:00:00+01:00' }, OLD, { namespaced: true });
  assert.deepEqual(msgs(errs), [
    'metadata.name: Invalid value: "b": field is immutable',
    'metadata.namespace: Invalid value: "m": field is immutable',
    'metadata.uid: Invalid value: "u2": field is immutable',
    'metadata.creationTimestamp: Invalid value: "2024-01-01T23:00:00Z": field is immutable',
  ]);
  assert.deepEqual(validateObjectMetaUpdate({ ...OLD, creationTimestamp: '2024-01-01T01:00:00+01:00' }, OLD, { namespaced: true }), []);
});

test('update: resourceVersion, generation, deletion fields', () => {
  assert.deepEqual(msgs(validateObjectMetaUpdate({ ...OLD, resourceVersion: '', generation: 1, deletionGracePeriodSeconds: 30 }, OLD, { namespaced: true })), [
    'metadata.resourceVersion: Invalid value: "": must be specified for an update',
    'metadata.generation: Invalid value: 1: must not be decremented',
    'metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable',
  ]);
  const deleting = { ...OLD, deletionTimestamp: '2024-02-01T00:00:00Z', finalizers: ['example.com/a'] };
  assert.deepEqual(msgs(validateObjectMetaUpdate({ ...OLD, finalizers: ['example.com/a', 'z/b', 'example.com/c'] }, deleting, { namespaced: true })), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/c", "z/b"}',
    'metadata.deletionTimestamp: Invalid value: null: field is immutable',
  ]);
});

test('update re-checks labels but not the name format', () => {
  const old = { ...OLD, name: 'Legacy' };
  assert.deepEqual(msgs(validateObjectMetaUpdate({ ...old, labels: { a: '-' } }, old, { namespaced: true })), [
    "metadata.labels: Invalid value: \"-\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
});

test('wrongly typed input does not throw', () => {
  const bad = { name: 5, labels: 'x', annotations: [1], finalizers: 'f', ownerReferences: [null], managedFields: 'm' } as unknown as ObjectMeta;
  assert.doesNotThrow(() => validateObjectMetaCreate(bad, { namespaced: false }));
  assert.doesNotThrow(() => validateObjectMetaUpdate(bad, bad, { namespaced: false }));
});
