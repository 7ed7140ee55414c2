/**
 * Compiles a JSON Schema (the OpenAPI v3 structural subset CRDs use, plus the shapes TypeBox
 * emits) into {@link SchemaNode}s, the form the validator, defaulter and pruner walk.
 */
import { isSupportedFormat } from './formats.ts';
import { compileValidationRules, type ValidationRule } from './validation-rule.ts';

/** A JSON Schema object, e.g. a CRD's `openAPIV3Schema` or a TypeBox schema. */
export type SchemaObject = Record<string, unknown>;

/** One compiled schema node. Absent constraints are `undefined` / empty. */
export interface SchemaNode {
  /** Allowed JSON types (`x-kubernetes-int-or-string` gives `integer,string`); empty allows any. */
  types: string[];
  nullable: boolean;
  /** The format as written, kept only where apiextensions-apiserver validates it ('' otherwise). */
  format: string;
  properties: Map<string, SchemaNode> | null;
  required: string[];
  /** Schema of additional properties; with `additionalAny`, additional keys are kept schemaless. */
  additional: SchemaNode | null;
  additionalAny: boolean;
  items: SchemaNode | null;
  enumValues: unknown[] | null;
  minimum?: number;
  exclusiveMinimum: boolean;
  maximum?: number;
  exclusiveMaximum: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern: RegExp | null;
  patternSource: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems: boolean;
  minProperties?: number;
  maxProperties?: number;
  allOf: SchemaNode[];
  anyOf: SchemaNode[];
  oneOf: SchemaNode[];
  not: SchemaNode | null;
  hasDefault: boolean;
  default: unknown;
  preserveUnknownFields: boolean;
  embeddedResource: boolean;
  listType: string;
  listMapKeys: string[];
  /** `x-kubernetes-map-type` as written ('' when absent, i.e. granular). */
  mapType: string;
  /** `x-kubernetes-validations`, compiled. */
  validations: ValidationRule[];
}

const UNSUPPORTED = ['$ref', '$defs', 'definitions', 'dependencies', 'dependentRequired', 'dependentSchemas', 'if', 'then',
  'else', 'propertyNames', 'contains', 'prefixItems', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems'];
const UNIVERSAL_PATTERNS = new Set(['^.*$', '.*', '^(.*)$', '']);
const CONST_ONLY_KEYS = new Set(['type', 'const', 'enum', 'title', 'description', '~kind']);

function fail(path: string, msg: string): never {
  throw new Error(`invalid schema at ${path || '<root>'}: ${msg}`);
}

function isObject(v: unknown): v is SchemaObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function num(s: SchemaObject, key: string, path: string): number | undefined {
  const v = s[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `${key} must be a number`);
  return v;
}

/** Folds TypeBox idioms into structural keywords: const → enum, `[T, null]` → nullable, literal unions → enum. */
function normalize(input: SchemaObject, path: string): SchemaObject {
  let s: SchemaObject = { ...input };
  if ('const' in s && !('enum' in s)) s.enum = [s.const];
  if (Array.isArray(s.type)) {
    const types = s.type as string[];
    if (types.includes('null')) s.nullable = true;
    const rest = types.filter((t) => t !== 'null');
    s.type = rest.length === 1 ? rest[0] : rest.length === 0 ? undefined : rest;
  }
  if (Array.isArray(s.anyOf)) {
    const branches = (s.anyOf as unknown[]).filter(isObject);
    const nonNull = branches.filter((b) => b.type !== 'null');
    if (nonNull.length < branches.length) s.nullable = true;
    if (nonNull.length === 1) {
      const { anyOf: _drop, ...outer } = s;
      s = { ...normalize(nonNull[0], path), ...outer };
    } else if (nonNull.length > 1 && nonNull.every(isConstOnly)) {
      const types = new Set(nonNull.map((b) => b.type));
      s.enum = nonNull.flatMap((b) => ('const' in b ? [b.const] : (b.enum as unknown[])));
      if (types.size === 1 && typeof nonNull[0].type === 'string' && s.type === undefined) s.type = nonNull[0].type;
      delete s.anyOf;
    } else {
      s.anyOf = nonNull;
    }
  }
  return s;
}

function isConstOnly(b: SchemaObject): boolean {
  return ('const' in b || Array.isArray(b.enum)) && Object.keys(b).every((k) => CONST_ONLY_KEYS.has(k));
}

/** apiextensions' StripUnsupportedFormatsPostProcessor: formats it does not validate are ignored. */
function keptFormat(format: unknown, types: string[]): string {
  if (typeof format !== 'string' || format === '') return '';
  const single = types.length === 1 ? types[0] : ''; // several types (int-or-string) count as none, as upstream
  switch (single) {
    case '':
    case 'string': return isSupportedFormat(format) ? format : '';
    case 'integer': return format === 'int32' || format === 'int64' ? format : '';
    case 'number': return format === 'float' || format === 'double' ? format : '';
    default: return '';
  }
}

function compilePattern(pattern: unknown, path: string): RegExp | null {
  if (pattern === undefined || pattern === '') return null;
  if (typeof pattern !== 'string') fail(path, 'pattern must be a string');
  let source = pattern;
  let flags = 'u';
  if (source.startsWith('(?i)')) { source = source.slice(4); flags += 'i'; }
  try {
    return new RegExp(source, flags);
  } catch {
    try { return new RegExp(source, flags.replace('u', '')); } catch (err) { fail(path, `pattern ${JSON.stringify(pattern)} is invalid: ${(err as Error).message}`); }
  }
}

function compileChildren(s: SchemaObject, node: SchemaNode, path: string): void {
  if (s.properties !== undefined) {
    if (!isObject(s.properties)) fail(path, 'properties must be an object');
    node.properties = new Map(Object.entries(s.properties).map(([k, v]) => [k, compileNode(v, `${path}.properties.${k}`)]));
  }
  let additional = s.additionalProperties;
  if (s.patternProperties !== undefined) {
    const entries = isObject(s.patternProperties) ? Object.entries(s.patternProperties) : [];
    if (entries.length !== 1 || !UNIVERSAL_PATTERNS.has(entries[0][0]) || additional !== undefined && additional !== false) {
      fail(path, 'patternProperties is only supported as a single catch-all pattern (a TypeBox Record of string keys)');
    }
    additional = entries[0][1];
  }
  if (additional === true) node.additionalAny = true;
  else if (isObject(additional)) node.additional = compileNode(additional, `${path}.additionalProperties`);
  if (s.items !== undefined) {
    if (!isObject(s.items)) fail(path, 'items must be a single schema');
    node.items = compileNode(s.items, `${path}.items`);
  }
  const list = (key: string): SchemaNode[] => (Array.isArray(s[key]) ? (s[key] as unknown[]).map((b, i) => compileNode(b, `${path}.${key}[${i}]`)) : []);
  node.allOf = list('allOf');
  node.anyOf = list('anyOf');
  node.oneOf = list('oneOf');
  if (s.not !== undefined) node.not = compileNode(s.not, `${path}.not`);
}

function bounds(s: SchemaObject, node: SchemaNode, path: string): void {
  node.minimum = num(s, 'minimum', path);
  node.maximum = num(s, 'maximum', path);
  if (typeof s.exclusiveMinimum === 'number') { node.minimum = s.exclusiveMinimum; node.exclusiveMinimum = true; } else node.exclusiveMinimum = s.exclusiveMinimum === true;
  if (typeof s.exclusiveMaximum === 'number') { node.maximum = s.exclusiveMaximum; node.exclusiveMaximum = true; } else node.exclusiveMaximum = s.exclusiveMaximum === true;
  node.multipleOf = num(s, 'multipleOf', path);
  node.minLength = num(s, 'minLength', path);
  node.maxLength = num(s, 'maxLength', path);
  node.minItems = num(s, 'minItems', path);
  node.maxItems = num(s, 'maxItems', path);
  node.minProperties = num(s, 'minProperties', path);
  node.maxProperties = num(s, 'maxProperties', path);
}

function emptyNode(): SchemaNode {
  return {
    types: [], nullable: false, format: '', properties: null, required: [], additional: null, additionalAny: false,
    items: null, enumValues: null, exclusiveMinimum: false, exclusiveMaximum: false, pattern: null, patternSource: '',
    uniqueItems: false, allOf: [], anyOf: [], oneOf: [], not: null, hasDefault: false, default: undefined,
    preserveUnknownFields: false, embeddedResource: false, listType: '', listMapKeys: [], mapType: '', validations: [],
  };
}

/**
 * Compiles one schema object. Throws an Error naming the path for keywords it cannot honour
 * (`$ref`, `if`/`then`, non-catch-all `patternProperties`, tuple `items`, ...) and malformed values.
 */
export function compileNode(raw: unknown, path = ''): SchemaNode {
  if (raw === true || (isObject(raw) && Object.keys(raw).length === 0)) return emptyNode();
  if (!isObject(raw)) fail(path, 'a schema must be an object');
  for (const k of UNSUPPORTED) if (k in raw) fail(path, `keyword ${k} is not supported`);
  const s = normalize(raw, path);
  const node = emptyNode();
  if (typeof s.type === 'string') node.types = [s.type];
  else if (Array.isArray(s.type)) node.types = s.type as string[];
  if (s['x-kubernetes-int-or-string'] === true) node.types = ['integer', 'string'];
  node.nullable = s.nullable === true;
  node.format = keptFormat(s.format, node.types);
  node.required = Array.isArray(s.required) ? (s.required as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  if (Array.isArray(s.enum)) node.enumValues = s.enum as unknown[];
  bounds(s, node, path);
  node.pattern = compilePattern(s.pattern, path);
  node.patternSource = typeof s.pattern === 'string' ? s.pattern : '';
  node.uniqueItems = s.uniqueItems === true;
  node.hasDefault = s.default !== undefined && s.default !== null;
  node.default = s.default;
  node.preserveUnknownFields = s['x-kubernetes-preserve-unknown-fields'] === true;
  node.embeddedResource = s['x-kubernetes-embedded-resource'] === true;
  node.listType = typeof s['x-kubernetes-list-type'] === 'string' ? (s['x-kubernetes-list-type'] as string) : '';
  node.listMapKeys = Array.isArray(s['x-kubernetes-list-map-keys']) ? (s['x-kubernetes-list-map-keys'] as string[]) : [];
  node.mapType = typeof s['x-kubernetes-map-type'] === 'string' ? (s['x-kubernetes-map-type'] as string) : '';
  node.validations = compileValidationRules(s['x-kubernetes-validations'], `${path}.x-kubernetes-validations`, fail);
  compileChildren(s, node, path);
  return node;
}
