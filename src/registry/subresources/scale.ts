import type { KubeObject } from '../../apimachinery/types.ts';
import { invalid } from '../../errors/status-error.ts';
import { readJsonPath } from '../../endpoints/table.ts';
import type { ScaleDefinition } from '../../resource/user-code.ts';
import type { Getter, Rest, SubresourceKind, Updater, WriteContext, WriteResult } from '../../rest/interfaces.ts';
import { deepCopy } from '../../apimachinery/deep-copy.ts';
import { compileSchema, type CompiledSchema, type SchemaObject } from '../../resource/schema/index.ts';
import { invalid as invalidField } from '../../apimachinery/validation/field-errors.ts';
import type { GenericStore } from '../store.ts';

/** autoscaling/v1 Scale, as kube-apiserver publishes it. */
export const SCALE_KIND: SubresourceKind = {
  group: 'autoscaling', version: 'v1', kind: 'Scale', openApiName: 'io.k8s.api.autoscaling.v1.Scale',
  schema: {
    type: 'object',
    description: 'Scale represents a scaling request for a resource.',
    properties: {
      apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' },
      spec: { type: 'object', properties: { replicas: { type: 'integer', format: 'int32', description: 'replicas is the desired number of instances for the scaled object.' } } },
      status: {
        type: 'object', required: ['replicas'],
        properties: {
          replicas: { type: 'integer', format: 'int32', default: 0, description: 'replicas is the actual number of observed instances of the scaled object.' },
          selector: { type: 'string', description: 'selector is the label query over pods that should match the replicas count.' },
        },
      },
    },
  },
};

/**
 * The `scale` subresource of a stored resource, as a CRD's: get answers an autoscaling/v1 Scale
 * read from the declared paths; update and patch write spec.replicas back to `specReplicasPath`
 * (everything else of the object is kept; a resourceVersion in the Scale is a precondition).
 */
export class ScaleRest implements Rest, Getter, Updater {
  readonly resource;
  readonly kind = SCALE_KIND;
  readonly allowsUnconditionalUpdate = true;

  private readonly schema: CompiledSchema;

  constructor(private readonly store: GenericStore, private readonly paths: ScaleDefinition) {
    this.resource = store.resource;
    const storage = store.resource.versions.find((v) => v.name === store.resource.storageVersion)!;
    this.schema = compileSchema(storage.schema as SchemaObject);
  }

  /** The Scale of the object. */
  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.toScale(await this.store.get(namespace, name));
  }

  /**
   * Sets the object's desired replicas from the Scale `mutate` answers; answers the new Scale. The
   * object is then checked against its schema, and negative replicas refused, with kube-apiserver's
   * wording for a CRD (422 on the resource's kind, the path as declared).
   */
  async update(namespace: string | undefined, name: string, mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>, ctx: WriteContext): Promise<WriteResult> {
    const result = await this.store.update(namespace, name, async (current) => {
      const scale = await mutate(this.toScale(current));
      const replicas = Number((scale.spec as { replicas?: unknown } | undefined)?.replicas ?? 0);
      const next = deepCopy(current);
      writeJsonPath(next, this.paths.specReplicasPath, replicas);
      const errors = this.schema.validate(next);
      if (replicas < 0) errors.push(invalidField(this.paths.specReplicasPath, replicas, 'should be a non-negative integer'));
      if (errors.length > 0) throw invalid(this.resource.kind, this.resource.group, name, errors);
      if (scale.metadata.resourceVersion) next.metadata.resourceVersion = scale.metadata.resourceVersion;
      return next;
    }, { ...ctx, subresource: 'scale' });
    return { object: this.toScale(result.object), warnings: result.warnings };
  }

  private toScale(obj: KubeObject): KubeObject {
    const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
    const specReplicas = Number(readJsonPath(obj, this.paths.specReplicasPath) ?? 0);
    const status: Record<string, unknown> = { replicas: Number(readJsonPath(obj, this.paths.statusReplicasPath) ?? 0) };
    const selector = this.paths.labelSelectorPath ? readJsonPath(obj, this.paths.labelSelectorPath) : undefined;
    if (typeof selector === 'string' && selector) status.selector = selector;
    const metadata: KubeObject['metadata'] = { name, namespace, uid, resourceVersion, creationTimestamp };
    if (!namespace) delete metadata.namespace;
    return { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata, spec: specReplicas ? { replicas: specReplicas } : {}, status };
  }
}

/** Sets the value at a simple dotted path (`.spec.replicas`), creating objects on the way. */
function writeJsonPath(obj: KubeObject, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let at = obj as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) {
    if (at[part] === null || typeof at[part] !== 'object') at[part] = {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]] = value;
}
