import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldManager } from './field-manager.ts';
import { conflictError, decodeManagedFields, encodeManagedFields, managerIdentifier } from './managed-fields.ts';
import { fieldElement, keyElement, valueElement } from './path.ts';
import { typeOfResourceSchema } from './schema.ts';
import { FieldSet, setOf } from './set.ts';
import { prefixFromUserAgent } from '../endpoints/field-managers.ts';
import type { KubeObject } from '../apimachinery/types.ts';

const f = fieldElement;

describe('FieldsV1', () => {
  it('orders fields, then keys, then values, and marks a node that is also a member with "."', () => {
    const set = setOf(
      [f('spec'), f('b')], [f('spec'), f('a')], [f('spec')],
      [f('spec'), f('list'), keyElement([['port', 80], ['name', 'x']])],
      [f('spec'), f('list'), keyElement([['port', 80], ['name', 'x']]), f('name')],
      [f('spec'), f('set'), valueElement('b')], [f('spec'), f('set'), valueElement(2)],
    );
    const encoded = set.toFieldsV1();
    assert.equal(JSON.stringify(encoded),
      '{"f:spec":{".":{},"f:a":{},"f:b":{},"f:list":{"k:{\\"name\\":\\"x\\",\\"port\\":80}":{".":{},"f:name":{}}},"f:set":{"v:2":{},"v:\\"b\\"":{}}}}');
    assert.deepEqual(FieldSet.fromFieldsV1(encoded).toFieldsV1(), encoded);
  });
});

describe('manager identifiers and conflicts', () => {
  it('names appliers without apiVersion and updaters with it', () => {
    assert.equal(managerIdentifier({ manager: 'm', operation: 'Apply', apiVersion: 'g/v1' }), '{"manager":"m","operation":"Apply"}');
    assert.equal(managerIdentifier({ manager: 'm', operation: 'Update', apiVersion: 'g/v1', subresource: 'status' }), '{"manager":"m","operation":"Update","apiVersion":"g/v1","subresource":"status"}');
  });
  it('words a multi-manager conflict as kube-apiserver, managers sorted', () => {
    const err = conflictError([
      { manager: managerIdentifier({ manager: 'b', operation: 'Update', apiVersion: 'g/v1' }), set: setOf([f('spec'), f('x')]) },
      { manager: managerIdentifier({ manager: 'a', operation: 'Apply' }), set: setOf([f('spec'), f('y')], [f('spec'), f('l'), keyElement([['name', 'n']]), f('v')]) },
    ]);
    assert.equal(err.code, 409);
    assert.equal(err.reason, 'Conflict');
    assert.equal(err.message, 'Apply failed with 3 conflicts: conflicts with "a":\n- .spec.y\n- .spec.l[name="n"].v\nconflicts with "b" using g/v1:\n- .spec.x');
    assert.deepEqual(err.details?.causes?.map((c) => c.field).sort(), ['.spec.l[name="n"].v', '.spec.x', '.spec.y']);
  });
});

describe('default manager names', () => {
  it('take the user agent up to its first slash', () => {
    assert.equal(prefixFromUserAgent('kubectl/v1.36.3 (linux/amd64) kubernetes/abc'), 'kubectl');
    assert.equal(prefixFromUserAgent('x'.repeat(200)).length, 128);
    assert.equal(prefixFromUserAgent('a\u0007b/c'), 'ab');
  });
});

describe('FieldManager', () => {
  const schema = { type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } } } };
  const type = typeOfResourceSchema(schema);
  const fm = new FieldManager({
    group: 'g', kind: 'K', apiVersion: 'g/v1',
    types: { typeOf: (v) => (v === 'g/v1' ? type : undefined), convert: (o) => o }, now: () => '2026-01-01T00:00:00Z',
  });
  const obj = (spec: Record<string, string>, managedFields?: unknown): KubeObject =>
    ({ apiVersion: 'g/v1', kind: 'K', metadata: { name: 'n', uid: 'u', ...(managedFields ? { managedFields } : {}) }, spec }) as KubeObject;

  it('records an Update entry on create and leaves untracked objects untracked', () => {
    const created = fm.update(undefined, obj({ a: '1' }), 'creator');
    assert.deepEqual(created.metadata.managedFields, [{
      manager: 'creator', operation: 'Update', apiVersion: 'g/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { '.': {}, 'f:a': {} } },
    }]);
    assert.equal(fm.update(obj({ a: '1' }), obj({ a: '2' }), 'x').metadata.managedFields, undefined);
  });

  it('applies, conflicts with another applier, and prunes what an applier stops applying', () => {
    const first = fm.apply(undefined, obj({ a: '1', b: '1' }), 'one', false);
    assert.throws(() => fm.apply(first, obj({ a: '2' }), 'two', false), (e: Error) => e.message === 'Apply failed with 1 conflict: conflict with "one": .spec.a');
    const dropped = fm.apply(first, obj({ a: '1' }), 'one', false);
    assert.deepEqual(dropped.spec, { a: '1' });
  });
});

describe('managedFields order', () => {
  const entry = (manager: string, operation: 'Apply' | 'Update', time: string) =>
    ({ manager, operation, apiVersion: 'g/v1', time, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:a': {} } } });
  const order = (...entries: ReturnType<typeof entry>[]) =>
    encodeManagedFields(decodeManagedFields(entries))!.map((e) => `${e.operation}:${e.manager}`);

  it('sorts by operation, then time in whole seconds, then manager, as upstream encodes them', () => {
    assert.deepEqual(order(entry('kubectl', 'Apply', '2026-01-01T00:00:02Z'), entry('other', 'Apply', '2026-01-01T00:00:01Z')), ['Apply:other', 'Apply:kubectl']);
    assert.deepEqual(order(entry('other', 'Apply', '2026-01-01T00:00:01Z'), entry('kubectl', 'Apply', '2026-01-01T00:00:01Z')), ['Apply:kubectl', 'Apply:other']);
    assert.deepEqual(order(entry('z', 'Update', '2026-01-01T00:00:00Z'), entry('a', 'Apply', '2026-01-01T00:00:09Z')), ['Apply:a', 'Update:z']);
  });
});
