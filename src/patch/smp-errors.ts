/**
 * The errors of apimachinery's pkg/util/mergepatch and strategicpatch, with the HTTP codes
 * kube-apiserver maps them to (interpretStrategicMergePatchError): the format errors are 400,
 * lists of lists 422, everything else a plain error answered as 500 with the message as is.
 */
import { PatchError } from './errors.ts';
import { goS, goTypeName, goV } from './go-format.ts';

/** `invalid JSON document` (400). */
export const badJSONDoc = (): PatchError => new PatchError(400, 'invalid JSON document');
/** `lists of lists are not supported` (422). */
export const noListOfLists = (): PatchError => new PatchError(422, 'lists of lists are not supported');
/** `invalid patch format of primitive list` (400). */
export const badPatchFormatForPrimitiveList = (): PatchError => new PatchError(400, 'invalid patch format of primitive list');
/** `invalid patch format of retainKeys` (400). */
export const badPatchFormatForRetainKeys = (): PatchError => new PatchError(400, 'invalid patch format of retainKeys');
/** `invalid patch format of setElementOrder list` (400). */
export const badPatchFormatForSetElementOrderList = (): PatchError => new PatchError(400, 'invalid patch format of setElementOrder list');

/** `map: map[...] does not contain declared merge key: <key>` (500). */
export function noMergeKey(m: Record<string, unknown>, key: string): PatchError {
  return new PatchError(500, `map: ${goV(m)} does not contain declared merge key: ${key}`);
}

/** `expected a map[string]interface {}, but received a string` (500). */
export function badArgType(expected: 'map' | 'slice', actual: unknown): PatchError {
  const want = expected === 'map' ? 'map[string]interface {}' : '[]interface {}';
  return new PatchError(500, `expected a ${want}, but received a ${goTypeName(actual)}`);
}

/** `unknown patch type: <directive> in map: map[...]` (500). */
export function badPatchType(directive: unknown, m: Record<string, unknown>): PatchError {
  return new PatchError(500, `unknown patch type: ${goS(directive)} in map: ${goV(m)}`);
}

/** Any other upstream error: a plain Go error, 500 with `message` as is. */
export function plainError(message: string): PatchError {
  return new PatchError(500, message);
}
