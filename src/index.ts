/**
 * extapi's public surface: what a team writing an extension API server imports.
 * @packageDocumentation
 */
export { defineResource, defineVersion } from './resource/define-resource.ts';
export type {
  GarbageCollectionPolicy, JsonSchema, ObjectOf, OperationContext, PrinterColumn, Resource, ResourceDefinition, ResourceRef, Strategy, SubresourcesDefinition, UserInfo, VersionDefinition,
} from './resource/define-resource.ts';
export type {
  BackendList, BackendTarget, ComputedSource, ResourceBackend, ScaleDefinition, StreamDefinition, StreamRequest,
} from './resource/user-code.ts';
export type { KubeObject, ObjectMeta, Status, WatchEvent } from './apimachinery/types.ts';
export {
  StatusError, alreadyExists, badRequest, conflict, forbidden, internalError, invalid, notFound, serviceUnavailable, type FieldError, type GroupResource,
} from './errors/status-error.ts';
/** Field-error constructors worded as k8s.io/apimachinery's `field.Invalid`, `field.Required`, ... (`field.invalid('spec.x', v, 'why')`). */
export * as field from './apimachinery/validation/field-errors.ts';
export type { Storage } from './storage/interface.ts';
export type { Authenticator, Authorizer, AuthorizationAttributes, Decision } from './auth/types.ts';
export type { RequestInfo } from './endpoints/request-info.ts';
export type { AdmissionPlugin } from './admission/types.ts';
export type { HealthCheck } from './server/health.ts';
export { createApiServer, type ApiServer, type ApiServerOptions, type TlsMaterial } from './server/server.ts';
export { runStandalone, type StandaloneOptions } from './server/standalone.ts';
export { runServer } from './server/run.ts';
export { openStorage, type StorageOptions } from './server/storage-options.ts';
export { runDelegated, type DelegatedOptions } from './server/delegated.ts';
export { KubeApiError, loadKubeClient, type KubeClient, type KubeClientOptions } from './kube/client.ts';
