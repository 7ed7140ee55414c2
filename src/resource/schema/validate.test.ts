import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../apimachinery/validation/field-errors.ts';
import { compileSchema } from './compile.ts';
import type { SchemaObject } from './node.ts';

/** Messages of validating `obj` against an object schema with the given properties. */
function errs(properties: SchemaObject, obj: unknown, extra: SchemaObject = {}): string[] {
  return compileSchema({ type: 'object', properties, ...extra }).validate(obj).map(fieldErrorMessage);
}

/** Upstream compares these as sets; so do we where kube-openapi's order is map-iteration dependent. */
function sameSet(actual: string[], expected: string[]): void {
  assert.deepEqual([...actual].sort(), [...expected].sort());
}

test('type errors name the JSON type, as upstream', () => {
  const p = { field: { type: 'object' } };
  assert.deepEqual(errs(p, { field: 'foo' }), ['field: Invalid value: "string": field in body must be of type object: "string"']);
  assert.deepEqual(errs(p, { field: 42 }), ['field: Invalid value: "integer": field in body must be of type object: "integer"']);
  assert.deepEqual(errs(p, { field: true }), ['field: Invalid value: "boolean": field in body must be of type object: "boolean"']);
  assert.deepEqual(errs(p, { field: 1.2 }), ['field: Invalid value: "number": field in body must be of type object: "number"']);
  assert.deepEqual(errs(p, { field: [] }), ['field: Invalid value: "array": field in body must be of type object: "array"']);
  assert.deepEqual(errs(p, { field: null }), ['field: Invalid value: "null": field in body must be of type object: "null"']);
  assert.deepEqual(errs({ field: { type: 'object', nullable: true } }, { field: null }), []);
  const typed = compileSchema({ type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } } });
  assert.deepEqual(typed.validate({ spec: { replicas: 'string' } }), [{
    type: 'FieldValueTypeInvalid', field: 'spec.replicas',
    detail: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
  }]);
  assert.deepEqual(errs({ n: { type: 'number' } }, { n: 3 }), []);
});

test('x-kubernetes-int-or-string with anyOf', () => {
  const p = { field: { nullable: true, 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } };
  for (const ok of [{}, { field: null }, { field: 42 }, { field: 'foo' }]) assert.deepEqual(errs(p, ok), []);
  assert.deepEqual(errs(p, { field: true }), [
    'field: Invalid value: "boolean": field in body must be of type integer,string: "boolean"',
    '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)',
    'field: Invalid value: "boolean": field in body must be of type integer: "boolean"',
  ]);
  sameSet(errs(p, { field: 1.2 }), [
    '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)',
    'field: Invalid value: "number": field in body must be of type integer,string: "number"',
    'field: Invalid value: "number": field in body must be of type integer: "number"',
    '<nil>: Invalid value: "": Checked value must be of type integer (default format) in field',
  ]);
  assert.deepEqual(errs({ field: { 'x-kubernetes-int-or-string': true } }, { field: {} }),
    ['field: Invalid value: "object": field in body must be of type integer,string: "object"']);
});

test('allOf around anyOf', () => {
  const p = { field: { nullable: true, 'x-kubernetes-int-or-string': true, allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }] } };
  sameSet(errs(p, { field: [] }), [
    '<nil>: Invalid value: "": "field" must validate all the schemas (allOf). None validated',
    '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)',
    'field: Invalid value: "array": field in body must be of type integer,string: "array"',
    'field: Invalid value: "array": field in body must be of type integer: "array"',
  ]);
});

test('oneOf and not', () => {
  const one = { f: { oneOf: [{ type: 'string' }, { type: 'string', minLength: 1 }] } };
  assert.deepEqual(errs(one, { f: 'x' }), ['<nil>: Invalid value: "": "f" must validate one and only one schema (oneOf). Found 2 valid alternatives']);
  assert.deepEqual(errs({ f: { not: { type: 'string' } } }, { f: 'x' }), ['<nil>: Invalid value: "": "f" must not validate the schema (not)']);
});

test('required and enum', () => {
  const p = {
    field: {
      type: 'object', required: ['nestedint', 'nestedstring'],
      properties: { nestedint: { type: 'integer', enum: [1, 2] }, nestedstring: { type: 'string', enum: ['a', 'b'] } },
    },
  };
  assert.deepEqual(errs(p, { field: {} }), ['field.nestedint: Required value', 'field.nestedstring: Required value']);
  assert.deepEqual(errs(p, { field: { nestedint: 'x', nestedstring: true } }), [
    'field.nestedint: Invalid value: "string": field.nestedint in body must be of type integer: "string"',
    'field.nestedint: Unsupported value: "x": supported values: "1", "2"',
    'field.nestedstring: Invalid value: "boolean": field.nestedstring in body must be of type string: "boolean"',
    'field.nestedstring: Unsupported value: true: supported values: "a", "b"',
  ]);
  assert.deepEqual(errs({ mode: { type: 'string', enum: ['a', 'b'] } }, { mode: 'z' }), ['mode: Unsupported value: "z": supported values: "a", "b"']);
  assert.deepEqual(errs({ spec: { type: 'object', required: ['x'] } }, { spec: {} }), ['spec.x: Required value']);
  assert.deepEqual(errs({}, {}, { required: ['spec'] }), ['spec: Required value']);
});

test('counts: maxProperties, maxItems, maxLength, minItems, minLength, minProperties', () => {
  assert.deepEqual(errs({ fieldX: { type: 'object', maxProperties: 2 } }, { fieldX: { a: true, b: true, c: true } }), ['fieldX: Too many: 3: must have at most 2 items']);
  assert.deepEqual(errs({ fieldX: { type: 'array', maxItems: 2 } }, { fieldX: ['a', 'b', 'c'] }), ['fieldX: Too many: 3: must have at most 2 items']);
  assert.deepEqual(errs({ fieldX: { type: 'string', maxLength: 2 } }, { fieldX: 'abc' }), ['fieldX: Too long: may not be more than 2 bytes']);
  assert.deepEqual(errs({ fieldX: { type: 'string', maxLength: 2 } }, { fieldX: 'éé' }), []);
  assert.deepEqual(errs({ l: { type: 'array', minItems: 2 } }, { l: [1] }), ['l: Invalid value: 1: l in body should have at least 2 items']);
  assert.deepEqual(errs({ s: { type: 'string', minLength: 3 } }, { s: 'ab' }), ['s: Invalid value: "ab": s in body should be at least 3 chars long']);
  assert.deepEqual(errs({ m: { type: 'object', minProperties: 1 } }, { m: {} }), ['m: Invalid value: 0: m in body should have at least 1 properties']);
  assert.deepEqual(errs({ l: { type: 'array', uniqueItems: true } }, { l: [{ a: 1 }, { a: 1 }] }), ['l: Invalid value: "": l in body shouldn\'t contain duplicates']);
});

test('pattern', () => {
  assert.deepEqual(errs({ s: { type: 'string', pattern: '^[a-z]+$' } }, { s: 'ABC' }), ["s: Invalid value: \"ABC\": s in body should match '^[a-z]+$'"]);
  assert.deepEqual(errs({ s: { type: 'string', pattern: '(?i)^[a-z]+$' } }, { s: 'ABC' }), []);
  assert.throws(() => compileSchema({ type: 'object', properties: { s: { type: 'string', pattern: '+' } } }), /invalid schema at \.properties\.s: pattern "\+" is invalid/);
});

test('formats', () => {
  assert.deepEqual(errs({ fieldX: { type: 'string', format: 'k8s-long-name' } }, { fieldX: 'a.-' }), ['fieldX: Invalid value: "a.-": fieldX in body must be of type k8s-long-name: "a.-"']);
  assert.deepEqual(errs({ fieldX: { type: 'string', format: 'k8s-short-name' } }, { fieldX: 'a-' }), ['fieldX: Invalid value: "a-": fieldX in body must be of type k8s-short-name: "a-"']);
  assert.deepEqual(errs({ t: { type: 'string', format: 'date-time' } }, { t: 'nope' }), ['t: Invalid value: "nope": t in body must be of type date-time: "nope"']);
  assert.deepEqual(errs({ t: { type: 'string', format: 'date-time' } }, { t: '2024-01-02T03:04:05Z' }), []);
  assert.deepEqual(errs({ t: { type: 'string', format: 'made-up' } }, { t: 'anything' }), []);
  assert.deepEqual(errs({ t: { type: 'string', format: 'date-time' } }, { t: 5 }), ['t: Invalid value: "int64": t in body must be of type date-time: "int64"']);
});

test('numeric formats and bounds', () => {
  const p = { i32: { type: 'integer', format: 'int32' }, i64: { type: 'integer', format: 'int64' }, f32: { type: 'number', format: 'float' }, f64: { type: 'number', format: 'double' } };
  assert.deepEqual(errs(p, { i32: -2147483648, i64: 2 ** 62, f32: 3.4028234663852886e38, f64: Number.MAX_VALUE }), []);
  assert.deepEqual(errs(p, { i32: 2147483648 }), ['<nil>: Invalid value: "": Checked value must be of type integer with format int32 in i32']);
  assert.deepEqual(errs(p, { i64: 2 ** 63 * 1.1 }), [
    'i64: Invalid value: "float64": i64 in body must be of type int64: "float64"',
    '<nil>: Invalid value: "": Checked value must be of type integer with format int64 in i64',
  ]);
  assert.deepEqual(errs(p, { f32: 3.4028234663852886e38 * 1.1 }), ['<nil>: Invalid value: "": Checked value must be of type number with format float in f32']);
  const r = { replicas: { type: 'integer', minimum: 1, maximum: 10 } };
  assert.deepEqual(errs(r, { replicas: 11 }), ['replicas: Invalid value: 11: replicas in body should be less than or equal to 10']);
  assert.deepEqual(errs(r, { replicas: 0 }), ['replicas: Invalid value: 0: replicas in body should be greater than or equal to 1']);
  assert.deepEqual(errs({ x: { type: 'number', exclusiveMaximum: 1.5 } }, { x: 1.5 }), ['x: Invalid value: 1.5: x in body should be less than 1.5']);
  assert.deepEqual(errs({ x: { type: 'number', maximum: 1.5 } }, { x: 2 }), ['x: Invalid value: 2: x in body should be less than or equal to 1']);
  assert.deepEqual(errs({ x: { type: 'integer', multipleOf: 5 } }, { x: 7 }), ['x: Invalid value: 7: x in body should be a multiple of 5']);
  assert.deepEqual(errs({ x: { type: 'number', multipleOf: 0.5 } }, { x: 0.75 }), ['x: Invalid value: 0.75: x in body should be a multiple of 0.5']);
});

test('root apiVersion, kind and metadata are the caller\'s', () => {
  const s = compileSchema({ type: 'object', required: ['metadata', 'spec'], properties: { metadata: { type: 'string' }, spec: { type: 'object' } } });
  assert.deepEqual(s.validate({ apiVersion: 'a/v1', kind: 'K', metadata: { name: 'x' }, spec: {} }), []);
  assert.deepEqual(s.validate({ metadata: {} }).map(fieldErrorMessage), ['spec: Required value']);
});

test('a subresource validates alone with prefixed fields', () => {
  const s = compileSchema({ type: 'object', properties: { status: { type: 'object', properties: { replicas: { type: 'integer' } } } } });
  assert.deepEqual(s.validate({ replicas: 'x' }, { property: 'status' }).map(fieldErrorMessage),
    ['status.replicas: Invalid value: "string": replicas in body must be of type integer: "string"']);
});

test('additionalProperties and items paths', () => {
  const p = { m: { type: 'object', additionalProperties: { type: 'integer' } }, l: { type: 'array', items: { type: 'object', properties: { n: { type: 'string' } } } } };
  assert.deepEqual(errs(p, { m: { a: 'x' }, l: [{ n: 1 }] }), [
    'm.a: Invalid value: "string": m.a in body must be of type integer: "string"',
    'l[0].n: Invalid value: "integer": l[0].n in body must be of type string: "integer"',
  ]);
});

test('list types: set and map duplicates', () => {
  const p = {
    s: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    m: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } },
    mm: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['a', 'b'], items: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } } } },
  };
  assert.deepEqual(errs(p, { s: ['a', 'b', 'a', 'a'], m: [{ name: 'x' }, { name: 'x' }, {}, {}], mm: [{ a: 'x', b: 1 }, { a: 'x', b: 1 }] }), [
    's[2]: Duplicate value: "a"',
    'm[1]: Duplicate value: {"name":"x"}',
    'm[3]: Duplicate value: {}',
    'mm[1]: Duplicate value: {"a":"x","b":1}',
  ]);
  assert.deepEqual(errs({ m: p.m }, { m: ['x'] }), [
    'm[0]: Invalid value: "string": m[0] in body must be of type object: "string"',
    'm[0]: Invalid value: "x": must be an object for an array of list-type map',
  ]);
});

test('embedded resources', () => {
  const p = { template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } };
  assert.deepEqual(errs(p, { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } }), []);
  assert.deepEqual(errs(p, { template: { metadata: { name: '..', labels: { 'a b': 'c' } } } }), [
    'template.apiVersion: Required value',
    'template.kind: Required value',
    "template.metadata.name: Invalid value: \"..\": may not be '..'",
    "template.metadata.labels: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
  assert.deepEqual(errs(p, { template: { apiVersion: 'a/b/c', kind: 'Bad_Kind' } }), [
    'template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
    "template.kind: Invalid value: \"Bad_Kind\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
});
