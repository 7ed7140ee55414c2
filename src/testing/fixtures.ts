import { defineResource } from '../resource/define-resource.ts';

/**
 * A test resource exercising what wardle does not: a status with fields, a list merged by key
 * in strategic merge patches, a set of strings, defaults and bounds.
 */
export const widgets = defineResource({
  group: 'test.extapi.dev', kind: 'Widget', plural: 'widgets', shortNames: ['wd'], namespaced: true,
  subresources: { status: true },
  versions: [{
    name: 'v1', storage: true,
    printerColumns: [{ name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' }, { name: 'Phase', type: 'string', jsonPath: '.status.phase' }],
    schema: {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            replicas: { type: 'integer', minimum: 0, default: 1 },
            mode: { type: 'string', enum: ['fast', 'slow'] },
            containers: {
              type: 'array', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name',
              items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, image: { type: 'string' } } },
            },
            tags: { type: 'array', 'x-kubernetes-patch-strategy': 'merge', items: { type: 'string' } },
          },
        },
        status: { type: 'object', properties: { phase: { type: 'string' }, ready: { type: 'boolean' } } },
      },
    },
  }],
});
