import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../errors/status-error.ts';
import { decodePatchStrictly, goValueString, strictPatchError } from './patch-decoding.ts';

const message = (fn: () => unknown) => {
  try { fn(); } catch (err) { assert.ok(err instanceof StatusError); return [err.code, err.reason, err.message]; }
  return assert.fail('expected an error');
};

describe('patch decoding under fieldValidation Warn/Strict, worded as kube-apiserver', () => {
  it('malformed JSON and wrong shapes answer 400 "error decoding patch: ..."', () => {
    assert.deepEqual(message(() => decodePatchStrictly('merge-patch', '{"spec": ')), [400, 'BadRequest', 'error decoding patch: unexpected end of JSON input']);
    assert.deepEqual(message(() => decodePatchStrictly('json-patch', '{"op": "replace"}')), [400, 'BadRequest', 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp']);
    assert.deepEqual(message(() => decodePatchStrictly('json-patch', '["x"]')), [400, 'BadRequest', 'error decoding patch: json: cannot unmarshal string into Go value of type handlers.jsonPatchOp']);
    assert.deepEqual(message(() => decodePatchStrictly('json-patch', '[{"op": 5}]')), [400, 'BadRequest', 'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string']);
    assert.deepEqual(message(() => decodePatchStrictly('merge-patch', '[1]')), [400, 'BadRequest', 'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}']);
  });

  it('returns a merge patch\'s duplicate fields; well-formed patches and other types pass', () => {
    assert.deepEqual(decodePatchStrictly('merge-patch', '{"spec": {"a": 1, "a": 2}}'), ['spec.a']);
    assert.deepEqual(decodePatchStrictly('json-patch', '[{"op": "add", "path": "/a", "value": 1}]'), []);
    assert.deepEqual(decodePatchStrictly('merge-patch', 'null'), []);
    assert.deepEqual(decodePatchStrictly('strategic-merge-patch', '{"spec": '), []);
  });

  it('a strict patch error is 422 Invalid on field "patch" with the patched object as the value', () => {
    const err = strictPatchError('{"spec":{"bogus":2}}', ['unknown field "spec.bogus"']);
    assert.equal(err.code, 422);
    assert.equal(err.reason, 'Invalid');
    assert.equal(err.message, ' "" is invalid: patch: Invalid value: "{\\"spec\\":{\\"bogus\\":2}}": strict decoding error: unknown field "spec.bogus"');
    assert.deepEqual(err.toStatus().details, { causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "{\\"spec\\":{\\"bogus\\":2}}": strict decoding error: unknown field "spec.bogus"', field: 'patch' }] });
  });

  it('prints a strategic merge patch as Go\'s %+v of the decoded map', () => {
    assert.equal(goValueString({ spec: { bogus: 2, a: [1, 'x', null, true] }, b: 1.5e21 }), 'map[b:1.5e+21 spec:map[a:[1 x <nil> true] bogus:2]]');
  });
});
