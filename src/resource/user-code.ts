/**
 * How a resource or subresource is backed by the user's own code instead of extapi's storage.
 * The framework applies the API semantics around it: Status errors, label/field selectors,
 * pagination (when the code supports it), Table/PartialObjectMetadata, dryRun, watch with
 * bookmarks, conversion between versions, admission and authorization. Objects are always in
 * the resource's storage version.
 */
import type { KubeObject, WatchEvent } from '../apimachinery/types.ts';
import type { UserInfo } from './define-resource.ts';

/**
 * A read-only resource computed from elsewhere (as metrics-server derives its data): the
 * framework takes a snapshot every `intervalMs`, keeps the objects with a resourceVersion per
 * change, and serves get, list and watch from that view (writes answer 405 MethodNotAllowed).
 */
export interface ComputedSource {
  /**
   * Every object of the resource now: metadata.name (and namespace when namespaced), labels,
   * and whatever fields the schema declares. uid, resourceVersion and creationTimestamp are kept
   * by the framework (creationTimestamp may be given). Throwing keeps the last view.
   */
  snapshot(signal: AbortSignal): Promise<KubeObject[]> | KubeObject[];
  /** How often to take a snapshot, in ms (default 2000). */
  intervalMs?: number;
}

/** Which object(s) a backend call is about. */
export interface BackendTarget {
  /** Undefined for cluster-scoped resources and all-namespace lists. */
  namespace: string | undefined;
  name: string;
}

/** What a backend's list returns: the objects, and the resourceVersion of the collection if it has one. */
export interface BackendList {
  items: KubeObject[];
  /** A number-like version of the whole collection (e.g. the other system's change counter). */
  resourceVersion?: string;
}

/**
 * Custom storage: the resource's objects live in another system, reached by these functions.
 * The framework runs the generic store's semantics on top (server-owned fields, generateName,
 * validation, strategy and admission hooks, dryRun, finalizers, delete preconditions, optimistic
 * concurrency), so each function only moves objects:
 * - every object returned carries `metadata.resourceVersion` — a decimal number that grows with
 *   each change of the other system (its version, revision or sequence number);
 * - `update` gets the object with `metadata.resourceVersion` set to the version it replaces, and
 *   must refuse a stale one by throwing `conflict(...)` (the framework then re-reads and retries,
 *   or answers 409 Conflict when the client named that version);
 * - `create` must throw `alreadyExists(...)` for a taken name; a missing object is `null` from
 *   `get` and `notFound(...)` from `update`/`delete`.
 * Omitting `create`, `update` or `delete` turns that verb off (405 MethodNotAllowed, and discovery
 * leaves it out); omitting `watch` turns watch off.
 */
export interface ResourceBackend {
  get(target: BackendTarget): Promise<KubeObject | null> | KubeObject | null;
  list(namespace: string | undefined): Promise<BackendList> | BackendList;
  create?(obj: KubeObject): Promise<KubeObject> | KubeObject;
  update?(obj: KubeObject): Promise<KubeObject> | KubeObject;
  delete?(target: BackendTarget & { resourceVersion: string }): Promise<KubeObject> | KubeObject;
  /**
   * The changes after `fromResourceVersion` of the namespace (or all), as ADDED/MODIFIED/DELETED
   * events whose objects carry their resourceVersion, until `signal` aborts.
   */
  watch?(options: { namespace: string | undefined; fromResourceVersion: number; signal: AbortSignal }): AsyncIterable<WatchEvent>;
}

/** The scale subresource (autoscaling/v1 Scale), declared like a CRD's: JSON paths into the storage version. */
export interface ScaleDefinition {
  /** Where the desired replicas live, e.g. `.spec.replicas`. */
  specReplicasPath: string;
  /** Where the observed replicas live, e.g. `.status.replicas`. */
  statusReplicasPath: string;
  /** Where a label selector in string form lives (for HorizontalPodAutoscalers), e.g. `.status.selector`. */
  labelSelectorPath?: string;
}

/** What a streaming subresource's code gets. */
export interface StreamRequest {
  /** The parent object (storage version), read just before streaming starts. */
  object: KubeObject;
  /** Reads the parent object again (e.g. to follow its changes); a deleted parent is a 404 StatusError. */
  current(): Promise<KubeObject>;
  query: URLSearchParams;
  user?: UserInfo;
  /** Ends when the client goes away or the server shuts down: stop producing then. */
  signal: AbortSignal;
}

/**
 * A streaming subresource like pods/log: GET `<resource>/<name>/<subresource>` answers 200 and
 * the chunks `stream` yields, each sent as soon as it is produced, until the iterator ends or
 * the client leaves. Authorized as `get` on `<resource>/<subresource>`; a missing parent is 404.
 */
export interface StreamDefinition {
  /** Default `text/plain; charset=utf-8`. */
  contentType?: string;
  stream(request: StreamRequest): AsyncIterable<string | Uint8Array>;
}
