import type { ApiResource } from '../../rest/api-resource.ts';
import { servedVersions } from '../../resource/versions.ts';
import { notAcceptable } from '../../errors/status-error.ts';
import type { HttpRequest, HttpResponse } from '../http.ts';
import { parseMediaRanges } from '../negotiation.ts';
import { openApiV2, openApiV3, type OpenApiDocument } from './documents.ts';

/**
 * Serves `/openapi/v2` (JSON; a protobuf Accept falls back to JSON when JSON is acceptable too),
 * `/openapi/v3` (the index of group versions with their `hash`) and `/openapi/v3/apis/<g>/<v>`,
 * with ETag / If-None-Match, generated once (on first use) from the resource declarations.
 */
export class OpenApiHandler {
  private v2Document: OpenApiDocument | undefined;
  private v3Documents: Map<string, OpenApiDocument> | undefined;

  /** The documents are built on the first OpenAPI request (they are not needed to start serving). */
  constructor(private readonly resources: ApiResource[]) {}

  private get v2(): OpenApiDocument {
    this.v2Document ??= openApiV2(this.resources);
    return this.v2Document;
  }

  private get v3(): Map<string, OpenApiDocument> {
    if (this.v3Documents) return this.v3Documents;
    const v3 = new Map<string, OpenApiDocument>();
    for (const { resource: r } of this.resources) {
      for (const v of servedVersions(r)) {
        const key = `apis/${r.group}/${v.name}`;
        if (!v3.has(key)) v3.set(key, openApiV3(this.resources, r.group, v.name));
      }
    }
    this.v3Documents = v3;
    return v3;
  }

  /** Answers the request when its path is an OpenAPI path; false otherwise. */
  serve(req: HttpRequest, res: HttpResponse, path: string): boolean {
    if (path === '/openapi/v2') {
      if (!acceptsJson(req.headers.accept)) throw notAcceptable(['application/json']);
      send(req, res, this.v2, 'application/json');
      return true;
    }
    if (path === '/openapi/v3' || path === '/openapi/v3/') {
      const paths = Object.fromEntries([...this.v3].map(([k, d]) => [k, { serverRelativeURL: `/openapi/v3/${k}?hash=${d.hash}` }]));
      const body = JSON.stringify({ paths });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
      res.end(body);
      return true;
    }
    const doc = path.startsWith('/openapi/v3/') ? this.v3.get(path.slice('/openapi/v3/'.length)) : undefined;
    if (!doc) return false;
    send(req, res, doc, 'application/json');
    return true;
  }
}

function acceptsJson(accept: string | undefined): boolean {
  const ranges = parseMediaRanges(accept);
  return ranges.length === 0 || ranges.some((r) => r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*');
}

function send(req: HttpRequest, res: HttpResponse, doc: OpenApiDocument, type: string): void {
  const etag = `"${doc.hash}"`;
  const url = new URL(req.url ?? '/', 'https://localhost');
  const immutable = url.searchParams.get('hash') === doc.hash;
  const headers = { 'content-type': type, etag, 'cache-control': immutable ? 'public, immutable' : 'no-cache, private', vary: 'Accept' };
  if (req.headers['if-none-match'] === etag) { res.writeHead(304, headers); res.end(); return; }
  res.writeHead(200, headers);
  res.end(doc.body);
}
