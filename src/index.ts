/**
 * extapi's public surface: what a team writing an extension API server imports.
 * @packageDocumentation
 */
export { defineResource } from './resource/define-resource.ts';
export type {
  JsonSchema, OperationContext, PrinterColumn, Resource, ResourceDefinition, ResourceRef, Strategy, UserInfo, VersionDefinition,
} from './resource/define-resource.ts';
export type { KubeObject, ObjectMeta, Status, WatchEvent } from './apimachinery/types.ts';
export { StatusError, badRequest, conflict, forbidden, invalid, notFound, type FieldError } from './errors/status-error.ts';
export type { Storage } from './storage/interface.ts';
export { createApiServer, type ApiServer, type ApiServerOptions } from './server/server.ts';
export { runStandalone, type StandaloneOptions } from './server/standalone.ts';
export { runServer } from './server/run.ts';
export { openStorage, type StorageOptions } from './server/storage-options.ts';
export { runDelegated, type DelegatedOptions } from './server/delegated.ts';
