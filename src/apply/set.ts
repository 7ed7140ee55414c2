/**
 * Sets of field paths (structured-merge-diff's fieldpath.Set): a tree whose nodes hold the
 * path elements that are members at that level and the child sets below other elements. Sets are
 * treated as immutable once built; operations return new sets.
 */
import { compareElements, parseElement, type Path, type PathElement } from './path.ts';
import { isObject } from './value.ts';

interface Child {
  pe: PathElement;
  set: FieldSet;
}

/** A set of paths. */
export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, Child>();

  /** Adds `path` (an empty path adds nothing). */
  insert(path: Path): this {
    if (path.length === 0) return this;
    const node = path.slice(0, -1).reduce((n: FieldSet, pe) => n.child(pe), this);
    const last = path[path.length - 1];
    node.members.set(last.id, last);
    return this;
  }

  private child(pe: PathElement): FieldSet {
    let c = this.children.get(pe.id);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(pe.id, c);
    }
    return c.set;
  }

  /** True when `path` is a member. */
  has(path: Path): boolean {
    if (path.length === 0) return false;
    const node = path.slice(0, -1).reduce((n: FieldSet | undefined, pe) => n?.children.get(pe.id)?.set, this);
    return !!node && node.members.has(path[path.length - 1].id);
  }

  /** True when the set has no member at any depth. */
  empty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.empty()) return false;
    return true;
  }

  /** The paths below `pe` (relative to it); empty when none. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(pe.id)?.set ?? EMPTY;
  }

  /** Members and paths of either set. */
  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [id, pe] of this.members) out.members.set(id, pe);
    for (const [id, pe] of other.members) out.members.set(id, pe);
    for (const [id, c] of this.children) {
      const o = other.children.get(id);
      out.children.set(id, { pe: c.pe, set: o ? c.set.union(o.set) : c.set });
    }
    for (const [id, c] of other.children) if (!this.children.has(id)) out.children.set(id, c);
    return out;
  }

  /** Paths in both sets. */
  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [id, pe] of this.members) if (other.members.has(id)) out.members.set(id, pe);
    for (const [id, c] of this.children) {
      const o = other.children.get(id);
      if (!o) continue;
      const inner = c.set.intersection(o.set);
      if (!inner.empty()) out.children.set(id, { pe: c.pe, set: inner });
    }
    return out;
  }

  /** Paths of this set that are not in `other` (children of other's members stay). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [id, pe] of this.members) if (!other.members.has(id)) out.members.set(id, pe);
    for (const [id, c] of this.children) {
      const o = other.children.get(id);
      if (!o) { out.children.set(id, c); continue; }
      const inner = c.set.difference(o.set);
      if (!inner.empty()) out.children.set(id, { pe: c.pe, set: inner });
    }
    return out;
  }

  /** Paths of this set that are neither in `other` nor below one of its members. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [id, pe] of this.members) if (!other.members.has(id)) out.members.set(id, pe);
    for (const [id, c] of this.children) {
      if (other.members.has(id)) continue;
      const o = other.children.get(id);
      if (!o) { out.children.set(id, c); continue; }
      const inner = c.set.recursiveDifference(o.set);
      if (!inner.empty()) out.children.set(id, { pe: c.pe, set: inner });
    }
    return out;
  }

  /** Every member path, members of a level before its children, each level in element order. */
  paths(prefix: PathElement[] = []): PathElement[][] {
    const out: PathElement[][] = [];
    for (const pe of sortedElements(this.members.values())) out.push([...prefix, pe]);
    for (const c of sortedChildren(this.children.values())) out.push(...c.set.paths([...prefix, c.pe]));
    return out;
  }

  /** The FieldsV1 form (`{"f:spec":{".":{},"f:a":{}}}`), keys in upstream's order. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (includeSelf && (this.members.size > 0 || this.children.size > 0)) out['.'] = {};
    const entries: { pe: PathElement; member: boolean; set?: FieldSet }[] = [];
    for (const pe of this.members.values()) entries.push({ pe, member: true, set: this.children.get(pe.id)?.set });
    for (const c of this.children.values()) if (!this.members.has(c.pe.id)) entries.push({ pe: c.pe, member: false, set: c.set });
    entries.sort((a, b) => compareElements(a.pe, b.pe));
    for (const e of entries) out[e.pe.id] = e.set && !e.set.empty() ? e.set.emit(e.member) : {};
    return out;
  }

  /**
   * Parses FieldsV1 (see {@link FieldSet.toFieldsV1}).
   * @throws Error when it is not an object of path-element keys.
   */
  static fromFieldsV1(value: unknown): FieldSet {
    if (!isObject(value)) throw new Error('FieldsV1 must be an object');
    const set = new FieldSet();
    for (const [key, sub] of Object.entries(value)) {
      if (key === '.') continue;
      const pe = parseElement(key);
      if (!isObject(sub)) throw new Error(`FieldsV1 entry ${key} must be an object`);
      const inner = FieldSet.fromFieldsV1(sub);
      if ('.' in sub || inner.empty()) set.members.set(pe.id, pe);
      if (!inner.empty()) set.children.set(pe.id, { pe, set: inner });
    }
    return set;
  }
}

const EMPTY = new FieldSet();

/** The set of the given paths. */
export function setOf(...paths: Path[]): FieldSet {
  const s = new FieldSet();
  for (const p of paths) s.insert(p);
  return s;
}

function sortedElements(pes: Iterable<PathElement>): PathElement[] {
  return [...pes].sort(compareElements);
}

function sortedChildren(cs: Iterable<Child>): Child[] {
  return [...cs].sort((a, b) => compareElements(a.pe, b.pe));
}
