/**
 * The REST seam: each `{resource, subresource}` of a server is served by one REST object that
 * implements some of the small verb interfaces below (as k8s.io/apiserver's rest.Getter,
 * rest.Lister, ...). Routing, discovery verbs, OpenAPI operations and 405 answers are all derived
 * from which of these methods an object has (see verbs.ts); nothing is listed twice.
 *
 * Every method works on objects in the REST object's own form: the storage version of the
 * resource for the resource itself and `status`, or the subresource's own kind (e.g.
 * autoscaling/v1 Scale) when `kind` says so. Errors leave as StatusError.
 */
import type { KubeObject, WatchEvent } from '../apimachinery/types.ts';
import type { OperationContext, Resource } from '../resource/define-resource.ts';
import type { ListOptions, ListResult } from '../storage/interface.ts';
import type { HttpRequest, HttpResponse } from '../endpoints/http.ts';
import type { UserInfo } from '../resource/define-resource.ts';

/** Request-level facts a write needs besides the object: user, dryRun, subresource, lookup. */
export type WriteContext = Omit<OperationContext, 'operation' | 'namespace' | 'name'>;

/** The outcome of a write: the object and any warnings for the client. */
export interface WriteResult {
  object: KubeObject;
  warnings: string[];
}

/**
 * The outcome of a delete: `finished` is false while finalizers keep the object. `emptied`: a
 * dry run that would have removed the last garbage-collector finalizer and deleted the object —
 * upstream's generic store then answers an empty object of the kind (no metadata), not a Status.
 */
export interface DeleteResult {
  object: KubeObject;
  finished: boolean;
  emptied?: boolean;
}

/** What a delete may require of the object (DeleteOptions.preconditions). */
export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

/**
 * The DeleteOptions a store acts on (body and query merged, validated): preconditions, and what
 * the garbage collector does with the dependents (`propagationPolicy`, or the deprecated
 * `orphanDependents`, never both). `gracePeriodSeconds` is read, as for a CRD, only to be ignored.
 */
export interface DeleteRequest {
  preconditions?: DeletePreconditions;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
}

/** Where a watch starts and when it ends. */
export interface RestWatchOptions {
  /** Events after this resourceVersion. */
  fromRevision: number;
  /** Ends the watch (client gone, timeout, server shutdown). */
  signal: AbortSignal;
}

/** GET of one object (`get`). */
export interface Getter {
  get(namespace: string | undefined, name: string): Promise<KubeObject>;
}

/** GET of a collection (`list`): filtered by `opts.predicate`, paged when the object can. */
export interface Lister {
  list(namespace: string | undefined, opts: ListOptions): Promise<ListResult>;
}

/**
 * `watch`: the changes after `opts.fromRevision` of one object (`name`) or of a collection, as
 * ADDED/MODIFIED/DELETED events carrying their resourceVersion; `currentRevision` feeds bookmarks.
 * A Watcher is also a Lister: a watch from "now" starts with the current list.
 */
export interface Watcher extends Lister {
  watch(namespace: string | undefined, name: string | undefined, opts: RestWatchOptions): AsyncIterable<WatchEvent>;
  currentRevision(): Promise<number>;
}

/** POST to a collection (`create`). */
export interface Creater {
  create(namespace: string | undefined, obj: KubeObject, ctx: WriteContext): Promise<WriteResult>;
}

/**
 * PUT and PATCH of one object (`update`, `patch`): `mutate` turns the current object into the
 * desired one; a resourceVersion in the result that differs from the current one is a 409 Conflict.
 */
export interface Updater {
  /** True when a PUT need not name the resourceVersion it replaces (kube's AllowUnconditionalUpdate; a CRD's scale). */
  readonly allowsUnconditionalUpdate?: boolean;
  update(namespace: string | undefined, name: string, mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>, ctx: WriteContext): Promise<WriteResult>;
}

/** DELETE of one object (`delete`). */
export interface Deleter {
  delete(namespace: string | undefined, name: string, options: DeleteRequest, ctx: WriteContext): Promise<DeleteResult>;
}

/** DELETE of a collection (`deletecollection`): each listed object deleted with `options`; answers the list as read. */
export interface CollectionDeleter {
  deleteCollection(namespace: string | undefined, opts: ListOptions, options: DeleteRequest, ctx: WriteContext): Promise<ListResult>;
}

/** What a connect handler gets: the raw exchange, the parsed query and who asks. */
export interface ConnectRequest {
  namespace: string | undefined;
  name: string;
  query: URLSearchParams;
  user?: UserInfo;
  req: HttpRequest;
  res: HttpResponse;
  /** Ends when the client goes away or the server shuts down. */
  signal: AbortSignal;
}

/**
 * A connect subresource (like pods/log, pods/exec): the object answers the HTTP exchange
 * itself, for the methods it lists. GET is authorized as `get`, POST as `create`, ... on the
 * subresource, as kube-apiserver does.
 */
export interface Connecter {
  readonly connectMethods: readonly ('GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE')[];
  connect(request: ConnectRequest): Promise<void>;
}

/** The group/version/kind a subresource speaks when it is not the resource's own kind (Scale). */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The kind a subresource speaks: its group/version/kind, JSON schema and OpenAPI definition name. */
export interface SubresourceKind extends GroupVersionKind {
  schema: Record<string, unknown>;
  /** The name kube-apiserver publishes it under (`io.k8s.api.autoscaling.v1.Scale`). */
  openApiName?: string;
}

/**
 * A REST object: the resource it belongs to, optionally the kind it speaks (when that is not the
 * resource's own, e.g. autoscaling/v1 Scale), and any of the verb interfaces.
 */
export interface Rest extends Partial<Getter & Watcher & Creater & Updater & Deleter & CollectionDeleter & Connecter> {
  readonly resource: Resource;
  /** Set when requests and answers are objects of another kind, served as they are (no conversion). */
  readonly kind?: SubresourceKind;
}
