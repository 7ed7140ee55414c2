import { test } from 'node:test';
import assert from 'node:assert/strict';
import Type from 'typebox';
import { fieldErrorMessage } from '../../apimachinery/validation/field-errors.ts';
import { compileSchema } from './compile.ts';

test('defaults: absent properties, recursively, not into absent objects', () => {
  const s = compileSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer', default: 1 },
          mode: { type: 'string', default: 'a' },
          tpl: { type: 'object', default: {}, properties: { image: { type: 'string', default: 'busybox' } } },
          absent: { type: 'object', properties: { x: { type: 'integer', default: 5 } } },
          nonNull: { type: 'string', default: 'd' },
          nullable: { type: 'string', nullable: true, default: 'd' },
          list: { type: 'array', items: { type: 'object', properties: { p: { type: 'integer', default: 80 } } } },
          labels: { type: 'object', additionalProperties: { type: 'string', default: 'v' } },
        },
      },
    },
  });
  const obj: Record<string, unknown> = { metadata: { name: 'x' }, spec: { mode: 'b', nonNull: null, nullable: null, list: [{}, { p: 1 }], labels: { a: null } } };
  s.applyDefaults(obj);
  assert.deepEqual(obj, {
    metadata: { name: 'x' },
    spec: {
      mode: 'b', nonNull: 'd', nullable: null, list: [{ p: 80 }, { p: 1 }], labels: { a: 'v' },
      replicas: 1, tpl: { image: 'busybox' },
    },
  });
  const fresh: Record<string, unknown> = {};
  s.applyDefaults(fresh);
  assert.deepEqual(fresh, {});
});

test('defaults are copies', () => {
  const s = compileSchema({ type: 'object', properties: { a: { type: 'object', default: { k: [1] } } } });
  const o1: Record<string, any> = {};
  const o2: Record<string, any> = {};
  s.applyDefaults(o1);
  s.applyDefaults(o2);
  o1.a.k.push(2);
  assert.deepEqual(o2, { a: { k: [1] } });
});

test('prune: unknown fields, arrays, additionalProperties, root metadata untouched', () => {
  const s = compileSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          a: { type: 'string' },
          items: { type: 'array', items: { type: 'object', properties: { n: { type: 'string' } } } },
          m: { type: 'object', additionalProperties: { type: 'object', properties: { k: { type: 'integer' } } } },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    },
  });
  const obj: Record<string, unknown> = {
    apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n', whatever: 1 }, extra: true,
    spec: { a: 'x', foo: 1, items: [{ n: 'a', z: 1 }, { y: 2 }], m: { one: { k: 1, q: 2 } }, free: { anything: { deep: 1 } } },
  };
  assert.deepEqual(s.prune(obj), ['extra', 'spec.foo', 'spec.items[0].z', 'spec.items[1].y', 'spec.m.one.q']);
  assert.deepEqual(obj, {
    apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n', whatever: 1 },
    spec: { a: 'x', items: [{ n: 'a' }, {}], m: { one: { k: 1 } }, free: { anything: { deep: 1 } } },
  });
});

test('prune: nested x-kubernetes-preserve-unknown-fields (upstream fixture)', () => {
  const obj = { type: 'object' } as const;
  const s = compileSchema({
    type: 'object', 'x-kubernetes-preserve-unknown-fields': true,
    properties: {
      alpha: { type: 'string' }, beta: { type: 'number' },
      pruning: { ...obj, properties: { preserving: { ...obj, 'x-kubernetes-preserve-unknown-fields': true }, pruning: obj } },
      preserving: {
        ...obj, 'x-kubernetes-preserve-unknown-fields': true,
        properties: { preserving: { ...obj, 'x-kubernetes-preserve-unknown-fields': true }, preservingUnknownType: { 'x-kubernetes-preserve-unknown-fields': true }, pruning: obj },
      },
      preservingAdditionalPropertiesNotInheritingXPreserveUnknownFields: {
        ...obj, 'x-kubernetes-preserve-unknown-fields': true, additionalProperties: { ...obj, properties: { specified: obj } },
      },
      preservingAdditionalPropertiesKeyPruneValues: { ...obj, additionalProperties: { ...obj, properties: { specified: obj } } },
    },
  });
  const value = JSON.parse(`{"unspecified":"bar","alpha":"abc","beta":42.0,"unspecifiedObject":{"unspecified":"bar"},
    "pruning":{"unspecified":"bar","unspecifiedObject":{"unspecified":"bar"},"pruning":{"unspecified":"bar"},"apiVersion":"unknown","preserving":{"unspecified":"bar"}},
    "preserving":{"unspecified":"bar","unspecifiedObject":{"unspecified":"bar"},"pruning":{"unspecified":"bar"},"preserving":{"unspecified":"bar"},"preservingUnknownType":[{"foo":true},{"bar":true}]},
    "preservingAdditionalPropertiesNotInheritingXPreserveUnknownFields":{"foo":{"specified":{"unspecified":"bar"},"unspecified":"bar"}},
    "preservingAdditionalPropertiesKeyPruneValues":{"foo":{"specified":{"unspecified":"bar"},"unspecified":"bar"}}}`);
  assert.deepEqual(s.prune(value), [
    'preserving.pruning.unspecified', 'preservingAdditionalPropertiesKeyPruneValues.foo.specified.unspecified',
    'preservingAdditionalPropertiesKeyPruneValues.foo.unspecified', 'preservingAdditionalPropertiesNotInheritingXPreserveUnknownFields.foo.specified.unspecified',
    'preservingAdditionalPropertiesNotInheritingXPreserveUnknownFields.foo.unspecified', 'pruning.apiVersion', 'pruning.pruning.unspecified',
    'pruning.unspecified', 'pruning.unspecifiedObject',
  ]);
  assert.deepEqual(value.pruning, { pruning: {}, preserving: { unspecified: 'bar' } });
  assert.deepEqual(value.preserving.pruning, {});
  assert.deepEqual(value.preservingAdditionalPropertiesKeyPruneValues, { foo: { specified: {} } });
});

test('prune: non-nullable nulls without default go; embedded metadata is pruned', () => {
  const s = compileSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          a: { type: 'string' }, b: { type: 'string', nullable: true }, c: { type: 'string', default: 'x' },
          tpl: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
        },
      },
    },
  });
  const obj: Record<string, any> = { spec: { a: null, b: null, c: null, tpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', bogus: 1 }, extra: 1 } } };
  assert.deepEqual(s.prune(obj), ['spec.tpl.extra', 'spec.tpl.metadata.bogus']);
  assert.deepEqual(obj.spec, { b: null, c: null, tpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } });
});

test('TypeBox schemas work: literal unions, nullable unions, Record, additionalProperties: false', () => {
  const schema = Type.Object({
    spec: Type.Object({
      replicas: Type.Integer({ minimum: 1, default: 1 }),
      mode: Type.Union([Type.Literal('a'), Type.Literal('b')]),
      note: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      tags: Type.Optional(Type.Record(Type.String(), Type.Boolean())),
    }, { additionalProperties: false }),
  });
  const s = compileSchema(schema as unknown as Record<string, unknown>);
  const obj: Record<string, any> = { spec: { mode: 'z', note: null, tags: { x: 'yes' }, junk: 1 } };
  assert.deepEqual(s.prune(obj), ['spec.junk']);
  s.applyDefaults(obj);
  assert.equal(obj.spec.replicas, 1);
  assert.deepEqual(s.validate(obj).map(fieldErrorMessage), [
    'spec.mode: Unsupported value: "z": supported values: "a", "b"',
    'spec.tags.x: Invalid value: "string": spec.tags.x in body must be of type boolean: "string"',
  ]);
  assert.equal(compileSchema(schema as unknown as Record<string, unknown>), s, 'compiled once per schema object');
});

test('unsupported keywords are refused at compile time', () => {
  assert.throws(() => compileSchema({ type: 'object', properties: { a: { $ref: '#/x' } } }), /invalid schema at \.properties\.a: keyword \$ref is not supported/);
  assert.throws(() => compileSchema({ type: 'object', patternProperties: { '^a': {} } }), /patternProperties is only supported/);
});
