/**
 * The resource both sides of the apply oracle serve: a CRD on kube-apiserver and an extapi
 * resource with the identical schema (lists of every type, nested and atomic maps,
 * int-or-string, preserve-unknown-fields), in two versions without conversion, with the status
 * and scale subresources.
 */
import { defineResource, type Resource } from '../../src/index.ts';

const str = { type: 'string' };
const int = { type: 'integer' };

/** The OpenAPI v3 schema of every version (spec and status). */
export const GADGET_SCHEMA = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: int,
        name: str,
        flag: { type: 'boolean' },
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        atomicList: { type: 'array', items: str },
        setList: { type: 'array', items: str, 'x-kubernetes-list-type': 'set' },
        intSet: { type: 'array', items: int, 'x-kubernetes-list-type': 'set' },
        mapList: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object', required: ['name'],
            properties: { name: str, value: str, weight: int, nested: { type: 'object', properties: { a: str, b: str } } },
          },
        },
        multiKeyList: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name', 'proto'],
          items: { type: 'object', required: ['name', 'proto'], properties: { name: str, proto: str, port: int } },
        },
        labels: { type: 'object', additionalProperties: str },
        atomicMap: { type: 'object', additionalProperties: str, 'x-kubernetes-map-type': 'atomic' },
        atomicStruct: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { x: str, y: str } },
        nested: {
          type: 'object',
          properties: { inner: { type: 'object', properties: { value: str, tags: { type: 'array', items: str, 'x-kubernetes-list-type': 'set' } } } },
        },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    status: {
      type: 'object',
      properties: {
        replicas: int,
        phase: str,
        conditions: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'],
          items: { type: 'object', required: ['type'], properties: { type: str, status: str } },
        },
      },
    },
  },
};

/** The scale subresource of both sides. */
const SCALE = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' };

/** The versions both sides serve (the first is stored). */
export const VERSIONS = ['v1', 'v2'] as const;

/** The extapi resource of `group`. */
export function gadgetResource(group: string): Resource {
  return defineResource({
    group, kind: 'Gadget', plural: 'gadgets', singular: 'gadget', namespaced: true, subresources: { status: true, scale: SCALE },
    versions: VERSIONS.map((name, i) => ({ name, storage: i === 0, schema: GADGET_SCHEMA, toStorage: (o) => o, fromStorage: (o) => o })),
  });
}

/** The CRD of `group` with the same schema. */
export function gadgetCrd(group: string): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `gadgets.${group}` },
    spec: {
      group, scope: 'Namespaced',
      names: { kind: 'Gadget', plural: 'gadgets', singular: 'gadget', listKind: 'GadgetList' },
      versions: VERSIONS.map((name, i) => ({
        name, served: true, storage: i === 0, subresources: { status: {}, scale: SCALE },
        schema: { openAPIV3Schema: GADGET_SCHEMA },
      })),
    },
  };
}
