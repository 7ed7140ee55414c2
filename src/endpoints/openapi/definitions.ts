import type { JsonSchema, Resource, VersionDefinition } from '../../resource/define-resource.ts';
import type { ApiResource } from '../../rest/api-resource.ts';
import { deepCopy } from '../../apimachinery/deep-copy.ts';

/** The OpenAPI name of meta.k8s.io/v1 types, as kube-apiserver publishes them. */
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** The OpenAPI definition name of a kind: reversed group, version, kind (`com.example.wardle.v1alpha1.Flunder`). */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** Shared meta.k8s.io/v1 definitions that resource schemas and operations refer to. */
export function metaDefinitions(ref: (name: string) => string): Record<string, JsonSchema> {
  const str = (description: string) => ({ type: 'string', description });
  return {
    [`${META}.ObjectMeta`]: {
      description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
      type: 'object',
      properties: {
        name: str('Name must be unique within a namespace. Cannot be updated.'),
        generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
        namespace: str('Namespace defines the space within which each name must be unique.'),
        uid: str('UID is the unique in time and space value for this object. Populated by the system. Read-only.'),
        resourceVersion: str('An opaque value that represents the internal version of this object. Populated by the system. Read-only.'),
        generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.' },
        creationTimestamp: { type: 'string', format: 'date-time', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' },
        deletionTimestamp: { type: 'string', format: 'date-time', description: 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.' },
        deletionGracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.' },
        labels: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Map of string keys and values that can be used to organize and categorize (scope and select) objects.' },
        annotations: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.' },
        finalizers: { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge', description: 'Must be empty before the object is deleted from the registry.' },
        ownerReferences: { type: 'array', items: { type: 'object', additionalProperties: true }, 'x-kubernetes-patch-merge-key': 'uid', 'x-kubernetes-patch-strategy': 'merge', description: 'List of objects depended by this object.' },
        managedFields: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.' },
      },
    },
    [`${META}.ListMeta`]: {
      description: 'ListMeta describes metadata that synthetic resources must have, including lists and various status objects.',
      type: 'object',
      properties: { resourceVersion: str('String that identifies the server\'s internal version of this object.'), continue: str('continue may be set if the user set a limit on the number of items returned.'), remainingItemCount: { type: 'integer', format: 'int64', description: 'The number of subsequent items in the list which are not included in this list response.' } },
    },
    [`${META}.Status`]: {
      description: 'Status is a return value for calls that don\'t return other objects.',
      type: 'object',
      properties: { apiVersion: str('APIVersion'), kind: str('Kind'), code: { type: 'integer', format: 'int32', description: 'Suggested HTTP return code for this status, 0 if not set.' }, message: str('A human-readable description of the status of this operation.'), reason: str('A machine-readable description of why this operation is in the "Failure" status.'), status: str('Status of the operation. One of: "Success" or "Failure".'), metadata: { allOf: [{ $ref: ref(`${META}.ListMeta`) }], default: {} }, details: { type: 'object', additionalProperties: true } },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
    },
    [`${META}.WatchEvent`]: {
      type: 'object', required: ['type', 'object'],
      properties: { type: { type: 'string' }, object: { type: 'object', additionalProperties: true } },
    },
    [`${META}.Patch`]: { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' },
    [`${META}.DeleteOptions`]: {
      description: 'DeleteOptions may be provided when deleting an API object.', type: 'object',
      properties: { dryRun: { type: 'array', items: { type: 'string' } }, gracePeriodSeconds: { type: 'integer', format: 'int64' }, propagationPolicy: { type: 'string' }, preconditions: { type: 'object', properties: { uid: { type: 'string' }, resourceVersion: { type: 'string' } } } },
    },
  };
}

const MORE_INFO = 'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md';

/** The descriptions kube-apiserver gives the TypeMeta/ObjectMeta/ListMeta fields of a CRD's object and list schemas. */
export const STANDARD_FIELD_DESCRIPTIONS = {
  apiVersion: `APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. ${MORE_INFO}#resources`,
  kind: `Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. ${MORE_INFO}#types-kinds`,
  metadata: `Standard object's metadata. ${MORE_INFO}#metadata`,
  listMetadata: `Standard list metadata. ${MORE_INFO}#types-kinds`,
} as const;

/** The object and list definitions of one resource version, with metadata referring to ObjectMeta. */
export function resourceDefinitions(resource: Resource, version: VersionDefinition, ref: (name: string) => string): Record<string, JsonSchema> {
  const name = definitionName(resource.group, version.name, resource.kind);
  const gvk = [{ group: resource.group, kind: resource.kind, version: version.name }];
  const schema = deepCopy(version.schema) as { properties?: Record<string, unknown>; description?: string };
  const properties = {
    ...(schema.properties ?? {}),
    apiVersion: { type: 'string', description: STANDARD_FIELD_DESCRIPTIONS.apiVersion },
    kind: { type: 'string', description: STANDARD_FIELD_DESCRIPTIONS.kind },
    metadata: { allOf: [{ $ref: ref(`${META}.ObjectMeta`) }], default: {}, description: STANDARD_FIELD_DESCRIPTIONS.metadata },
  };
  const listGvk = [{ group: resource.group, kind: resource.listKind, version: version.name }];
  return {
    [name]: { ...schema, type: 'object', properties, 'x-kubernetes-group-version-kind': gvk },
    [definitionName(resource.group, version.name, resource.listKind)]: {
      description: version.listDescription ?? `${resource.listKind} is a list of ${resource.kind}`, type: 'object', required: ['items'],
      properties: {
        apiVersion: { type: 'string', description: STANDARD_FIELD_DESCRIPTIONS.apiVersion },
        kind: { type: 'string', description: STANDARD_FIELD_DESCRIPTIONS.kind },
        items: { type: 'array', description: `List of ${resource.plural}. ${MORE_INFO}`, items: { allOf: [{ $ref: ref(name) }], default: {} } },
        metadata: { allOf: [{ $ref: ref(`${META}.ListMeta`) }], default: {}, description: STANDARD_FIELD_DESCRIPTIONS.listMetadata },
      },
      'x-kubernetes-group-version-kind': listGvk,
    },
  };
}

/** The definitions of the kinds a resource's subresources speak (e.g. autoscaling/v1 Scale). */
export function subresourceDefinitions(api: ApiResource, ref: (name: string) => string): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const sub of api.subresources.values()) {
    if (!sub.kind) continue;
    const { group, version, kind, schema } = sub.kind;
    const name = sub.kind.openApiName ?? definitionName(group, version, kind);
    const properties = { ...((schema as { properties?: Record<string, unknown> }).properties ?? {}), metadata: { allOf: [{ $ref: ref(`${META}.ObjectMeta`) }], default: {}, description: STANDARD_FIELD_DESCRIPTIONS.metadata } };
    out[name] = { ...schema, properties, 'x-kubernetes-group-version-kind': [{ group, kind, version }] };
  }
  return out;
}
