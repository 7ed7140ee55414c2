/**
 * Validates a value against a compiled schema the way apiextensions-apiserver validates custom
 * resources (kube-openapi's SchemaValidator, then `kubeOpenAPIResultToFieldErrors`): the same
 * checks in the same order, the same `spec.x in body must be ...` messages, the same mapping to
 * field errors (including upstream's `<nil>` field for errors that carry no path).
 */
import {
  invalid, notSupported, required, tooLong, tooMany, typeInvalid,
} from '../../apimachinery/validation/field-errors.ts';
import { goJson, goQuote, isGoInt } from '../../apimachinery/validation/go-format.ts';
import { checkFormat, isSupportedFormat } from './formats.ts';
import type { SchemaNode } from './node.ts';
import { checkNumber } from './validate-number.ts';
import {
  ROOT_META_KEYS, addError, addPlainError, fieldOf, isFloat64AJSONInteger, newContext, type ValidationContext,
} from './context.ts';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeError(ctx: ValidationContext, name: string, typeName: string, actual: string): void {
  const msg = `${name} in body must be of type ${typeName}: ${goQuote(actual)}`;
  addError(ctx, msg, typeInvalid(fieldOf(ctx, name), actual, msg));
}

function checkType(node: SchemaNode, value: unknown, name: string, ctx: ValidationContext): void {
  const types = node.types;
  if (types.length === 0 && node.format === '') return;
  ctx.matches++;
  if (value === null) {
    if (types.length > 0 && !types.includes('null') && !node.nullable) typeError(ctx, name, types.join(','), 'null');
    return;
  }
  let schType: string;
  let format = '';
  if (typeof value === 'number') [schType, format] = isGoInt(value) ? ['integer', 'int64'] : ['number', 'float64'];
  else if (Array.isArray(value)) schType = 'array';
  else schType = typeof value === 'object' ? 'object' : typeof value;
  const stringOrArray = schType === 'string' || schType === 'array';
  const isFloatInt = schType === 'number' && types.includes('integer') && isFloat64AJSONInteger(value as number);
  const isIntFloat = schType === 'integer' && types.includes('number');
  const typeOk = types.includes(schType) || isFloatInt || isIntFloat;
  if (!stringOrArray && node.format !== '' && !(typeOk || format === node.format)) {
    typeError(ctx, name, node.format, format);
    return;
  }
  if (!types.includes('number') && !types.includes('integer') && node.format !== '' && stringOrArray) return;
  if (!typeOk) typeError(ctx, name, types.join(','), schType);
}

function checkString(node: SchemaNode, value: string, name: string, ctx: ValidationContext): void {
  const field = fieldOf(ctx, name);
  if (node.maxLength !== undefined || node.minLength !== undefined) {
    let runes = 0;
    for (const _ of value) runes++;
    if (node.maxLength !== undefined && runes > node.maxLength) {
      addError(ctx, `${name} in body should be at most ${node.maxLength} chars long`, tooLong(field, node.maxLength));
      return;
    }
    if (node.minLength !== undefined && runes < node.minLength) {
      const msg = `${name} in body should be at least ${node.minLength} chars long`;
      addError(ctx, msg, invalid(field, value, msg));
      return;
    }
  }
  if (node.pattern !== null && !node.pattern.test(value)) {
    const msg = `${name} in body should match '${node.patternSource}'`;
    addError(ctx, msg, invalid(field, value, msg));
  }
}

function checkArray(node: SchemaNode, value: unknown[], name: string, ctx: ValidationContext): void {
  if (node.items !== null) {
    for (let i = 0; i < value.length; i++) validateNode(node.items, value[i], `${name}[${i}]`, ctx);
  }
  const field = fieldOf(ctx, name);
  if (node.minItems !== undefined && value.length < node.minItems) {
    const msg = `${name} in body should have at least ${node.minItems} items`;
    addError(ctx, msg, invalid(field, value.length, msg));
  }
  if (node.maxItems !== undefined && value.length > node.maxItems) {
    addError(ctx, `${name} in body should have at most ${node.maxItems} items`, tooMany(field, value.length, node.maxItems));
  }
  if (node.uniqueItems && new Set(value.map((v) => goJson(v))).size !== value.length) {
    const msg = `${name} in body shouldn't contain duplicates`;
    addError(ctx, msg, invalid(field, '', msg));
  }
}

/** reflect.Value.Convert + DeepEqual, as kube-openapi compares a value with one enum member. */
function enumEquals(data: unknown, e: unknown): boolean {
  if (e === null || data === null) return false;
  switch (typeof e) {
    case 'string':
      if (typeof data === 'string') return data === e;
      if (typeof data === 'number' && isGoInt(data)) { // Go converts an int to the string of that rune
        const valid = data >= 0 && data <= 0x10ffff && (data < 0xd800 || data > 0xdfff);
        return (valid ? String.fromCodePoint(data) : '\ufffd') === e;
      }
      return false;
    case 'number':
      if (typeof data !== 'number') return false;
      return isGoInt(e) ? Math.trunc(data) === e : data === e;
    case 'boolean': return data === e;
    default:
      if (typeof data !== 'object' || Array.isArray(data) !== Array.isArray(e)) return false;
      return goJson(data) === goJson(e);
  }
}

function checkEnum(node: SchemaNode, value: unknown, name: string, ctx: ValidationContext): void {
  const values = node.enumValues;
  if (values === null || values.length === 0) return;
  for (const e of values) if (enumEquals(value, e)) return;
  const supported = values.map((v) => (typeof v === 'string' ? v : goJson(v)));
  addError(ctx, `${name} in body should be one of ${goJson(values)}`, notSupported(fieldOf(ctx, name), value, supported));
}

function checkObject(node: SchemaNode, value: Record<string, unknown>, name: string, ctx: ValidationContext): void {
  const field = fieldOf(ctx, name);
  if (node.minProperties !== undefined || node.maxProperties !== undefined) {
    const n = Object.keys(value).length;
    if (node.minProperties !== undefined && n < node.minProperties) {
      const msg = `${name} in body should have at least ${node.minProperties} properties`;
      addError(ctx, msg, invalid(field, n, msg));
    }
    if (node.maxProperties !== undefined && n > node.maxProperties) {
      addError(ctx, `${name} in body should have at most ${node.maxProperties} properties`, tooMany(field, n, node.maxProperties));
    }
  }
  const props = node.properties;
  if (node.additional !== null) {
    const isRoot = node === ctx.root;
    for (const k in value) {
      if (props?.has(k) || (isRoot && ROOT_META_KEYS.has(k))) continue;
      validateNode(node.additional, value[k], `${name}.${k}`, ctx);
    }
  }
  if (props !== null) {
    for (const [p, child] of props) {
      if (Object.hasOwn(value, p)) validateNode(child, value[p], name === '' ? p : `${name}.${p}`, ctx);
    }
  }
  for (const r of node.required) {
    if (!Object.hasOwn(value, r)) addError(ctx, `${name}.${r} in body is required`, required(fieldOf(ctx, `${name}.${r}`)));
  }
}

function runBranch(branch: SchemaNode, value: unknown, name: string, ctx: ValidationContext): ValidationContext {
  const sub = newContext(ctx.root, ctx.prefix);
  validateNode(branch, value, name, sub);
  return sub;
}

function merge(ctx: ValidationContext, other: ValidationContext): void {
  for (let i = 0; i < other.errors.length; i++) addError(ctx, other.keys[i], other.errors[i]);
  ctx.matches += other.matches;
}

function checkAnyOf(node: SchemaNode, value: unknown, name: string, ctx: ValidationContext): void {
  let best: ValidationContext | null = null;
  for (const branch of node.anyOf) {
    const r = runBranch(branch, value, name, ctx);
    if (r.errors.length === 0) { ctx.matches += r.matches; return; }
    if (best === null || r.matches > best.matches) best = r;
  }
  addPlainError(ctx, `${goQuote(name)} must validate at least one schema (anyOf)`);
  if (best !== null) merge(ctx, best);
}

function checkOneOf(node: SchemaNode, value: unknown, name: string, ctx: ValidationContext): void {
  let best: ValidationContext | null = null;
  let firstSuccess: ValidationContext | null = null;
  let validated = 0;
  for (const branch of node.oneOf) {
    const r = runBranch(branch, value, name, ctx);
    if (r.errors.length === 0) {
      validated++;
      best = null;
      firstSuccess ??= r;
    } else if (validated === 0 && (best === null || r.matches > best.matches)) {
      best = r;
    }
  }
  if (validated === 1 && firstSuccess !== null) { merge(ctx, firstSuccess); return; }
  const detail = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
  addPlainError(ctx, `${goQuote(name)} must validate one and only one schema (oneOf). ${detail}`);
  if (best !== null) merge(ctx, best);
}

function checkComposition(node: SchemaNode, value: unknown, name: string, ctx: ValidationContext): void {
  if (node.anyOf.length > 0) checkAnyOf(node, value, name, ctx);
  if (node.oneOf.length > 0) checkOneOf(node, value, name, ctx);
  if (node.allOf.length > 0) {
    let validated = 0;
    for (const branch of node.allOf) {
      const r = runBranch(branch, value, name, ctx);
      if (r.errors.length === 0) validated++;
      merge(ctx, r);
    }
    if (validated !== node.allOf.length) {
      addPlainError(ctx, `${goQuote(name)} must validate all the schemas (allOf)${validated === 0 ? '. None validated' : ''}`);
    }
  }
  if (node.not !== null && runBranch(node.not, value, name, ctx).errors.length === 0) {
    addPlainError(ctx, `${goQuote(name)} must not validate the schema (not)`);
  }
}

/**
 * Validates `value` against `node`; `name` is the kube-openapi path of the value (`spec.x`,
 * `spec.list[0]`, '' at the root). Errors accumulate in `ctx`.
 */
export function validateNode(node: SchemaNode, value: unknown, name: string, ctx: ValidationContext): void {
  ctx.matches += 3; // the schema itself, its composition and enum validators always apply
  if (value === null || value === undefined) {
    checkType(node, null, name, ctx);
    checkEnum(node, null, name, ctx);
    return;
  }
  checkType(node, value, name, ctx);
  if (node.anyOf.length > 0 || node.oneOf.length > 0 || node.allOf.length > 0 || node.not !== null) {
    checkComposition(node, value, name, ctx);
  }
  ctx.matches += typeof value === 'object' ? 2 : 1; // the validator of the value's kind (slices and maps count twice)
  if (typeof value === 'string') {
    checkString(node, value, name, ctx);
    if (node.format !== '' && isSupportedFormat(node.format) && !checkFormat(node.format, value)) {
      const msg = `${name} in body must be of type ${node.format}: ${goQuote(value)}`;
      addError(ctx, msg, typeInvalid(fieldOf(ctx, name), value, msg));
    }
  } else if (typeof value === 'number') {
    checkNumber(node, value, name, ctx);
  } else if (Array.isArray(value)) {
    checkArray(node, value, name, ctx);
  }
  checkEnum(node, value, name, ctx);
  if (isPlainObject(value)) checkObject(node, value, name, ctx);
}
