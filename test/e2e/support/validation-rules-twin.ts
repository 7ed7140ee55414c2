/**
 * A Widget resource whose schema carries `x-kubernetes-validations` (object and field rules,
 * message/messageExpression/reason/fieldPath, a transition rule, optionalOldSelf, a status rule,
 * a root rule), served by extapi (validation-rules-server.ts) and, with the very same schema, as
 * a CRD on the test control plane: the oracle for rule evaluation and wording.
 */
import { defineResource } from '../../../src/index.ts';
import type { RegisteredGroup } from './wardle-server.ts';

/** The group extapi serves Widgets in. */
export const RULES_API: RegisteredGroup = { group: 'rules.example.com', versions: [['v1', 15]] };

/** The Widget schema (openAPIV3Schema), shared by our server and the CRD twin. */
export const widgetSchema = {
  type: 'object',
  'x-kubernetes-validations': [
    { rule: "!self.metadata.name.startsWith('x')", message: 'names starting with x are reserved' },
  ],
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: '!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas', message: 'minReplicas must not exceed maxReplicas' },
        {
          rule: "!has(self.mode) || self.mode != 'locked' || !has(self.replicas) || self.replicas == 0",
          messageExpression: "'mode ' + self.mode + ' needs 0 replicas'",
          reason: 'FieldValueForbidden', fieldPath: '.replicas',
        },
      ],
      properties: {
        minReplicas: { type: 'integer' },
        maxReplicas: { type: 'integer' },
        replicas: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= 0 && self < 100' }] },
        mode: { type: 'string', maxLength: 10 },
        name: { type: 'string', maxLength: 20, 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'name is immutable' }] },
        owner: {
          type: 'string', maxLength: 20,
          'x-kubernetes-validations': [{ rule: "!oldSelf.hasValue() || oldSelf.value() == '' || self == oldSelf.value()", message: 'owner can only be set once', optionalOldSelf: true }],
        },
        tags: {
          type: 'array', maxItems: 10, items: { type: 'string', maxLength: 20 },
          'x-kubernetes-validations': [{ rule: "self.all(t, t.matches('^[a-z]+$'))", message: 'tags must be lowercase letters' }],
        },
        ratio: { type: 'number', 'x-kubernetes-validations': [{ rule: 'self >= 0.0 && self <= 1.0', reason: 'FieldValueInvalid' }] },
        code: { type: 'string', maxLength: 10, 'x-kubernetes-validations': [{ rule: 'self.size() <= 3', messageExpression: "'code ' + self + ' is longer than 3'" }] },
      },
    },
    status: {
      type: 'object',
      properties: { phase: { type: 'string', 'x-kubernetes-validations': [{ rule: "self in ['Pending', 'Ready']", message: 'unknown phase' }] } },
    },
  },
} as const;

/** The Widget resource as extapi serves it. */
export const widgets = defineResource({
  group: RULES_API.group, kind: 'Widget', plural: 'widgets', singular: 'widget', namespaced: true,
  subresources: { status: true },
  versions: [{ name: 'v1', storage: true, schema: widgetSchema as unknown as Record<string, unknown> }],
});

/** The CRD twin of {@link widgets} in `group` (JSON is YAML). */
export function widgetCrdYaml(group: string): string {
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group, scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: widgetSchema } }],
    },
  });
}
