/** Server-side apply and managedFields: field sets, typed merge, ownership (see docs/apply.md). */
export { FieldManager, LAST_APPLIED_ANNOTATION, MAX_UPDATE_MANAGERS, type FieldManagerOptions } from './field-manager.ts';
export { typeOfResourceSchema, typeOfSchema, type TypeNode } from './schema.ts';
export { FieldSet, setOf } from './set.ts';
export { fieldElement } from './path.ts';
export { TypedValueError } from './typed.ts';
export type { VersionTypes } from './updater.ts';
