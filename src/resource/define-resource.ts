import type { KubeObject } from '../apimachinery/types.ts';
import type { FieldError } from '../errors/status-error.ts';
import type { ComputedSource, ResourceBackend, ScaleDefinition, StreamDefinition } from './user-code.ts';
import type { Static, TSchema } from 'typebox';

/** A JSON Schema (OpenAPI v3 structural subset; TypeBox schemas qualify) with `x-kubernetes-*` keys. */
export type JsonSchema = Record<string, unknown>;

/**
 * The object type a version's schema describes: a TypeBox schema's `Static` type with the
 * KubeObject fields (metadata, apiVersion, kind); KubeObject for a plain JSON Schema.
 */
export type ObjectOf<S> = S extends TSchema & { '~kind': string } ? KubeObject & Static<S> : KubeObject;

/** The object type of the version marked `storage: true` among `V` (what strategy hooks see); KubeObject when it cannot be told. */
export type StorageObjectOf<V extends readonly VersionDefinition<any>[]> =
  [Extract<V[number], { storage: true }>] extends [never] ? KubeObject : ObjectOf<Extract<V[number], { storage: true }>['schema']>;

/** One column of `kubectl get` output, as a CRD's additionalPrinterColumns. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** A simple JSONPath such as `.spec.replicas` (dots and `[n]` only). */
  jsonPath: string;
  description?: string;
  format?: string;
  /** 0 shows in `kubectl get`; > 0 only with `-o wide`. */
  priority?: number;
}

/** One served version of a resource; `S` is its schema's type (a TypeBox schema types the conversions). */
export interface VersionDefinition<S extends object = JsonSchema> {
  name: string;
  /** The object's schema, without metadata/apiVersion/kind (those are handled by the framework). */
  schema: S;
  /** True for exactly one version: the form objects are stored in (the conversion hub). */
  storage?: boolean;
  /**
   * False: the version leaves discovery, OpenAPI and routing (404), but objects stored in it are
   * still read and converted (a CRD version's `served`). Default true; at least one version is served.
   */
  served?: boolean;
  /** Every request to this version carries a `Warning: 299` header (a CRD version's `deprecated`). */
  deprecated?: boolean;
  /** The warning of a deprecated version; default: kube-apiserver's text for a CRD (see deprecationWarning). */
  deprecationWarning?: string;
  printerColumns?: readonly PrinterColumn[];
  /** The OpenAPI description of the list kind (default, as kube-apiserver writes it for a CRD: `<ListKind> is a list of <Kind>`). */
  listDescription?: string;
  /** Converts an object of this version to the storage version (omit on the storage version). */
  toStorage?: (obj: ObjectOf<S>) => KubeObject;
  /** Converts a storage-version object to this version (omit on the storage version). */
  fromStorage?: (obj: KubeObject) => ObjectOf<S>;
}

/** Who is making a request, as authentication found it. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** What admission and strategy hooks learn about the request. */
export interface OperationContext {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  user?: UserInfo;
  dryRun: boolean;
  subresource?: string;
  namespace?: string;
  name?: string;
  /**
   * Read other objects of the server (e.g. for an admission rule that consults another kind), as
   * an informer's lister would: from the watch cache, which may trail a write made a moment ago.
   */
  lookup: (resource: ResourceRef, namespace?: string) => Promise<KubeObject[]>;
  /** The API version the client used (admission webhooks' requestKind); the storage version when unset. */
  requestVersion?: string;
  /** The request's CreateOptions/UpdateOptions/DeleteOptions as admission reviews carry them. */
  options?: Record<string, unknown>;
  /** Warnings admission adds for the client (Warning headers). */
  warnings?: string[];
  /** Adds an annotation to the request's audit events (admission annotations; the first value of a key wins). */
  annotate?: (key: string, value: string) => void;
}

/** Names a resource of the same server: group + plural. */
export interface ResourceRef {
  group: string;
  plural: string;
}

/**
 * Optional hooks run by the generic store (in this order on create: prepareForCreate →
 * admission mutate → validate → admission validate → canonicalize; update likewise with the old object).
 * All objects are in the storage version, typed `T` (inferred from its schema by defineResource).
 * Validation hooks return field errors (422 Invalid); admission hooks throw a StatusError to refuse.
 */
export interface Strategy<T extends KubeObject = KubeObject> {
  prepareForCreate?(obj: T, ctx: OperationContext): void;
  prepareForUpdate?(obj: T, old: T, ctx: OperationContext): void;
  validate?(obj: T, ctx: OperationContext): FieldError[];
  validateUpdate?(obj: T, old: T, ctx: OperationContext): FieldError[];
  warnings?(obj: T, old: T | null, ctx: OperationContext): string[];
  canonicalize?(obj: T): void;
  /** Mutating admission: may change obj. */
  admit?(obj: T, old: T | null, ctx: OperationContext): void | Promise<void>;
  /** Validating admission: throw a StatusError (e.g. 403 Forbidden) to refuse. */
  validateAdmission?(obj: T, old: T | null, ctx: OperationContext): void | Promise<void>;
}

/**
 * Declares one version on its own, so that its conversions are type-checked against its schema
 * (inside defineResource's `versions`, only the storage version's type is inferred).
 * @example
 * const v1alpha1 = defineVersion({ name: 'v1alpha1', schema: AlphaSchema,
 *   toStorage: (o) => ({ ...o, spec: { size: o.spec.big ? 10 : 1 } }), fromStorage: (o) => ({ ...o, spec: { big: true } }) });
 */
export function defineVersion<const S extends object>(version: VersionDefinition<S>): VersionDefinition<S> {
  return version;
}

/** Everything a user declares about one resource; `V` is its versions, whose storage schema types the strategy. */
export interface ResourceDefinition<V extends readonly VersionDefinition<any>[] = VersionDefinition<any>[]> {
  group: string;
  kind: string;
  /** Lower-case plural, the path segment: `flunders`. */
  plural: string;
  /** Lower-case singular; defaults to the lower-cased kind. */
  singular?: string;
  /** Defaults to `<kind>List`. */
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  versions: V;
  subresources?: SubresourcesDefinition;
  strategy?: Strategy<StorageObjectOf<V>>;
  /** Custom storage: the objects live in another system, reached by these functions (see ResourceBackend). */
  backend?: ResourceBackend;
  /** A read-only resource computed from elsewhere (see ComputedSource). Exclusive with `backend`. */
  computed?: ComputedSource;
  /** Field selectors beyond metadata.name / metadata.namespace: JSON paths like `spec.referenceType`. */
  selectableFields?: string[];
  /**
   * What a DELETE without a propagation policy does to the object's dependents (upstream's
   * DefaultGarbageCollectionPolicy): `DeleteDependents` (the default: Background, as a CRD),
   * `OrphanDependents` (adds the `orphan` finalizer), or `Unsupported` (the delete never adds
   * the `orphan`/`foregroundDeletion` finalizers, whatever the request asks).
   */
  garbageCollectionPolicy?: GarbageCollectionPolicy;
}

/** See ResourceDefinition.garbageCollectionPolicy; names as k8s.io/apiserver's rest.GarbageCollectionPolicy. */
export type GarbageCollectionPolicy = 'DeleteDependents' | 'OrphanDependents' | 'Unsupported';

/** The subresources of a resource; each becomes a REST object of its own (`<plural>/<name>`). */
export interface SubresourcesDefinition {
  /** `<plural>/status`: get, update, patch of `.status` only (the resource itself then keeps status). */
  status?: boolean;
  /** `<plural>/scale`: autoscaling/v1 Scale over the declared paths, as a CRD's scale subresource. */
  scale?: ScaleDefinition;
  /** Streaming subresources by name (like `log`: `<plural>/log`). */
  streams?: Record<string, StreamDefinition>;
}

/** A definition with every default filled in; what the rest of the framework reads. `T`: its storage-version object type. */
export interface Resource<T extends KubeObject = KubeObject> extends Required<Omit<ResourceDefinition, 'strategy' | 'subresources' | 'backend' | 'computed'>> {
  strategy: Strategy<T>;
  subresources: { status: boolean; scale?: ScaleDefinition; streams: Record<string, StreamDefinition> };
  storageVersion: string;
  backend?: ResourceBackend;
  computed?: ComputedSource;
}

/**
 * Declares a resource once; the framework derives storage, REST routes, discovery, OpenAPI,
 * tables and validation from it. With TypeBox schemas, the object type is inferred from the
 * storage version's schema: strategy hooks and conversions are type-checked against it. Throws a plain Error on an inconsistent declaration
 * (no versions, not exactly one storage version, bad names), at start-up rather than at request time.
 * @example
 * defineResource({ group: 'wardle.example.com', kind: 'Flunder', plural: 'flunders', namespaced: true,
 *   versions: [{ name: 'v1alpha1', storage: true, schema: { type: 'object', properties: { spec: { type: 'object' } } } }] });
 */
export function defineResource<const V extends readonly VersionDefinition<any>[]>(def: ResourceDefinition<V>): Resource<StorageObjectOf<V>> {
  if (def.versions.length === 0) throw new Error(`resource ${def.plural}: at least one version is required`);
  const storage = def.versions.filter((v) => v.storage);
  if (storage.length !== 1) throw new Error(`resource ${def.plural}: exactly one version must have storage: true`);
  if (def.versions.every((v) => v.served === false)) throw new Error(`resource ${def.plural}: at least one version must be served`);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(def.plural)) throw new Error(`resource plural "${def.plural}" must be a lower-case DNS label`);
  if (def.backend && def.computed) throw new Error(`resource ${def.plural}: give either backend or computed, not both`);
  for (const name of Object.keys(def.subresources?.streams ?? {})) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name === 'status' || name === 'scale') throw new Error(`resource ${def.plural}: stream subresource "${name}" must be a lower-case DNS label other than status and scale`);
  }
  for (const v of def.versions) {
    if (!v.storage && (!v.toStorage || !v.fromStorage)) {
      throw new Error(`resource ${def.plural}: version ${v.name} needs toStorage and fromStorage conversions`);
    }
  }
  return {
    group: def.group, kind: def.kind, plural: def.plural,
    singular: def.singular ?? def.kind.toLowerCase(),
    listKind: def.listKind ?? `${def.kind}List`,
    shortNames: def.shortNames ?? [], categories: def.categories ?? [],
    namespaced: def.namespaced, versions: [...def.versions],
    subresources: { status: def.subresources?.status ?? false, scale: def.subresources?.scale, streams: def.subresources?.streams ?? {} },
    backend: def.backend, computed: def.computed,
    strategy: def.strategy ?? {}, selectableFields: def.selectableFields ?? [],
    garbageCollectionPolicy: def.garbageCollectionPolicy ?? 'DeleteDependents',
    storageVersion: storage[0].name,
  };
}
