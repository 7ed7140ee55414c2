/**
 * Schemas shared by the strategic-merge-patch tests: a Deployment shaped like apps/v1's
 * OpenAPI (patch strategies as kube publishes them) and upstream's MergeItem test type.
 * Named *.test.ts so it never ships; it registers no tests itself.
 */
import type { PatchSchema } from './smp-schema.ts';

const str: PatchSchema = { type: 'string' };
const int: PatchSchema = { type: 'integer' };
const stringMap: PatchSchema = { type: 'object', additionalProperties: str };

/** metav1.ObjectMeta, as far as the tests need it. */
export const objectMetaSchema: PatchSchema = {
  type: 'object',
  title: 'ObjectMeta',
  properties: {
    name: str, namespace: str, labels: stringMap, annotations: stringMap,
    finalizers: { type: 'array', items: str, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' },
    ownerReferences: {
      type: 'array', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'uid',
      items: { type: 'object', properties: { apiVersion: str, kind: str, name: str, uid: str } },
    },
  },
};

const containerSchema: PatchSchema = {
  type: 'object',
  title: 'Container',
  properties: {
    name: str, image: str, imagePullPolicy: str,
    args: { type: 'array', items: str },
    ports: {
      type: 'array', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'containerPort',
      'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
      items: { type: 'object', properties: { name: str, containerPort: int, protocol: str } },
    },
    env: {
      type: 'array', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name',
      items: { type: 'object', properties: { name: str, value: str } },
    },
    resources: { type: 'object', properties: { limits: stringMap, requests: stringMap } },
  },
};

const podSpecSchema: PatchSchema = {
  type: 'object',
  title: 'PodSpec',
  properties: {
    containers: { type: 'array', items: containerSchema, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
    tolerations: {
      type: 'array',
      items: { type: 'object', properties: { key: str, operator: str, value: str, effect: str } },
    },
    nodeSelector: stringMap,
  },
};

/** apps/v1 Deployment (subset), patch strategies as published by kube-apiserver. */
export const deploymentSchema: PatchSchema = {
  type: 'object',
  title: 'Deployment',
  properties: {
    apiVersion: str, kind: str, metadata: objectMetaSchema,
    spec: {
      type: 'object',
      title: 'DeploymentSpec',
      properties: {
        replicas: int,
        selector: { type: 'object', properties: { matchLabels: stringMap } },
        strategy: {
          type: 'object', 'x-kubernetes-patch-strategy': 'retainKeys',
          properties: {
            type: str,
            rollingUpdate: { type: 'object', properties: { maxSurge: { 'x-kubernetes-int-or-string': true }, maxUnavailable: { 'x-kubernetes-int-or-string': true } } },
          },
        },
        template: { type: 'object', properties: { metadata: objectMetaSchema, spec: podSpecSchema } },
      },
    },
  },
};

/** Upstream's MergeItem test type (strategicpatch/patch_test.go), unrolled `depth` levels. */
export function mergeItemSchema(depth = 3): PatchSchema {
  const properties: Record<string, PatchSchema> = {
    name: str, value: str, other: str,
    mergingIntList: { type: 'array', items: int, 'x-kubernetes-patch-strategy': 'merge' },
    nonMergingIntList: { type: 'array', items: int },
    simpleMap: stringMap,
  };
  if (depth > 0) {
    const child = mergeItemSchema(depth - 1);
    properties.mergingList = { type: 'array', items: child, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' };
    properties.nonMergingList = { type: 'array', items: child };
    properties.retainKeysMap = {
      type: 'object', 'x-kubernetes-patch-strategy': 'retainKeys',
      properties: { name: str, value: str, other: str, mergingIntList: { type: 'array', items: int, 'x-kubernetes-patch-strategy': 'merge' } },
    };
    properties.retainKeysMergingList = {
      type: 'array', items: child, 'x-kubernetes-patch-strategy': 'merge,retainKeys', 'x-kubernetes-patch-merge-key': 'name',
    };
    properties.replacingItem = { type: 'object', 'x-kubernetes-patch-strategy': 'replace', properties: { name: str, value: str } };
  }
  return { type: 'object', title: 'MergeItem', properties };
}
