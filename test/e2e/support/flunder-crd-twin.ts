/** The deprecation warning of wardle's v1alpha1 Flunder (upstream's text), for `group`. */
export function flunderDeprecationWarning(group: string): string {
  return `${group}/v1alpha1 Flunder is deprecated in v1.3+, unavailable in v1.10+`;
}

/** What a Flunder CRD twin declares beyond the default. */
export interface FlunderCrdTwinOptions {
  /**
   * Wardle's replicas too: `spec.replicas` (integer ≥ 0), a typed `status` (`replicas`,
   * `selector`) and the scale subresource over them, as wardle serves `flunders/scale`.
   * Without it `status` preserves unknown fields and there is no scale subresource.
   */
  scale?: boolean;
}

/**
 * The CRD twin of wardle's v1alpha1 Flunder (same schema, status subresource, same deprecation)
 * under another group, for differential tests that send the same requests to kube-apiserver's
 * CRD and to wardle.
 */
export function flunderCrdTwinYaml(group: string, options: FlunderCrdTwinOptions = {}): string {
  const replicas = options.scale ? '\n              replicas: {type: integer, minimum: 0}' : '';
  const status = options.scale
    ? 'status: {type: object, properties: {replicas: {type: integer}, selector: {type: string}}}'
    : 'status: {type: object, x-kubernetes-preserve-unknown-fields: true}';
  const subresources = options.scale
    ? '{status: {}, scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}}'
    : '{status: {}}';
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: flunders.${group}}
spec:
  group: ${group}
  scope: Namespaced
  names: {plural: flunders, singular: flunder, kind: Flunder, listKind: FlunderList}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    deprecated: true
    deprecationWarning: "${flunderDeprecationWarning(group)}"
    subresources: ${subresources}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              reference: {type: string}
              referenceType: {type: string}${replicas}
          ${status}
`;
}
