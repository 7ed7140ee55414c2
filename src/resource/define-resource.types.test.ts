/**
 * Type-level tests of defineResource's inference (strategy hooks, admission rules, conversion
 * functions) and of the typed client, checked by `tsc --noEmit` (part of `npm test`):
 * every `@ts-expect-error` line must be a compile error, or tsc fails with "Unused
 * '@ts-expect-error' directive". The node:test cases only check that the definitions also run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from 'typebox';
import type { KubeObject } from '../apimachinery/types.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import { resourceClient, type ObjectOfResource } from '../client/index.ts';
import { defineResource, defineVersion, type Resource } from './define-resource.ts';

const widgetV1 = Type.Object({
  spec: Type.Object({ size: Type.Integer(), color: Type.Optional(Type.String()) }),
  status: Type.Optional(Type.Object({ ready: Type.Boolean() })),
});
const widgetV0 = Type.Object({ spec: Type.Object({ big: Type.Boolean() }) });

/** Exact type equality, as a type that is `true` only when A and B are the same. */
type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends (<G>() => G extends B ? 1 : 2) ? true : false;
const same = <A, B>(ok: Equal<A, B>): Equal<A, B> => ok;

const widgets = defineResource({
  group: 'types.example.com', kind: 'Widget', plural: 'widgets', namespaced: true,
  versions: [
    defineVersion({ name: 'v0', schema: widgetV0,
      toStorage: (o) => ({ ...o, spec: { size: o.spec.big ? 10 : 1 } }),
      // @ts-expect-error `big` must be a boolean in v0's schema
      fromStorage: (o) => ({ ...o, spec: { big: 'yes' } }) }),
    { name: 'v1', storage: true, schema: widgetV1 },
  ],
  strategy: {
    validate(obj) {
      same<typeof obj.spec.size, number>(true);
      same<typeof obj.spec.color, string | undefined>(true);
      return obj.spec.size > 0 ? [] : [{ type: 'FieldValueInvalid', field: 'spec.size', detail: 'must be positive' }];
    },
    prepareForCreate(obj) {
      // @ts-expect-error `colour` is not a field of the storage version's schema (v1 has `color`)
      obj.spec.colour = 'red';
      // @ts-expect-error `size` is an integer, not a string
      obj.spec.size = 'large';
      obj.metadata.labels = { made: 'here' };
    },
    validateUpdate(obj, old) {
      // @ts-expect-error `big` belongs to v0, not to the storage version the hooks see
      return obj.spec.big === old.spec.size ? [] : [];
    },
    admit(obj, old) {
      same<typeof old, typeof obj | null>(true);
      if (old?.spec.size === obj.spec.size) return;
      // @ts-expect-error admission rules see the schema too: `ready` is a boolean
      if (obj.status) obj.status.ready = 'yes';
    },
    validateAdmission(obj) {
      // @ts-expect-error `colour` is not a field of the schema in an admission rule either
      if (obj.spec.colour === 'red') throw new Error('no red');
    },
  },
});

// A plain JSON Schema gives KubeObject: nothing is known beyond metadata, apiVersion, kind.
const plain = defineResource({
  group: 'types.example.com', kind: 'Plain', plural: 'plains', namespaced: false,
  versions: [{ name: 'v1', storage: true, schema: { type: 'object', properties: { spec: { type: 'object' } } } }],
  strategy: { validate: (obj) => { same<typeof obj, KubeObject>(true); return obj.metadata.name ? [] : []; } },
});

// The resource carries the type for typed clients, and still is a Resource for the framework.
same<typeof widgets extends Resource<infer T> ? T['spec'] : never, { size: number; color?: string }>(true);
const all: Resource[] = [widgets, plain];

// The typed client (extapi/client) answers and accepts the schema's type.
export async function typedClientCalls(kc: KubeConfig): Promise<void> {
  const client = resourceClient(kc, widgets);
  const got = await client.get('w', 'default');
  same<typeof got, ObjectOfResource<typeof widgets>>(true);
  same<typeof got.spec.size, number>(true);
  assert.ok(got.spec.size >= 0);
  // @ts-expect-error create takes the schema's type: `size` is a number
  await client.create({ apiVersion: 'types.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 'big' } });
  await client.apply({ apiVersion: 'types.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { color: 'red' } }, { fieldManager: 'me' });
  // @ts-expect-error an apply configuration is a partial of the schema's type, not any object
  await client.apply({ apiVersion: 'types.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { colour: 'red' } }, { fieldManager: 'me' });
  for await (const w of client.listAll()) {
    same<typeof w.spec.color, string | undefined>(true);
    assert.ok(w.metadata.name);
  }
}

test('typed definitions are ordinary resources at run time', () => {
  assert.deepEqual(all.map((r) => [r.plural, r.storageVersion]), [['widgets', 'v1'], ['plains', 'v1']]);
  const obj = { metadata: { name: 'w' }, spec: { size: 0 } };
  assert.deepEqual(widgets.strategy.validate?.(obj, {} as never), [{ type: 'FieldValueInvalid', field: 'spec.size', detail: 'must be positive' }]);
});
