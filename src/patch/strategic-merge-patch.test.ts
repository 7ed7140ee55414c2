import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, UNPROCESSABLE_PATCH_MESSAGE } from './errors.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import type { PatchSchema } from './strategic-merge-patch.ts';
import { deploymentSchema, mergeItemSchema } from './smp-test-schemas.test.ts';

/** One case; every expectation here was checked against k8s.io/apimachinery's implementation. */
export interface SmpCase {
  name: string;
  schema: 'deployment' | 'mergeItem' | 'none';
  original: Record<string, unknown>;
  patch: unknown;
  expected?: unknown;
  error?: { code: number; message: string };
}

const deployment = (): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'patch-demo', labels: { app: 'nginx', tier: 'web' }, finalizers: ['a', 'b'] },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'nginx' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: {
        containers: [{ name: 'patch-demo-ctr', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
        tolerations: [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }],
      },
    },
  },
});
const podSpec = (containers: unknown[]): Record<string, unknown> => ({ spec: { template: { spec: { containers } } } });
const c = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name, ...extra });

export const SMP_CASES: SmpCase[] = [
  // "Update API Objects in Place Using kubectl patch" (kubernetes.io docs)
  {
    name: 'docs: containers are merged by name, the new one first',
    schema: 'deployment', original: deployment(),
    patch: podSpec([{ name: 'patch-demo-ctr-2', image: 'redis' }]),
    expected: { template: [c('patch-demo-ctr-2', { image: 'redis' }), c('patch-demo-ctr', { image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] })] },
  },
  {
    name: 'docs: tolerations (no patch strategy) are replaced',
    schema: 'deployment', original: deployment(),
    patch: { spec: { template: { spec: { tolerations: [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }] } } } },
    expected: { tolerations: [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }] },
  },
  {
    name: 'docs: $retainKeys clears rollingUpdate when switching to Recreate',
    schema: 'deployment', original: deployment(),
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    expected: { strategy: { type: 'Recreate' } },
  },
  {
    name: 'docs: without $retainKeys the strategy map is merged',
    schema: 'deployment', original: deployment(),
    patch: { spec: { strategy: { type: 'Recreate' } } },
    expected: { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
  },
  // maps
  {
    name: 'maps merge recursively and null deletes',
    schema: 'deployment', original: deployment(),
    patch: { metadata: { labels: { tier: null, env: 'prod' }, annotations: { a: 'b', gone: null } } },
    expected: { metadata: { name: 'patch-demo', labels: { app: 'nginx', env: 'prod' }, annotations: { a: 'b' }, finalizers: ['a', 'b'] } },
  },
  {
    name: '$patch: replace on a map replaces it',
    schema: 'deployment', original: deployment(),
    patch: { metadata: { labels: { $patch: 'replace', only: 'this' } } },
    expected: { labels: { only: 'this' } },
  },
  {
    name: '$patch: delete on a map leaves an empty map',
    schema: 'deployment', original: deployment(),
    patch: { metadata: { labels: { $patch: 'delete' } } },
    expected: { labels: {} },
  },
  {
    name: 'a new map in the patch loses its nulls and $patch sub-maps',
    schema: 'deployment', original: deployment(),
    patch: { spec: { template: { spec: { nodeSelector: { a: 'b', c: null }, containers: [c('patch-demo-ctr', { resources: { limits: { cpu: '1', mem: null }, requests: { $patch: 'delete' } } })] } } } },
    expected: {
      nodeSelector: { a: 'b' },
      template: [c('patch-demo-ctr', { image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '1' } } })],
    },
  },
  // lists of maps
  {
    name: 'a container is updated in place by name; null deletes its field',
    schema: 'deployment', original: deployment(),
    patch: podSpec([c('patch-demo-ctr', { image: 'nginx:2', ports: null })]),
    expected: { template: [c('patch-demo-ctr', { image: 'nginx:2' })] },
  },
  {
    name: 'ports merge by containerPort',
    schema: 'deployment', original: deployment(),
    patch: podSpec([c('patch-demo-ctr', { ports: [{ containerPort: 443, protocol: 'TCP' }, { containerPort: 80, name: 'http' }] })]),
    expected: { template: [c('patch-demo-ctr', { image: 'nginx', ports: [{ containerPort: 443, protocol: 'TCP' }, { containerPort: 80, protocol: 'TCP', name: 'http' }] })] },
  },
  {
    name: '$patch: delete removes list items by merge key',
    schema: 'deployment',
    original: podSpec([c('a'), c('b'), c('c')]),
    patch: podSpec([{ name: 'b', $patch: 'delete' }, c('d')]),
    expected: { template: [c('d'), c('a'), c('c')] },
  },
  {
    name: '$patch: replace replaces the whole list',
    schema: 'deployment',
    original: podSpec([c('a', { image: 'x' }), c('b')]),
    patch: podSpec([{ $patch: 'replace' }, c('z', { image: 'y' })]),
    expected: { template: [c('z', { image: 'y' })] },
  },
  {
    name: '$setElementOrder orders a merged list',
    schema: 'deployment',
    original: podSpec([c('a'), c('b'), c('c')]),
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [c('c'), c('a'), c('b')] } } } },
    expected: { template: [c('c'), c('a'), c('b')] },
  },
  {
    name: 'kubectl-apply style patch keeps a server-only item where upstream puts it',
    schema: 'deployment',
    original: podSpec([c('a'), c('b'), c('sidecar')]),
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [c('a'), c('c')], containers: [{ name: 'b', $patch: 'delete' }, c('c', { image: 'new' })] } } } },
    expected: { template: [c('a'), c('sidecar'), c('c', { image: 'new' })] },
  },
  // lists of scalars
  {
    name: 'finalizers (merge) are merged as a set, patch items first',
    schema: 'deployment', original: deployment(),
    patch: { metadata: { finalizers: ['c', 'a'] } },
    expected: { finalizers: ['c', 'a', 'b'] },
  },
  {
    name: '$deleteFromPrimitiveList removes scalars',
    schema: 'deployment', original: deployment(),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 'zz'] } },
    expected: { finalizers: ['b'] },
  },
  {
    name: 'args (no strategy) are replaced',
    schema: 'deployment',
    original: podSpec([c('a', { args: ['1', '2'] })]),
    patch: podSpec([c('a', { args: ['3'] })]),
    expected: { template: [c('a', { args: ['3'] })] },
  },
  // upstream fixtures (strategicpatch/patch_test.go)
  {
    name: 'upstream: set elements order in a list with server-only items 3',
    schema: 'mergeItem',
    original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2' }, { name: '7' }, { name: '9' }, { name: '8' }, { name: '3', value: '3' }, { name: '4', value: '4' }] },
    patch: { '$setElementOrder/mergingList': [{ name: '2' }, { name: '1' }, { name: '4' }, { name: '3' }] },
    expected: { mergingList: [{ name: '2', value: '2' }, { name: '1', other: 'a' }, { name: '7' }, { name: '9' }, { name: '8' }, { name: '4', value: '4' }, { name: '3', value: '3' }] },
  },
  {
    name: 'upstream: set element order for a merging int list with duplicate',
    schema: 'mergeItem',
    original: { mergingIntList: [1, 2, 3, 2, 4] },
    patch: { '$setElementOrder/mergingIntList': [2, 1, 4, 3, 2] },
    expected: { mergingIntList: [2, 2, 1, 4, 3] },
  },
  {
    name: 'upstream: set element order for a merging list with duplicate',
    schema: 'mergeItem',
    original: { mergingList: [{ name: '1' }, { name: '2', value: 'dup1' }, { name: '3' }, { name: '2', value: 'dup2' }, { name: '4' }] },
    patch: { '$setElementOrder/mergingList': [{ name: '2' }, { name: '1' }, { name: '4' }, { name: '3' }, { name: '2' }] },
    expected: { mergingList: [{ name: '2', value: 'dup1' }, { name: '2', value: 'dup2' }, { name: '1' }, { name: '4' }, { name: '3' }] },
  },
  {
    name: 'upstream: $setElementOrder naming an item absent from the int list',
    schema: 'mergeItem',
    original: { mergingIntList: [1, 3] },
    patch: { '$setElementOrder/mergingIntList': [3, 2, 1] },
    expected: { mergingIntList: [3, 1] },
  },
  {
    name: 'upstream: $deleteFromPrimitiveList on a list without merge strategy',
    schema: 'mergeItem',
    original: { nonMergingIntList: [1, 2, 3] },
    patch: { '$deleteFromPrimitiveList/nonMergingIntList': [2] },
    expected: { nonMergingIntList: [1, 3] },
  },
  {
    name: 'upstream: retainKeys list of maps clears a field',
    schema: 'mergeItem',
    original: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a', other: 'b' }] },
    patch: { retainKeysMergingList: [{ name: 'foo', $retainKeys: ['name', 'value'] }] },
    expected: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] },
  },
  {
    name: 'a replace-strategy map is replaced verbatim',
    schema: 'mergeItem',
    original: { replacingItem: { name: 'a', value: 'b' } },
    patch: { replacingItem: { value: 'c' } },
    expected: { replacingItem: { value: 'c' } },
  },
  {
    name: 'without a schema lists are replaced and maps merged',
    schema: 'none',
    original: { a: { b: [1, 2], c: 1 } },
    patch: { a: { b: [3] } },
    expected: { a: { b: [3], c: 1 } },
  },
  {
    name: 'a null patch changes nothing',
    schema: 'none', original: { a: 1 }, patch: null, expected: { a: 1 },
  },
  // errors, worded and coded as kube-apiserver answers them
  {
    name: 'a merge-list item without its merge key',
    schema: 'mergeItem',
    original: { mergingList: [{ name: '1', value: 'a' }] },
    patch: { mergingList: [{ value: 'b' }] },
    error: { code: 500, message: 'map: map[value:b] does not contain declared merge key: name' },
  },
  {
    name: '$patch: delete without the merge key',
    schema: 'mergeItem',
    original: { mergingList: [{ name: '1' }] },
    patch: { mergingList: [{ $patch: 'delete' }] },
    error: { code: 500, message: 'map: map[$patch:delete] does not contain declared merge key: name' },
  },
  {
    name: '$patch: merge in a list',
    schema: 'mergeItem',
    original: { mergingList: [{ name: '1' }] },
    patch: { mergingList: [{ name: '1', $patch: 'merge' }] },
    error: { code: 500, message: 'merging lists cannot yet be specified in the patch' },
  },
  {
    name: 'an unknown $patch on a map',
    schema: 'mergeItem',
    original: { retainKeysMap: { name: 'a' } },
    patch: { retainKeysMap: { $patch: 'merge', value: 1 } },
    error: { code: 500, message: 'unknown patch type: merge in map: map[$patch:merge value:1]' },
  },
  {
    name: 'an unknown $patch in a list item',
    schema: 'mergeItem',
    original: { mergingList: [{ name: '1' }] },
    patch: { mergingList: [{ name: '1', $patch: 5 }] },
    error: { code: 500, message: 'unknown patch type: %!s(int64=5) in map: map[$patch:5 name:1]' },
  },
  {
    name: 'a patch key missing from $retainKeys',
    schema: 'mergeItem',
    original: { retainKeysMap: { name: 'a' } },
    patch: { retainKeysMap: { $retainKeys: ['name'], value: 'x' } },
    error: { code: 400, message: 'invalid patch format of retainKeys' },
  },
  {
    name: '$retainKeys that is not a list',
    schema: 'mergeItem',
    original: { retainKeysMap: { name: 'a' } },
    patch: { retainKeysMap: { $retainKeys: 'name' } },
    error: { code: 400, message: 'invalid patch format of retainKeys' },
  },
  {
    name: 'a patch list out of $setElementOrder order',
    schema: 'mergeItem',
    original: { mergingList: [{ name: '1' }, { name: '3' }, { name: '2' }] },
    patch: { '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }, { name: '3' }], mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] },
    error: { code: 500, message: "The order in patch list:\n[map[name:3 value:3] map[name:1 value:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n" },
  },
  {
    name: 'a malformed $setElementOrder key',
    schema: 'mergeItem', original: {}, patch: { $setElementOrderX: [] },
    error: { code: 400, message: 'invalid patch format of setElementOrder list' },
  },
  {
    name: 'a malformed $deleteFromPrimitiveList key',
    schema: 'mergeItem', original: {}, patch: { $deleteFromPrimitiveListX: [] },
    error: { code: 400, message: 'invalid patch format of primitive list' },
  },
  {
    name: 'a $setElementOrder that is not a list',
    schema: 'mergeItem', original: {}, patch: { '$setElementOrder/mergingList': 'x' },
    error: { code: 500, message: 'expected a []interface {}, but received a string' },
  },
  {
    name: 'a list of lists in a merge list (422, generic message)',
    schema: 'mergeItem',
    original: { mergingIntList: [[1]] },
    patch: { mergingIntList: [[2]] },
    error: { code: 422, message: 'lists of lists are not supported' },
  },
  {
    name: 'mixed element types in a merge list',
    schema: 'mergeItem',
    original: { mergingIntList: [1] },
    patch: { mergingIntList: ['a'] },
    error: { code: 500, message: 'list element types are not identical: [[1] [a]]' },
  },
  {
    name: 'a patch that is not an object',
    schema: 'none', original: {}, patch: [1],
    error: { code: 400, message: 'json: cannot unmarshal array into Go value of type map[string]interface {}' },
  },
];

const SCHEMAS: Record<SmpCase['schema'], PatchSchema | undefined> = {
  deployment: deploymentSchema, mergeItem: mergeItemSchema(), none: undefined,
};

/** Applies a case; a `template` / `tolerations` / ... expectation compares just that part. */
function project(result: Record<string, unknown>, expected: Record<string, unknown>): unknown {
  const spec = result.spec as Record<string, any> | undefined;
  const meta = result.metadata as Record<string, unknown> | undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(expected)) {
    switch (key) {
      case 'template': out[key] = spec?.template?.spec?.containers; break;
      case 'tolerations': out[key] = spec?.template?.spec?.tolerations; break;
      case 'nodeSelector': out[key] = spec?.template?.spec?.nodeSelector; break;
      case 'strategy': out[key] = spec?.strategy; break;
      case 'labels': out[key] = meta?.labels; break;
      case 'finalizers': out[key] = meta?.finalizers; break;
      default: out[key] = result[key];
    }
  }
  return out;
}

describe('applyStrategicMergePatch', () => {
  for (const tc of SMP_CASES) {
    it(tc.name, () => {
      const run = (): Record<string, unknown> => applyStrategicMergePatch(tc.original, tc.patch, SCHEMAS[tc.schema], { listMapKeysFallback: false });
      if (tc.error) {
        assert.throws(run, (err: unknown) => {
          assert.ok(err instanceof PatchError);
          assert.equal(err.message, tc.error?.message);
          assert.equal(err.code, tc.error?.code);
          return true;
        });
        return;
      }
      assert.deepEqual(project(run(), tc.expected as Record<string, unknown>), tc.expected);
    });
  }

  it('does not modify its inputs', () => {
    const original = deployment();
    const patch = podSpec([{ name: 'b', $patch: 'delete' }, c('patch-demo-ctr', { image: 'x', ports: null })]);
    const [o, p] = [structuredClone(original), structuredClone(patch)];
    applyStrategicMergePatch(original, patch, deploymentSchema);
    assert.deepEqual(original, o);
    assert.deepEqual(patch, p);
  });

  it('answers lists of lists with the generic 422 kube-apiserver sends', () => {
    try {
      applyStrategicMergePatch({ mergingIntList: [[1]] }, { mergingIntList: [[2]] }, mergeItemSchema());
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof PatchError);
      const status = err.toStatusError().toStatus();
      assert.deepEqual([status.code, status.reason, status.message, status.details], [422, 'Invalid', UNPROCESSABLE_PATCH_MESSAGE, {}]);
    }
  });

  it('answers plain upstream errors as 500 without a reason', () => {
    try {
      applyStrategicMergePatch({ mergingList: [{ name: '1' }] }, { mergingList: [{ value: 'b' }] }, mergeItemSchema());
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof PatchError);
      const status = err.toStatusError().toStatus();
      assert.equal(status.code, 500);
      assert.equal(status.reason, undefined);
      assert.equal(status.message, 'map: map[value:b] does not contain declared merge key: name');
    }
  });
});

describe('schema lookup', () => {
  const listMap: PatchSchema = {
    type: 'object', properties: {
      items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' }, v: { type: 'string' } } } },
      pairs: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['a', 'b'], items: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } } },
      byKey: { type: 'object', additionalProperties: { type: 'object', properties: { x: { type: 'string' } } } },
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
  const original = { items: [{ name: 'a', v: '1' }], pairs: [{ a: '1', b: '1' }], byKey: { k: { x: '1' } }, free: { a: { b: [1] } } };

  it('merges a list-type=map list by its single key when no patch strategy is given', () => {
    const out = applyStrategicMergePatch(original, { items: [{ name: 'b' }] }, listMap);
    assert.deepEqual(out.items, [{ name: 'b' }, { name: 'a', v: '1' }]);
  });
  it('replaces it with the fallback off (upstream behaviour)', () => {
    const out = applyStrategicMergePatch(original, { items: [{ name: 'b' }] }, listMap, { listMapKeysFallback: false });
    assert.deepEqual(out.items, [{ name: 'b' }]);
  });
  it('replaces list-type=map lists with composite keys', () => {
    const out = applyStrategicMergePatch(original, { pairs: [{ a: '2', b: '2' }] }, listMap);
    assert.deepEqual(out.pairs, [{ a: '2', b: '2' }]);
  });
  it('merges free-form (preserve-unknown-fields) objects without metadata', () => {
    const out = applyStrategicMergePatch(original, { free: { a: { c: 1, b: [2] } } }, listMap);
    assert.deepEqual(out.free, { a: { b: [2], c: 1 } });
  });
  it('rejects merging objects inside a map, as Go structs do', () => {
    assert.throws(() => applyStrategicMergePatch(original, { byKey: { k: { x: '2' } } }, listMap),
      { message: 'merging an object in json but data type is not struct, instead is: map' });
    const out = applyStrategicMergePatch(original, { byKey: { j: { x: '2' } } }, listMap);
    assert.deepEqual(out.byKey, { k: { x: '1' }, j: { x: '2' } });
  });
  it('treats fields a (partial) schema does not list as free-form', () => {
    const partial: PatchSchema = { type: 'object', properties: { metadata: { type: 'object', properties: { finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' } } } } };
    const out = applyStrategicMergePatch({ metadata: { labels: { a: '1' }, finalizers: ['x'] }, spec: { l: [1] } },
      { metadata: { labels: { b: '2' }, finalizers: ['y'] }, spec: { l: [2] } }, partial);
    assert.deepEqual(out, { metadata: { labels: { a: '1', b: '2' }, finalizers: ['y', 'x'] }, spec: { l: [2] } });
  });
  it('matches field names case-insensitively as a fallback, like encoding/json', () => {
    const out = applyStrategicMergePatch({ Metadata: { Finalizers: ['a'] } }, { Metadata: { Finalizers: ['b'] } }, deploymentSchema);
    assert.deepEqual(out, { Metadata: { Finalizers: ['b', 'a'] } });
  });
  it('rejects an impossible strategy combination', () => {
    const schema: PatchSchema = { properties: { l: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge,replace' } } };
    assert.throws(() => applyStrategicMergePatch({ l: ['a'] }, { l: ['b'] }, schema), { message: 'unexpected patch strategy: [merge replace]' });
  });
});
