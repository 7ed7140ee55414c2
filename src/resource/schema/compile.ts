/**
 * `compileSchema`: turns a resource's JSON Schema into a validator, defaulter and pruner that
 * behave like apiextensions-apiserver's for custom resources.
 */
import type { FieldError } from '../../errors/status-error.ts';
import { ROOT_META_KEYS, newContext } from './context.ts';
import { validateEmbedded, validateListSetsAndMaps } from './embedded.ts';
import { compileNode, type SchemaNode, type SchemaObject } from './node.ts';
import { applyDefaultsNode, pruneObject } from './structural.ts';
import { validateNode } from './validate.ts';
import { evaluateValidationRules, hasValidationRules, type RuleOutcome } from './validation-rules.ts';

/** Options of {@link CompiledSchema.validate}. */
export interface ValidateOptions {
  /**
   * Validate only this root property (e.g. `status` for an update of the status subresource):
   * `value` is then that property's value, and errors read `status.replicas: ...` with
   * messages relative to it (`replicas in body must be ...`), as kube-apiserver's status validation.
   */
  property?: string;
}

/** A compiled resource schema. All methods are synchronous, reusable and safe to call concurrently. */
export interface CompiledSchema {
  /**
   * Validates an object (root apiVersion/kind/metadata are the caller's) and returns field
   * errors worded as kube-apiserver words custom resource errors, e.g.
   * `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`,
   * `spec.x: Required value`, `spec.mode: Unsupported value: "z": supported values: "a", "b"`.
   * Order: schema errors, then embedded-resource errors, then list-type (set/map) duplicates.
   * Call it after {@link prune} and {@link applyDefaults}, as kube-apiserver does.
   */
  validate(value: unknown, opts?: ValidateOptions): FieldError[];
  /** Fills schema defaults into `obj` in place (absent or non-nullable null properties, recursively). */
  applyDefaults(obj: unknown): void;
  /**
   * Removes fields the schema does not declare (except under x-kubernetes-preserve-unknown-fields
   * and the root's apiVersion/kind/metadata), non-nullable nulls without default, and unknown
   * fields of embedded resources' metadata, in place. Returns the removed unknown fields' paths
   * (`spec.foo`, `spec.items[0].bar`, sorted) for fieldValidation; the caller decides whether
   * they are ignored, warned about or rejected.
   */
  prune(obj: unknown): string[];
  /**
   * Evaluates the schema's `x-kubernetes-validations` over the whole object (`old`: the stored
   * object on update, undefined on create): errors worded as kube-apiserver's CEL validator, and
   * warnings for failures ratcheted on unchanged values. Call it only when {@link validate} found
   * no blocking error (see {@link hasRules}).
   */
  validateRules(obj: unknown, old: unknown): RuleOutcome;
  /** Whether any schema node has `x-kubernetes-validations`. */
  readonly hasRules: boolean;
  /** The compiled root node (root apiVersion/kind/metadata removed). */
  readonly root: SchemaNode;
}

const cache = new WeakMap<object, CompiledSchema>();

function withoutRootMeta(node: SchemaNode): SchemaNode {
  const properties = node.properties === null ? null
    : new Map([...node.properties].filter(([k]) => !ROOT_META_KEYS.has(k)));
  return { ...node, properties, required: node.required.filter((r) => !ROOT_META_KEYS.has(r)) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validateWith(root: SchemaNode, value: unknown, opts: ValidateOptions | undefined): FieldError[] {
  let node = root;
  let prefix = '';
  if (opts?.property !== undefined) {
    const sub = root.properties?.get(opts.property) ?? root.additional;
    if (sub === null || sub === undefined) return [];
    node = sub;
    prefix = opts.property;
  }
  const ctx = newContext(root, prefix);
  validateNode(node, value, '', ctx);
  const errs = ctx.errors;
  validateEmbedded(value, node, prefix, errs);
  if (isPlainObject(value)) validateListSetsAndMaps(value, node, prefix, errs);
  return errs;
}

/**
 * Compiles a JSON Schema — a CRD-style structural schema or a TypeBox schema — once; the result
 * is cached per schema object. Supported: type, properties, required, items, additionalProperties,
 * enum/const, format, minimum/maximum (+exclusive), multipleOf, minLength/maxLength, pattern,
 * minItems/maxItems, uniqueItems, minProperties/maxProperties, allOf/anyOf/oneOf/not, nullable,
 * default, x-kubernetes-preserve-unknown-fields, -int-or-string, -embedded-resource,
 * -list-type, -list-map-keys, -map-type, -validations (CEL rules, compiled here: a rule that does
 * not compile throws) (other x-kubernetes-* keys, e.g. patch strategies, pass through).
 * TypeBox's `[T, null]` unions become nullable, literal unions become enums, `Record` becomes
 * additionalProperties, and `additionalProperties: false` means "unknown fields are pruned".
 * Throws an Error naming the schema path for unsupported keywords ($ref, if/then, ...).
 * @example
 * const s = compileSchema({ type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } } });
 * s.validate({ spec: { replicas: 'x' } }); // → [{ field: 'spec.replicas', detail: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"', ... }]
 */
export function compileSchema(schema: SchemaObject): CompiledSchema {
  const hit = cache.get(schema);
  if (hit !== undefined) return hit;
  const root = withoutRootMeta(compileNode(schema));
  const compiled: CompiledSchema = {
    root,
    validate: (value, opts) => validateWith(root, value, opts),
    applyDefaults: (obj) => applyDefaultsNode(obj, root, true),
    prune: (obj) => pruneObject(obj, root),
    validateRules: (obj, old) => evaluateValidationRules(root, obj, old),
    hasRules: hasValidationRules(root),
  };
  cache.set(schema, compiled);
  return compiled;
}
