import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../apimachinery/validation/field-errors.ts';
import { invalid } from '../../errors/status-error.ts';
import {
  applyFieldValidation, fieldValidationValueError, malformedBodyError, missingKindError, parseFieldValidation,
  strictDecodingProblems, summarizeBody,
} from './field-validation.ts';
import { pruneObjectMeta } from './object-meta-prune.ts';

const problems = strictDecodingProblems(['spec.a'], ['metadata.foo', 'spec.foo']);

test('problems are worded and ordered like kube-apiserver', () => {
  assert.deepEqual(problems, ['duplicate field "spec.a"', 'unknown field "metadata.foo"', 'unknown field "spec.foo"']);
  assert.deepEqual(strictDecodingProblems(['a"b'], ['c"d']), ['duplicate field "a\\"b"', 'unknown field "c"d"']);
});

test('Ignore drops, Warn warns, Strict rejects', () => {
  assert.deepEqual(applyFieldValidation('Ignore', problems, 'Flunder', 'v1alpha1'), { warnings: [] });
  assert.deepEqual(applyFieldValidation('Warn', problems, 'Flunder', 'v1alpha1'), { warnings: problems });
  assert.deepEqual(applyFieldValidation('Strict', [], 'Flunder', 'v1alpha1'), { warnings: [] });
  const { error } = applyFieldValidation('Strict', problems, 'Flunder', 'v1alpha1');
  assert.ok(error);
  assert.equal(error.code, 400);
  assert.equal(error.reason, 'BadRequest');
  assert.equal(error.message, 'Flunder in version "v1alpha1" cannot be handled as a Flunder: strict decoding error: duplicate field "spec.a", unknown field "metadata.foo", unknown field "spec.foo"');
});

test('the fieldValidation parameter', () => {
  assert.equal(parseFieldValidation(undefined), 'Warn');
  assert.equal(parseFieldValidation(''), 'Warn');
  assert.equal(parseFieldValidation('Strict'), 'Strict');
  assert.equal(parseFieldValidation('strict'), null);
  assert.equal(invalid('CreateOptions', 'meta.k8s.io', '', [fieldValidationValueError('strict')]).message,
    'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"');
  assert.equal(fieldErrorMessage(fieldValidationValueError('x')), 'fieldValidation: Unsupported value: "x": supported values: "", "Ignore", "Strict", "Warn"');
});

test('malformed and kind-less bodies', () => {
  assert.equal(summarizeBody(''), '<empty>');
  assert.equal(summarizeBody('{"a":1}'), '{"a":1}');
  assert.equal(summarizeBody(`{"apiVersion":"wardle.example.com/v1alpha1"}`), '{"apiVersion":"wardle.example. ...');
  assert.equal(summarizeBody('apiVersion: v1'), '61706956657273696f6e3a207631');
  const err = malformedBodyError('Flunder', '{"a":', 'unexpected end of JSON input');
  assert.equal(err.code, 400);
  assert.equal(err.message, 'the object provided is unrecognized (must be of type Flunder): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"a":)');
  assert.equal(missingKindError('Flunder', '{"apiVersion":"v1"}').message,
    'the object provided is unrecognized (must be of type Flunder): Object \'Kind\' is missing in \'{"apiVersion":"v1"}\' ({"apiVersion":"v1"})');
});

test('pruneObjectMeta drops unknown ObjectMeta fields in document order', () => {
  const meta: Record<string, unknown> = {
    name: 'a', bogus: 1, ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'n', uid: 'u', extra: true }],
    Labels: {}, labels: { any: 'x' }, managedFields: [{ manager: 'm', fieldsV1: { 'f:x': {} }, nope: 1 }],
  };
  assert.deepEqual(pruneObjectMeta(meta), ['metadata.bogus', 'metadata.ownerReferences[0].extra', 'metadata.Labels', 'metadata.managedFields[0].nope']);
  assert.deepEqual(meta, {
    name: 'a', ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'n', uid: 'u' }], labels: { any: 'x' },
    managedFields: [{ manager: 'm', fieldsV1: { 'f:x': {} } }],
  });
  assert.deepEqual(pruneObjectMeta('x'), []);
});
