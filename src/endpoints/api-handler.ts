import { createHash } from 'node:crypto';
import type { KubeObject } from '../apimachinery/types.ts';
import { StatusError } from '../errors/status-error.ts';
import type { Resource, ResourceRef, UserInfo } from '../resource/define-resource.ts';
import { ResourceStore } from '../registry/store.ts';
import type { Storage } from '../storage/interface.ts';
import type { AdmissionPlugin } from '../admission/types.ts';
import { VersionCodec } from './codec.ts';
import { AGGREGATED_DISCOVERY_TYPES, DiscoveryIndex } from './discovery.ts';
import { writeObject, type HttpRequest, type HttpResponse } from './http.ts';
import { parseMediaRanges } from './negotiation.ts';
import type { RequestInfo } from './request-info.ts';
import type { RequestScope } from './scope.ts';
import { handleDelete, handleDeleteCollection } from './handlers/delete.ts';
import { handleGet, handleList } from './handlers/read.ts';
import { handleWatch } from './handlers/watch.ts';
import { handleCreate, handlePatch, handleUpdate } from './handlers/write.ts';

/** 404 for a path nothing serves, worded as kube-apiserver words it. */
export function notFoundPath(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

interface Route {
  resource: Resource;
  codec: VersionCodec;
  codecs: Map<string, VersionCodec>;
  store: ResourceStore;
}

/**
 * Serves `/apis`, `/apis/<group>`, `/apis/<group>/<version>` and every resource path of the given
 * resources (namespaced and cluster-scoped forms, `/status`, legacy `/watch/`). Errors are thrown
 * as StatusError for the server's one error boundary to answer.
 */
export class ApiHandler {
  readonly discovery: DiscoveryIndex;
  readonly stores = new Map<string, ResourceStore>();
  private readonly routes = new Map<string, Route>();
  private readonly storage: Storage;
  private readonly aggregatedCache = new Map<string, { body: string; etag: string }>();

  constructor(resources: Resource[], storage: Storage, admission: AdmissionPlugin[] = []) {
    this.storage = storage;
    this.discovery = new DiscoveryIndex(resources);
    for (const resource of resources) {
      const store = new ResourceStore(resource, storage, admission);
      this.stores.set(`${resource.group}/${resource.plural}`, store);
      const codecs = new Map(resource.versions.map((v) => [`${resource.group}/${v.name}`, new VersionCodec(resource, v)]));
      for (const codec of codecs.values()) {
        this.routes.set(`${resource.group}/${codec.version.name}/${resource.plural}`, { resource, codec, codecs, store });
      }
    }
  }

  /** All objects of another resource (storage version), for admission lookups. */
  readonly lookup = async (ref: ResourceRef, namespace?: string): Promise<KubeObject[]> => {
    const store = this.stores.get(`${ref.group}/${ref.plural}`);
    if (!store) return [];
    return (await store.list(namespace, {})).items;
  };

  /** True when the path is one this handler owns (`/apis` and below). */
  owns(info: RequestInfo): boolean {
    return info.apiPrefix === 'apis' || info.path === '/apis' || info.path === '/apis/';
  }

  /** Handles one request already parsed into `info`. */
  async handle(req: HttpRequest, res: HttpResponse, info: RequestInfo, query: URLSearchParams, user: UserInfo | undefined, signal: AbortSignal): Promise<void> {
    if (!info.isResourceRequest) return this.handleDiscovery(req, res, info);
    const route = this.routes.get(`${info.apiGroup}/${info.apiVersion}/${info.resource}`);
    if (!route) throw notFoundPath();
    if (info.subresource && !(info.subresource === 'status' && route.resource.subresources.status)) throw notFoundPath();
    if (info.parts.length > 3) throw notFoundPath();
    if (info.namespace && !route.resource.namespaced) throw notFoundPath();
    const scope: RequestScope = { req, res, info, query, user, codec: route.codec, codecs: route.codecs, store: route.store, lookup: this.lookup, signal };
    await this.dispatch(scope, info);
  }

  private async dispatch(scope: RequestScope, info: RequestInfo): Promise<void> {
    const named = !!info.name;
    switch (info.verb) {
      case 'get': return handleGet(scope);
      case 'list': return handleList(scope);
      case 'watch': return handleWatch(scope, this.storage);
      case 'create': if (!named) return handleCreate(scope); break;
      case 'update': if (named) return handleUpdate(scope); break;
      case 'patch': if (named) return handlePatch(scope); break;
      case 'delete': if (named && !info.subresource) return handleDelete(scope); break;
      case 'deletecollection': if (!info.subresource) return handleDeleteCollection(scope); break;
    }
    throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
  }

  private handleDiscovery(req: HttpRequest, res: HttpResponse, info: RequestInfo): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
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
