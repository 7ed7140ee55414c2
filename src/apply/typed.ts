/**
 * Operations on objects by their type, as structured-merge-diff's typed package performs them:
 * the field set an object sets (ToFieldSet), the merge of an applied configuration into the live
 * object (Merge), the comparison of two objects (Compare) and the removal of paths (RemoveItems).
 */
import { fieldElement, keyElement, valueElement, pathToString, type Path, type PathElement } from './path.ts';
import { FieldSet } from './set.ts';
import { fieldType, resolve, type TypeNode } from './schema.ts';
import { equalValues, isObject, type JsonValue } from './value.ts';

type ListType = Extract<TypeNode, { kind: 'list' }>;
type MapType = Extract<TypeNode, { kind: 'map' }>;

/** An object that does not fit its type (structured-merge-diff's ValidationErrors). */
export class TypedValueError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
    this.name = 'TypedValueError';
  }
}

/**
 * The path element of a list item of an associative list (listItemToPathElement).
 * @throws Error with upstream's wording when the item cannot be keyed.
 */
export function listItemElement(list: ListType, item: unknown): PathElement {
  if (list.keys && list.keys.length > 0) {
    if (item === null) throw new Error('associative list with keys may not have a null element');
    if (!isObject(item)) throw new Error('associative list with keys may not have non-map elements');
    const fields: [string, JsonValue][] = [];
    for (const k of list.keys) {
      if (k in item) fields.push([k, item[k]]);
      else if (list.keyDefaults && k in list.keyDefaults) fields.push([k, list.keyDefaults[k]]);
      else throw new Error(`associative list with keys has an element that omits key field "${k}" (and doesn't have default value)`);
    }
    return keyElement(fields);
  }
  if (isObject(item)) throw new Error("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new Error('not supported: associative list with lists as elements');
  if (item === null) throw new Error("associative list without keys has an element that's an explicit null");
  return valueElement(item as JsonValue);
}

/**
 * Checks `value` against `type` as ObjectToTyped does: declared fields only, keyed items with
 * their keys, no duplicate items unless `allowDuplicates`.
 * @throws TypedValueError listing each problem as `.path: message`.
 */
export function validateTyped(value: unknown, type: TypeNode, allowDuplicates = false): void {
  const errors: string[] = [];
  validateAt(value, type, [], allowDuplicates, errors);
  if (errors.length > 0) throw new TypedValueError(errors);
}

function validateAt(value: unknown, declared: TypeNode, path: PathElement[], allowDuplicates: boolean, errors: string[]): void {
  const type = resolve(declared, value);
  const at = () => (path.length ? pathToString(path) : '');
  if (value === null) return;
  if (type.kind === 'scalar') {
    if (typeof value === 'object') errors.push(`${at()}: expected scalar, got ${Array.isArray(value) ? 'list' : 'map'}`);
    return;
  }
  if (type.kind === 'list') {
    if (!Array.isArray(value)) { errors.push(`${at()}: expected list, got ${describe(value)}`); return; }
    if (type.atomic) return;
    const seen = new Set<string>();
    value.forEach((item, i) => {
      let pe: PathElement;
      try { pe = listItemElement(type, item); } catch (err) { errors.push(`${at()}: element ${i}: ${(err as Error).message}`); return; }
      if (seen.has(pe.id) && !allowDuplicates) errors.push(`${at()}: duplicate entries for key ${pathToString([pe])}`);
      seen.add(pe.id);
      validateAt(item, type.elem, [...path, pe], allowDuplicates, errors);
    });
    return;
  }
  if (type.kind === 'map') {
    if (!isObject(value)) { errors.push(`${at()}: expected map, got ${describe(value)}`); return; }
    if (type.atomic && type.fields.size === 0) return;
    for (const [k, v] of Object.entries(value)) {
      const ft = fieldType(type, k);
      const child = [...path, fieldElement(k)];
      if (!ft) { errors.push(`${pathToString(child)}: field not declared in schema`); continue; }
      validateAt(v, ft, child, allowDuplicates, errors);
    }
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'list';
  if (isObject(v)) return 'map';
  return JSON.stringify(v);
}

/** The paths `value` sets (ToFieldSet). */
export function toFieldSet(value: unknown, type: TypeNode): FieldSet {
  const set = new FieldSet();
  collect(value, type, [], set);
  return set;
}

function collect(value: unknown, declared: TypeNode, path: PathElement[], set: FieldSet): void {
  const type = resolve(declared, value);
  if (type.kind === 'scalar' || type.kind === 'deduced' || type.kind === 'untyped') { set.insert(path); return; }
  if (type.kind === 'list') {
    if (type.atomic) { set.insert(path); return; }
    if (!Array.isArray(value)) return;
    const pes = value.map((item) => listItemElement(type, item));
    const counts = new Map<string, number>();
    for (const pe of pes) counts.set(pe.id, (counts.get(pe.id) ?? 0) + 1);
    pes.forEach((pe, i) => {
      if (counts.get(pe.id)! > 1) { set.insert([...path, pe]); return; }
      collect(value[i], type.elem, [...path, pe], set);
      set.insert([...path, pe]);
    });
    return;
  }
  if (type.atomic) { set.insert(path); return; }
  if (!isObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const child = [...path, fieldElement(k)];
    collect(v, fieldType(type, k) ?? resolve({ kind: 'deduced' }, v), child, set);
    if (v === null || (isObject(v) && Object.keys(v).length === 0) || !type.fields.has(k)) set.insert(child);
  }
}

/** Hooks of a merging walk: `leaf` on leaves, `node` on lists and maps after their items. */
interface MergeHooks {
  leaf?(path: Path, lhs: unknown, rhs: unknown): void;
  node?(path: Path, lhs: unknown, rhs: unknown): void;
}

/**
 * Walks lhs and rhs together (structured-merge-diff's mergingWalker) and returns the merged
 * value, rhs winning on leaves; undefined stands for an absent value.
 */
function mergeAt(lhs: unknown, rhs: unknown, declared: TypeNode, path: PathElement[], hooks: MergeHooks): unknown {
  const alhs = resolve(declared, lhs);
  const arhs = resolve(declared, rhs);
  let result: { out: unknown; leaf: boolean };
  if (rhs === undefined) result = handle(alhs, lhs, rhs, path, hooks);
  else if (lhs === undefined || sameAtom(declared, lhs, rhs)) result = handle(arhs, lhs, rhs, path, hooks);
  else {
    handle(alhs, lhs, rhs, path, hooks);
    result = handle(arhs, lhs, rhs, path, hooks);
  }
  if (!result.leaf) hooks.node?.(path, lhs, rhs);
  return result.out;
}

/** deduceAtom equality: typed nodes always agree; untyped ones when both values have the same shape (null: none). */
function sameAtom(declared: TypeNode, lhs: unknown, rhs: unknown): boolean {
  if (declared.kind !== 'deduced' && declared.kind !== 'untyped') return true;
  const shape = (v: unknown) => (v === null ? 'any' : Array.isArray(v) ? 'list' : isObject(v) ? 'map' : 'scalar');
  return shape(lhs) === shape(rhs);
}

function leaf(lhs: unknown, rhs: unknown, path: Path, hooks: MergeHooks): { out: unknown; leaf: boolean } {
  hooks.leaf?.(path, lhs, rhs);
  return { out: rhs !== undefined ? rhs : lhs, leaf: true };
}

function handle(type: TypeNode, lhs: unknown, rhs: unknown, path: PathElement[], hooks: MergeHooks): { out: unknown; leaf: boolean } {
  if (type.kind === 'map') {
    const l = isObject(lhs) ? lhs : undefined;
    const r = isObject(rhs) ? rhs : undefined;
    const empty = (!l || Object.keys(l).length === 0) && (!r || Object.keys(r).length === 0);
    if (type.atomic || empty) return leaf(lhs, rhs, path, hooks);
    return { out: mergeMapItems(type, l, r, path, hooks), leaf: false };
  }
  if (type.kind === 'list') {
    const l = Array.isArray(lhs) ? lhs : undefined;
    const r = Array.isArray(rhs) ? rhs : undefined;
    const empty = (!l || l.length === 0) && (!r || r.length === 0);
    if (type.atomic || empty) return leaf(lhs, rhs, path, hooks);
    return { out: mergeListItems(type, l ?? [], r ?? [], path, hooks), leaf: false };
  }
  return leaf(lhs, rhs, path, hooks);
}

function mergeMapItems(type: MapType, lhs: Record<string, unknown> | undefined, rhs: Record<string, unknown> | undefined, path: PathElement[], hooks: MergeHooks): unknown {
  const out: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(lhs ?? {}), ...Object.keys(rhs ?? {})]);
  for (const k of keys) {
    const ft = fieldType(type, k) ?? { kind: 'deduced' } as TypeNode;
    const l = lhs && Object.hasOwn(lhs, k) ? lhs[k] : undefined;
    const r = rhs && Object.hasOwn(rhs, k) ? rhs[k] : undefined;
    const merged = mergeAt(l, r, ft, [...path, fieldElement(k)], hooks);
    if (merged !== undefined) out[k] = merged;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

interface Indexed {
  pes: PathElement[];
  observed: Map<string, unknown>;
}

function indexList(type: ListType, list: unknown[], allowDuplicates: boolean): Indexed {
  const pes: PathElement[] = [];
  const observed = new Map<string, unknown>();
  for (const item of list) {
    const pe = listItemElement(type, item);
    if (observed.has(pe.id)) {
      if (!allowDuplicates) throw new TypedValueError([`duplicate entries for key ${pathToString([pe])}`]);
      observed.set(pe.id, null);
    } else observed.set(pe.id, item);
    pes.push(pe);
  }
  return { pes, observed };
}

function mergeListItems(type: ListType, lhs: unknown[], rhs: unknown[], path: PathElement[], hooks: MergeHooks): unknown {
  const out: unknown[] = [];
  const R = indexList(type, rhs, false);
  const L = indexList(type, lhs, true);
  const sharedOrder = R.pes.filter((pe) => L.observed.has(pe.id));
  let nextShared = sharedOrder.shift();
  const mergedRHS = new Set<string>();
  const item = (pe: PathElement, l: unknown, r: unknown) => {
    const merged = mergeAt(l, r, type.elem, [...path, pe], hooks);
    if (merged !== undefined) out.push(merged);
  };
  for (let lI = 0, rI = 0; lI < L.pes.length || rI < R.pes.length;) {
    if (lI < L.pes.length && rI < R.pes.length) {
      const pe = L.pes[lI];
      if (pe.id === R.pes[rI].id) {
        mergedRHS.add(pe.id);
        item(pe, L.observed.get(pe.id), R.observed.get(pe.id));
        lI++; rI++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (R.observed.has(pe.id) && nextShared && nextShared.id !== pe.id) { lI++; continue; }
    }
    if (lI < L.pes.length) {
      const pe = L.pes[lI];
      if (!R.observed.has(pe.id)) {
        item(pe, lhs[lI], undefined);
        lI++;
        continue;
      } else if (mergedRHS.has(pe.id)) lI++;
    }
    if (rI < R.pes.length) {
      const pe = R.pes[rI];
      mergedRHS.add(pe.id);
      item(pe, L.observed.has(pe.id) ? L.observed.get(pe.id) : undefined, R.observed.get(pe.id));
      rI++;
      if (nextShared && nextShared.id === pe.id) nextShared = sharedOrder.shift();
    }
  }
  return out.length > 0 ? out : undefined;
}

/** `rhs` merged into `lhs` (Merge): rhs wins on leaves, granular lists and maps merge item by item. */
export function merge(lhs: unknown, rhs: unknown, type: TypeNode): unknown {
  return mergeAt(lhs, rhs, type, [], {});
}

/** The outcome of {@link compare}. */
export interface Comparison {
  added: FieldSet;
  removed: FieldSet;
  modified: FieldSet;
}

/** What changed from lhs to rhs (Compare). */
export function compare(lhs: unknown, rhs: unknown, type: TypeNode): Comparison {
  const c: Comparison = { added: new FieldSet(), removed: new FieldSet(), modified: new FieldSet() };
  mergeAt(lhs, rhs, type, [], {
    leaf(path, l, r) {
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
      else if (!equalValues(l, r)) c.modified.insert(path);
    },
    node(path, l, r) {
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
    },
  });
  return c;
}

/** `value` without the paths of `toRemove` (RemoveItems); emptied maps and lists become null, as upstream. */
export function removeItems(value: unknown, toRemove: FieldSet, declared: TypeNode): unknown {
  const type = resolve(declared, value);
  if (type.kind === 'list') {
    if (!Array.isArray(value) || value.length === 0 || type.atomic) return null;
    const items: unknown[] = [];
    for (const item of value) {
      const pe = listItemElement(type, item);
      if (toRemove.members.has(pe.id)) continue;
      const sub = toRemove.withPrefix(pe);
      items.push(sub.empty() ? item : removeItems(item, sub, type.elem));
    }
    return items.length > 0 ? items : null;
  }
  if (type.kind === 'map') {
    if (!isObject(value) || Object.keys(value).length === 0 || type.atomic) return null;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const pe = fieldElement(k);
      if (toRemove.members.has(pe.id)) continue;
      const sub = toRemove.withPrefix(pe);
      out[k] = sub.empty() ? v : removeItems(v, sub, fieldType(type, k) ?? { kind: 'deduced' });
    }
    return Object.keys(out).length > 0 ? out : null;
  }
  return value;
}

/** Set.EnsureNamedFieldsAreMembers: struct fields with children become members too. */
export function ensureNamedFieldsAreMembers(set: FieldSet, declared: TypeNode): FieldSet {
  const type = resolve(declared, undefined);
  const out = new FieldSet();
  for (const [id, pe] of set.members) out.members.set(id, pe);
  for (const [id, c] of set.children) {
    let childType: TypeNode = { kind: 'deduced' };
    if (c.pe.kind === 'field' && type.kind === 'map') {
      if (type.fields.has(c.pe.name)) out.members.set(id, c.pe);
      childType = fieldType(type, c.pe.name) ?? childType;
    } else if (c.pe.kind === 'key' && type.kind === 'list') childType = type.elem;
    out.children.set(id, { pe: c.pe, set: ensureNamedFieldsAreMembers(c.set, childType) });
  }
  return out;
}
