/**
 * Schema handling for resources declared with a JSON Schema: validation, defaulting and pruning
 * as apiextensions-apiserver does them for custom resources, plus fieldValidation support
 * (duplicate/unknown field reporting, Go-worded JSON syntax errors).
 * @module
 */
export { compileSchema, type CompiledSchema, type ValidateOptions } from './compile.ts';
export type { SchemaNode, SchemaObject } from './node.ts';
export type { RuleOutcome } from './validation-rules.ts';
export { checkFormat, isSupportedFormat } from './formats.ts';
export { pruneObjectMeta } from './object-meta-prune.ts';
export { JsonParseError, MAX_STRICT_ERRORS, findDuplicateFields, parseJsonDetectingDuplicates, type ParsedJson } from './json-parse.ts';
export { findJsonSyntaxError, type GoSyntaxError } from './json-syntax.ts';
export {
  applyFieldValidation, fieldValidationValueError, malformedBodyError, missingKindError, parseFieldValidation,
  strictDecodingProblems, summarizeBody, type FieldValidationDirective, type FieldValidationOutcome,
} from './field-validation.ts';
