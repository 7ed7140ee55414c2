/**
 * `extapi/client`: typed clients for resources defined with defineResource, on
 * `@kubernetes/client-node`'s KubeConfig, through kube-apiserver and its aggregator.
 * @packageDocumentation
 */
export {
  resourceClient, type ResourceClient, type ObjectOfResource, type ObjectList, type ListOptions, type SelectOptions, type WriteOptions,
  type PatchType, type TypedWatchEvent, type WatchOptions, type ApplyOptions, type ApplyConfiguration, type DeepPartial,
} from './resource-client.ts';
export { KubeApiError } from '../kube/client.ts';
