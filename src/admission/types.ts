import type { KubeObject } from '../apimachinery/types.ts';
import type { OperationContext, Resource } from '../resource/define-resource.ts';

/**
 * A server-wide admission plugin, run for every resource after the resource's own strategy
 * hooks: `admit` may mutate, `validate` may refuse by throwing a StatusError.
 */
export interface AdmissionPlugin {
  name: string;
  admit?(obj: KubeObject, old: KubeObject | null, ctx: OperationContext, resource: Resource): void | Promise<void>;
  validate?(obj: KubeObject, old: KubeObject | null, ctx: OperationContext, resource: Resource): void | Promise<void>;
}
