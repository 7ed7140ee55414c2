/**
 * What a request is about, derived from its method and path exactly as k8s.io/apiserver's
 * RequestInfoFactory derives it (this drives routing, authorization attributes and metrics).
 */
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection; for non-resource paths the lower-cased method. */
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
}

const SPECIAL_VERBS = new Set(['proxy', 'watch']);

/** Derives the RequestInfo of `method` + `path` (path without query). */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', apiGroup: '', apiVersion: '',
    namespace: '', resource: '', subresource: '', name: '', parts: [],
  };
  const segments = path.replace(/^\/+|\/+$/g, '').split('/').filter((s) => s.length > 0);
  if (segments[0] !== 'apis' && segments[0] !== 'api') return info;
  info.apiPrefix = segments[0];
  let rest = segments.slice(1);
  if (info.apiPrefix === 'apis') {
    if (rest.length >= 1) info.apiGroup = rest[0];
    if (rest.length < 2) return info;
    rest = rest.slice(1);
  } else if (rest.length < 1) return info;
  info.apiVersion = rest[0];
  rest = rest.slice(1);
  if (rest.length === 0) return info;
  info.isResourceRequest = true;
  let specialVerb = '';
  if (SPECIAL_VERBS.has(rest[0])) {
    specialVerb = rest[0];
    rest = rest.slice(1);
    if (rest.length === 0) { info.isResourceRequest = false; return info; }
  }
  info.verb = verbForMethod(method);
  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      info.namespace = rest[1];
      if (rest.length > 2) rest = rest.slice(2);
    }
  } else {
    info.namespace = '';
  }
  info.parts = rest;
  if (rest.length >= 3) info.subresource = rest[2];
  if (rest.length >= 2) info.name = rest[1];
  if (rest.length >= 1) info.resource = rest[0];
  if (info.resource === 'namespaces' && info.parts.length === 1 && info.namespace) {
    info.name = info.namespace; info.namespace = '';
  }
  if (specialVerb) info.verb = specialVerb;
  else if (info.verb === 'get' && !info.name) info.verb = isWatch(query) ? 'watch' : 'list';
  else if (info.verb === 'delete' && !info.name) info.verb = 'deletecollection';
  return info;
}

function verbForMethod(method: string): string {
  switch (method.toUpperCase()) {
    case 'POST': return 'create';
    case 'GET': case 'HEAD': return 'get';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return 'delete';
    default: return method.toLowerCase();
  }
}

function isWatch(query: URLSearchParams): boolean {
  const w = query.get('watch');
  return w !== null && w !== 'false' && w !== '0';
}
