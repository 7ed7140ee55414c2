import type { KubeObject } from '../../apimachinery/types.ts';
import type { Getter, Rest, Updater, WriteContext, WriteResult } from '../../rest/interfaces.ts';
import type { GenericStore } from '../store.ts';

/**
 * The `status` subresource of a stored resource: get, update and patch of the whole object
 * where only `.status` changes (the store keeps everything else, as kube's status strategy).
 */
export class StatusRest implements Rest, Getter, Updater {
  readonly resource;

  constructor(private readonly store: GenericStore) {
    this.resource = store.resource;
  }

  /** The whole object, as the resource's get. */
  get(namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.store.get(namespace, name);
  }

  /** Replaces `.status` only; everything else of `mutate`'s result is ignored. */
  update(namespace: string | undefined, name: string, mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>, ctx: WriteContext): Promise<WriteResult> {
    return this.store.update(namespace, name, mutate, { ...ctx, subresource: 'status' });
  }
}
