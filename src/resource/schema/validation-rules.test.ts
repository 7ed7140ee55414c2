import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../apimachinery/validation/field-errors.ts';
import { compileSchema } from './compile.ts';
import type { SchemaObject } from './node.ts';

function spec(properties: SchemaObject, rules: SchemaObject[]): SchemaObject {
  return { type: 'object', properties: { spec: { type: 'object', properties, 'x-kubernetes-validations': rules } } };
}

function run(schema: SchemaObject, obj: unknown, old?: unknown): { errors: string[]; warnings: string[]; reasons: string[] } {
  const out = compileSchema(schema).validateRules(obj, old);
  return { errors: out.errors.map(fieldErrorMessage), warnings: out.warnings, reasons: out.errors.map((e) => e.type) };
}

const counted = spec({ min: { type: 'integer' }, max: { type: 'integer' }, name: { type: 'string' } },
  [{ rule: 'self.min <= self.max', message: 'min must not exceed max' }]);

test('a failing rule on an object gives kube-apiserver\'s Invalid wording without the value', () => {
  assert.deepEqual(run(counted, { spec: { min: 3, max: 1 } }).errors, ['spec: Invalid value: min must not exceed max']);
  assert.deepEqual(run(counted, { spec: { min: 1, max: 3 } }).errors, []);
});

test('no message: "failed rule: <rule>"; on a scalar the value is shown', () => {
  const s = spec({ name: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.startsWith("a")' }] } }, []);
  assert.deepEqual(run(s, { spec: { name: 'bob' } }).errors, ['spec.name: Invalid value: "bob": failed rule: self.startsWith("a")']);
  const n = spec({ n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self < 10' }] } }, []);
  assert.deepEqual(run(n, { spec: { n: 12 } }).errors, ['spec.n: Invalid value: 12: failed rule: self < 10']);
});

test('messageExpression, reason and fieldPath', () => {
  const s = spec({ min: { type: 'integer' }, max: { type: 'integer' } }, [{
    rule: 'self.min <= self.max', messageExpression: '"min " + string(self.min) + " exceeds max " + string(self.max)',
    reason: 'FieldValueForbidden', fieldPath: '.max',
  }]);
  const r = run(s, { spec: { min: 3, max: 1 } });
  assert.deepEqual(r.errors, ['spec.max: Forbidden: min 3 exceeds max 1']);
  assert.deepEqual(r.reasons, ['FieldValueForbidden']);
  const bad = spec({ min: { type: 'integer' } }, [{ rule: 'false', message: 'fallback', messageExpression: 'self.nope' }]);
  assert.deepEqual(run(bad, { spec: { min: 1 } }).errors, ['spec: Invalid value: fallback'], 'a failing messageExpression falls back to message');
  const req = spec({}, [{ rule: 'has(self.x)', message: 'x is needed', reason: 'FieldValueRequired' }]);
  assert.deepEqual(run(req, { spec: {} }).errors, ['spec: Required value: x is needed']);
});

test('transition rules run only on update; optionalOldSelf also on create', () => {
  const s = spec({ name: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'name is immutable' }] } }, []);
  assert.deepEqual(run(s, { spec: { name: 'a' } }).errors, []);
  assert.deepEqual(run(s, { spec: { name: 'b' } }, { spec: { name: 'a' } }).errors, ['spec.name: Invalid value: "b": name is immutable']);
  assert.deepEqual(run(s, { spec: { name: 'a' } }, { spec: { name: 'a' } }).errors, []);
  const o = spec({ name: { type: 'string', 'x-kubernetes-validations': [{ rule: 'oldSelf.hasValue() || self == "first"', optionalOldSelf: true }] } }, []);
  assert.deepEqual(run(o, { spec: { name: 'x' } }).errors, ['spec.name: Invalid value: "x": failed rule: oldSelf.hasValue() || self == "first"']);
  assert.deepEqual(run(o, { spec: { name: 'x' } }, { spec: { name: 'y' } }).errors, []);
});

test('ratcheting: an unchanged failing value is a warning on update, an error once changed', () => {
  const s = spec({ name: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() < 3', message: 'too long' }] }, n: { type: 'integer' } }, []);
  const old = { spec: { name: 'long', n: 1 } };
  const kept = run(s, { spec: { name: 'long', n: 2 } }, old);
  assert.deepEqual(kept.errors, []);
  assert.deepEqual(kept.warnings, ['spec.name: Invalid value: "long": too long']);
  assert.deepEqual(run(s, { spec: { name: 'longer', n: 1 } }, old).errors, ['spec.name: Invalid value: "longer": too long']);
});

test('runtime errors are worded as cel-go\'s, with the rule', () => {
  const s = spec({ a: { type: 'integer' } }, [{ rule: 'self.b == 1' }]);
  assert.deepEqual(run(s, { spec: { a: 1 } }).errors, ['spec: Invalid value: "object": no such key: b evaluating rule: self.b == 1']);
});

test('int and double follow the schema type', () => {
  const s = spec({ d: { type: 'number' }, i: { type: 'integer' } }, [{ rule: 'type(self.d) == double && type(self.i) == int' }]);
  assert.deepEqual(run(s, { spec: { d: 1, i: 1 } }).errors, []);
});

test('Kubernetes libraries: strings format, lists, sets, regex', () => {
  const s = spec({ l: { type: 'array', items: { type: 'integer' } }, s: { type: 'string' } }, [
    { rule: 'self.l.isSorted() && self.l.sum() == 6 && sets.contains(self.l, [2]) && self.l.max() == 3' },
    { rule: '"%s-%d".format([self.s, self.l.size()]) == "ab-3" && self.s.find("[b]") == "b" && self.s.charAt(1) == "b"' },
  ]);
  assert.deepEqual(run(s, { spec: { l: [1, 2, 3], s: 'ab' } }).errors, []);
});

test('a rule that does not compile makes the schema invalid', () => {
  assert.throws(() => compileSchema(spec({}, [{ rule: 'self.x +' }])), /x-kubernetes-validations\[0\]\.rule: compilation failed/);
  assert.throws(() => compileSchema(spec({}, [{ rule: 'nope == 1' }])), /compilation failed/);
});
