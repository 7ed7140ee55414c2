import type { KubeObject } from '../apimachinery/types.ts';
import { badRequest, invalid, type FieldError, type StatusError } from '../errors/status-error.ts';
import type { Resource, VersionDefinition } from '../resource/define-resource.ts';
import { storageApiVersion } from '../resource/versions.ts';
import {
  applyFieldValidation, compileSchema, fieldValidationValueError, JsonParseError, malformedBodyError,
  parseFieldValidation as readFieldValidation, parseJsonDetectingDuplicates, pruneObjectMeta, strictDecodingProblems,
  type CompiledSchema, type SchemaObject,
} from '../resource/schema/index.ts';
import type { OptionsKind } from './scope.ts';
import { objectMetaTypeError } from '../apimachinery/validation/meta-types.ts';
import { dropEmptyMetadata } from '../registry/object-meta.ts';
import { jsonDepth, MAX_JSON_DEPTH } from './json-depth.ts';
import { parseYamlBody } from './yaml-body.ts';
import { invalid as invalidField, NIL_FIELD_PATH } from '../apimachinery/validation/field-errors.ts';
import { deepCopy } from '../apimachinery/deep-copy.ts';

/** Schema errors after which kube-apiserver does not run validation rules (hasBlockingErr). */
const BLOCKING_ERRORS: ReadonlySet<FieldError['type']> = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);
const RULES_NOT_CHECKED = 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

/** How strictly unknown and duplicate fields are treated (the `fieldValidation` query parameter). */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Reads `fieldValidation` (default Warn); another value answers 422 on the verb's options kind. */
export function parseFieldValidation(value: string | null, optionsKind: OptionsKind): FieldValidation {
  const parsed = readFieldValidation(value);
  if (parsed === null) throw invalid(optionsKind, 'meta.k8s.io', '', [fieldValidationValueError(value ?? '')]);
  return parsed;
}

/**
 * The codec of one served version of a resource: turns bodies into objects of this version
 * (checked against its schema), and converts between this version and the storage version.
 */
export class VersionCodec {
  readonly resource: Resource;
  readonly version: VersionDefinition;
  readonly apiVersion: string;
  private readonly schema: CompiledSchema;

  constructor(resource: Resource, version: VersionDefinition) {
    this.resource = resource;
    this.version = version;
    this.apiVersion = `${resource.group}/${version.name}`;
    this.schema = compileSchema(version.schema as SchemaObject);
  }

  /**
   * Parses a JSON or YAML body into an object of this version. Missing apiVersion/kind are
   * filled in; another served version of the same kind is converted; anything else answers 400.
   * Unknown and duplicate fields: dropped silently (Ignore), dropped with warnings (Warn) or a
   * 400 BadRequest (Strict), worded as kube-apiserver words them.
   */
  decode(body: Buffer, format: 'json' | 'yaml', validation: FieldValidation, codecs: Map<string, VersionCodec>): { object: KubeObject; warnings: string[] } {
    const { value, duplicateFields } = this.parseBody(body, format, validation);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw malformedBodyError(this.resource.kind, body, `json: cannot unmarshal ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} into Go value of type ${this.resource.kind}`);
    }
    let obj = value as KubeObject;
    this.checkTypeMeta(obj, body);
    if (obj.apiVersion && obj.apiVersion !== this.apiVersion) {
      const other = codecs.get(obj.apiVersion)!;
      const unknown = other.normalize(obj, validation, duplicateFields);
      obj = this.fromStorage(other.toStorage(unknown.object));
      return { object: obj, warnings: unknown.warnings };
    }
    return this.normalize(obj, validation, duplicateFields);
  }

  /**
   * Applies pruning (per `validation`), defaults and metadata shape checks to a decoded object.
   * Under Strict, problems answer 400 BadRequest, or what `strictError` makes of them (a patch answers 422).
   */
  normalize(obj: KubeObject, validation: FieldValidation, duplicateFields: string[] = [], strictError?: (problems: string[]) => StatusError): { object: KubeObject; warnings: string[] } {
    obj.apiVersion = this.apiVersion;
    obj.kind = this.resource.kind;
    const typeError = objectMetaTypeError(obj.metadata);
    if (typeError) throw badRequest(`${this.resource.kind} in version "${this.version.name}" cannot be handled as a ${this.resource.kind}: ${typeError}`);
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    const unknown = [...pruneObjectMeta(obj.metadata), ...this.schema.prune(obj)];
    dropEmptyMetadata(obj);
    const problems = strictDecodingProblems(duplicateFields, unknown);
    const outcome = applyFieldValidation(validation, problems, this.resource.kind, this.version.name);
    if (outcome.error) throw strictError ? strictError(problems) : outcome.error;
    this.schema.applyDefaults(obj);
    return { object: obj, warnings: outcome.warnings };
  }

  /**
   * Readies an applied object (merged by the field manager) in place: ObjectMeta as Go's round
   * trip leaves it (null and empty labels, annotations, finalizers, ownerReferences dropped) and
   * schema defaults filled. Nulls a prune left elsewhere stay, for validation to refuse, as
   * kube-apiserver does.
   */
  normalizeApplied(obj: KubeObject): void {
    obj.apiVersion = this.apiVersion;
    obj.kind = this.resource.kind;
    const meta = obj.metadata as Record<string, unknown>;
    for (const key of ['labels', 'annotations', 'finalizers', 'ownerReferences']) if (meta[key] === null) delete meta[key];
    dropEmptyMetadata(obj);
    this.schema.applyDefaults(obj);
  }

  /**
   * Schema errors of `obj` (this version), then its `x-kubernetes-validations` rules, as one 422
   * Invalid, as kube-apiserver's custom resource strategy. A write of the status subresource
   * validates `status` alone by the schema, as kube-apiserver's status strategy does (the rest is
   * the stored object's); rules see the object as it will be stored. `old` is the stored object
   * in this version on update (undefined on create); rules reading `oldSelf` run only with it.
   * Returns the warnings of rules ratcheted on unchanged values.
   */
  validate(obj: KubeObject, subresource?: string, old?: KubeObject): string[] {
    const errors: FieldError[] = subresource === 'status'
      ? ('status' in obj ? this.schema.validate(obj.status, { property: 'status' }) : [])
      : this.schema.validate(obj);
    let warnings: string[] = [];
    if (this.schema.hasRules) {
      if (errors.some((e) => BLOCKING_ERRORS.has(e.type))) errors.push(invalidField(NIL_FIELD_PATH, null, RULES_NOT_CHECKED));
      else {
        const outcome = this.schema.validateRules(this.asStored(obj, subresource, old), old);
        errors.push(...outcome.errors);
        warnings = outcome.warnings;
      }
    }
    if (errors.length > 0) throw invalid(this.resource.kind, this.resource.group, obj.metadata?.name ?? '', errors);
    return warnings;
  }

  /** Whether this version's schema has `x-kubernetes-validations` (rules need the stored object on update). */
  get hasRules(): boolean {
    return this.schema.hasRules;
  }

  /** `obj` as the store will keep it: status from the status subresource's writes only. */
  private asStored(obj: KubeObject, subresource: string | undefined, old: KubeObject | undefined): KubeObject {
    if (!this.resource.subresources.status) return obj;
    if (subresource === 'status') {
      if (old === undefined) return obj;
      const merged: KubeObject = { ...old };
      if ('status' in obj) merged.status = obj.status; else delete merged.status;
      return merged;
    }
    const merged: KubeObject = { ...obj };
    if (old !== undefined && 'status' in old) merged.status = old.status; else delete merged.status;
    return merged;
  }

  private parseBody(body: Buffer, format: 'json' | 'yaml', validation: FieldValidation): { value: unknown; duplicateFields: string[] } {
    const text = body.toString('utf8');
    if (text.trim() === '') throw malformedBodyError(this.resource.kind, body, 'unexpected end of JSON input');
    if (format === 'yaml') {
      try { return { value: parseYamlBody(text), duplicateFields: [] }; } catch (err) {
        throw badRequest(`the object provided is unrecognized (must be of type ${this.resource.kind}): error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    if (jsonDepth(text) > MAX_JSON_DEPTH) throw malformedBodyError(this.resource.kind, body, `exceeded max depth of ${MAX_JSON_DEPTH}`);
    try {
      return parseJsonDetectingDuplicates(text, { detectDuplicates: validation !== 'Ignore' });
    } catch (err) {
      if (err instanceof JsonParseError) throw malformedBodyError(this.resource.kind, body, err.message);
      throw err;
    }
  }

  private checkTypeMeta(obj: KubeObject, body: Buffer): void {
    const { apiVersion, kind } = obj;
    for (const [field, value] of [['apiVersion', apiVersion], ['kind', kind]] as const) {
      if (value !== undefined && value !== null && typeof value !== 'string') {
        throw malformedBodyError(this.resource.kind, body, `json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value} into Go struct field .${field} of type string`);
      }
    }
    if (apiVersion !== undefined && apiVersion !== '' && typeof apiVersion === 'string') {
      const servedHere = this.resource.versions.some((v) => `${this.resource.group}/${v.name}` === apiVersion);
      if (!servedHere) throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${this.apiVersion})`);
    } else delete obj.apiVersion;
    if (kind !== undefined && kind !== '' && kind !== this.resource.kind) {
      throw badRequest(`the kind in the data (${String(kind)}) does not match the expected kind (${this.resource.kind})`);
    }
  }

  /** Converts an object of this version to the storage version. */
  toStorage(obj: KubeObject): KubeObject {
    const converted = this.version.toStorage ? this.version.toStorage(obj) : obj;
    converted.apiVersion = storageApiVersion(this.resource);
    converted.kind = this.resource.kind;
    return converted;
  }

  /**
   * Converts a storage-version object to this version. The input is left unchanged unless
   * `owned` says the caller hands it over (objects fresh from storage reads are: every read
   * decodes its own copy), which saves a deep copy per object on the read path.
   */
  fromStorage(obj: KubeObject, owned = false): KubeObject {
    const copy = owned ? obj : deepCopy(obj);
    const converted = this.version.fromStorage ? this.version.fromStorage(copy) : copy;
    converted.apiVersion = this.apiVersion;
    converted.kind = this.resource.kind;
    return converted;
  }
}

