import { createHash } from 'node:crypto';
import { auditOf } from '../audit/context.ts';
import type { KubeObject } from '../apimachinery/types.ts';
import { StatusError } from '../errors/status-error.ts';
import { defineResource, type Resource, type ResourceRef, type UserInfo } from '../resource/define-resource.ts';
import type { ApiResource } from '../rest/api-resource.ts';
import { deprecationWarning, isServed } from '../resource/versions.ts';
import type { Rest, SubresourceKind } from '../rest/interfaces.ts';
import { implementsAll, VERB_MEMBERS } from '../rest/verbs.ts';
import { VersionCodec } from './codec.ts';
import { AGGREGATED_DISCOVERY_TYPES, DiscoveryIndex } from './discovery.ts';
import { STORED_VERSIONS_RESOURCE, storedVersionsReport } from './stored-versions.ts';
import { addResponseWarning, writeObject, type HttpRequest, type HttpResponse } from './http.ts';
import type { RequestEnd } from './request-end.ts';
import { parseMediaRanges } from './negotiation.ts';
import type { RequestInfo } from './request-info.ts';
import type { RequestScope } from './scope.ts';
import { handleConnect } from './handlers/connect.ts';
import { handleDelete, handleDeleteCollection } from './handlers/delete.ts';
import { handleGet, handleList } from './handlers/read.ts';
import { handleWatch } from './handlers/watch.ts';
import { handleCreate, handlePatch, handleUpdate } from './handlers/write.ts';

/** The audit annotation kube-apiserver puts on requests to a deprecated version. */
export const DEPRECATED_AUDIT_ANNOTATION = 'k8s.io/deprecated';

/** 404 for a path nothing serves, worded as kube-apiserver words it. */
export function notFoundPath(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** 405 for a verb the REST object of the path does not implement, worded as kube-apiserver words it. */
export function methodNotAllowed(): StatusError {
  return new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

/** What serves one {resource, subresource} in one version. */
interface Endpoint {
  resource: Resource;
  rest: Rest;
  /** The codec of the path's version (or of the subresource's own kind). */
  codec: VersionCodec;
  /** Codecs of every version a body may come in, by apiVersion. */
  codecs: Map<string, VersionCodec>;
  /** The warning every request to this version carries (deprecated versions). */
  deprecation?: string;
}

/**
 * Serves `/apis`, `/apis/<group>`, `/apis/<group>/<version>` and every resource path of the given
 * resources (namespaced and cluster-scoped forms, subresources, legacy `/watch/`), each by the
 * REST object of its {resource, subresource}: a verb that object does not implement answers 405.
 * Errors are thrown as StatusError for the server's one error boundary to answer.
 */
export class ApiHandler {
  readonly discovery: DiscoveryIndex;
  private readonly resources = new Map<string, ApiResource>();
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly aggregatedCache = new Map<string, { body: string; etag: string }>();

  constructor(apiResources: ApiResource[]) {
    this.discovery = new DiscoveryIndex(apiResources);
    for (const api of apiResources) {
      const { resource } = api;
      this.resources.set(`${resource.group}/${resource.plural}`, api);
      const codecs = new Map(resource.versions.map((v) => [`${resource.group}/${v.name}`, new VersionCodec(resource, v)]));
      for (const codec of codecs.values()) {
        if (!isServed(codec.version)) continue;
        const base = `${resource.group}/${codec.version.name}/${resource.plural}`;
        const deprecation = deprecationWarning(resource, codec.version);
        this.endpoints.set(base, { resource, rest: api.rest, codec, codecs, deprecation });
        for (const [name, rest] of api.subresources) {
          const own = rest.kind ? kindCodecs(rest.kind) : undefined;
          this.endpoints.set(`${base}/${name}`, { resource, rest, codec: own?.codec ?? codec, codecs: own?.codecs ?? codecs, deprecation });
        }
      }
    }
  }

  /**
   * All objects of another resource (storage version), for admission lookups; [] when it cannot
   * be listed. Read as kube-apiserver's admission plugins read through their informers' listers:
   * from the watch cache as it is (resourceVersion=0), which may trail the newest write by the
   * cache's delay, instead of a consistent read that costs an etcd call per admitted request.
   */
  readonly lookup = async (ref: ResourceRef, namespace?: string): Promise<KubeObject[]> => {
    const rest = this.resources.get(`${ref.group}/${ref.plural}`)?.rest;
    if (!rest?.list) return [];
    return (await rest.list(namespace, { match: 'Any' })).items;
  };

  /** True when the path is one this handler owns (`/apis` and below). */
  owns(info: RequestInfo): boolean {
    return info.apiPrefix === 'apis' || info.path === '/apis' || info.path === '/apis/';
  }

  /** True when the request goes to a connect subresource (long-running: no request timeout). */
  isConnect(info: RequestInfo): boolean {
    if (!info.isResourceRequest || !info.subresource) return false;
    return !!this.endpoints.get(`${info.apiGroup}/${info.apiVersion}/${info.resource}/${info.subresource}`)?.rest.connect;
  }

  /** Handles one request already parsed into `info`. */
  async handle(req: HttpRequest, res: HttpResponse, info: RequestInfo, query: URLSearchParams, user: UserInfo | undefined, ended: RequestEnd): Promise<void> {
    if (!info.isResourceRequest) return this.handleDiscovery(req, res, info);
    if (info.resource === STORED_VERSIONS_RESOURCE && !info.namespace) return this.serveStoredVersions(req, res, info);
    const base = `${info.apiGroup}/${info.apiVersion}/${info.resource}`;
    if (!this.endpoints.has(base) || info.parts.length > 3) throw notFoundPath();
    const endpoint = this.endpoints.get(info.subresource ? `${base}/${info.subresource}` : base);
    if (!endpoint) throw notFoundPath();
    if (info.namespace && !endpoint.resource.namespaced) throw notFoundPath();
    const { resource, rest, codec, codecs } = endpoint;
    const scope: RequestScope = { req, res, info, query, user, codec, codecs, rest, resource, lookup: this.lookup, ended };
    const handler = handlerFor(scope, info);
    if (!handler) throw methodNotAllowed();
    // As kube-apiserver: a deprecated version's warning and audit annotation on every routed request, not on a 405.
    if (endpoint.deprecation !== undefined) {
      addResponseWarning(res, endpoint.deprecation);
      auditOf(req)?.annotate(DEPRECATED_AUDIT_ANNOTATION, 'true');
    }
    await handler();
  }

  private async serveStoredVersions(req: HttpRequest, res: HttpResponse, info: RequestInfo): Promise<void> {
    if (!this.discovery.versionsOf(info.apiGroup).includes(info.apiVersion) || info.name || info.subresource) throw notFoundPath();
    if (info.verb !== 'list') throw methodNotAllowed();
    writeObject(res, 200, await storedVersionsReport(info.apiGroup, [...this.resources.values()]));
  }

  private handleDiscovery(req: HttpRequest, res: HttpResponse, info: RequestInfo): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed();
    const path = info.path.replace(/\/+$/, '');
    if (path === '/apis') return this.serveGroups(req, res);
    if (info.apiGroup && !info.apiVersion) {
      if (this.discovery.versionsOf(info.apiGroup).length === 0) throw notFoundPath();
      return writeObject(res, 200, this.discovery.apiGroup(info.apiGroup));
    }
    if (info.apiGroup && info.apiVersion && info.parts.length === 0) {
      if (!this.discovery.versionsOf(info.apiGroup).includes(info.apiVersion)) throw notFoundPath();
      return writeObject(res, 200, this.discovery.apiResourceList(info.apiGroup, info.apiVersion));
    }
    throw notFoundPath();
  }

  private serveGroups(req: HttpRequest, res: HttpResponse): void {
    const wanted = aggregatedVersion(req.headers.accept);
    if (!wanted) return writeObject(res, 200, this.discovery.apiGroupList());
    let cached = this.aggregatedCache.get(wanted);
    if (!cached) {
      const body = JSON.stringify(this.discovery.aggregated(wanted));
      cached = { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
      this.aggregatedCache.set(wanted, cached);
    }
    const headers = { 'content-type': AGGREGATED_DISCOVERY_TYPES[wanted], etag: cached.etag, vary: 'Accept', 'cache-control': 'no-cache, private' };
    if (req.headers['if-none-match'] === cached.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, headers);
    res.end(cached.body);
  }
}

function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | null {
  for (const r of parseMediaRanges(accept)) {
    if (r.type === 'application/json' && r.params.g === 'apidiscovery.k8s.io' && r.params.as === 'APIGroupDiscoveryList') {
      if (r.params.v === 'v2' || r.params.v === 'v2beta1') return r.params.v;
    }
    if (r.type === 'application/json' && !r.params.as) return null;
    if (r.type === '*/*' || r.type === 'application/*') return null;
  }
  return null;
}

/**
 * The handler of the request's verb when the REST object implements it (connect subresources
 * answer their own methods); null when it does not (405 MethodNotAllowed).
 */
function handlerFor(scope: RequestScope, info: RequestInfo): (() => Promise<void>) | null {
  const { rest } = scope;
  const named = !!info.name;
  const method = (scope.req.method ?? 'GET').toUpperCase() === 'HEAD' ? 'GET' : (scope.req.method ?? 'GET').toUpperCase();
  if (named && implementsAll(rest, 'connect', 'connectMethods') && rest.connectMethods.some((m) => m === method)) return () => handleConnect({ ...scope, rest });
  switch (info.verb) {
    case 'get': if (named && implementsAll(rest, ...VERB_MEMBERS.get)) return () => handleGet({ ...scope, rest }); break;
    case 'list': if (!named && implementsAll(rest, ...VERB_MEMBERS.list)) return () => handleList({ ...scope, rest }); break;
    case 'watch': if (implementsAll(rest, ...VERB_MEMBERS.watch)) return () => handleWatch({ ...scope, rest }); break;
    case 'create': if (!named && implementsAll(rest, ...VERB_MEMBERS.create)) return () => handleCreate({ ...scope, rest }); break;
    case 'update': if (named && implementsAll(rest, ...VERB_MEMBERS.update)) return () => handleUpdate({ ...scope, rest }); break;
    case 'patch': if (named && implementsAll(rest, ...VERB_MEMBERS.patch)) return () => handlePatch({ ...scope, rest }); break;
    case 'delete': if (named && implementsAll(rest, ...VERB_MEMBERS.delete)) return () => handleDelete({ ...scope, rest }); break;
    case 'deletecollection': if (!named && implementsAll(rest, ...VERB_MEMBERS.deletecollection)) return () => handleDeleteCollection({ ...scope, rest }); break;
  }
  return null;
}

const kindCodecCache = new Map<string, { codec: VersionCodec; codecs: Map<string, VersionCodec> }>();

/** The codec of a subresource's own kind (e.g. autoscaling/v1 Scale): its schema, no conversion. */
function kindCodecs(kind: SubresourceKind): { codec: VersionCodec; codecs: Map<string, VersionCodec> } {
  const apiVersion = kind.group ? `${kind.group}/${kind.version}` : kind.version;
  let cached = kindCodecCache.get(`${apiVersion}/${kind.kind}`);
  if (!cached) {
    const resource = defineResource({
      group: kind.group, kind: kind.kind, plural: kind.kind.toLowerCase(), namespaced: false,
      versions: [{ name: kind.version, storage: true, schema: kind.schema }],
    });
    const codec = new VersionCodec(resource, resource.versions[0]);
    cached = { codec, codecs: new Map([[apiVersion, codec]]) };
    kindCodecCache.set(`${apiVersion}/${kind.kind}`, cached);
  }
  return cached;
}
