import { createHash } from 'node:crypto';
import type { ApiResource } from '../../rest/api-resource.ts';
import { servedVersions } from '../../resource/versions.ts';
import { metaDefinitions, resourceDefinitions, subresourceDefinitions } from './definitions.ts';
import { resourcePaths } from './paths.ts';

/** A generated OpenAPI document, serialised once, with its content hash (ETag / `hash` query). */
export interface OpenApiDocument {
  body: string;
  hash: string;
}

function finish(doc: unknown): OpenApiDocument {
  const body = JSON.stringify(doc);
  return { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase() };
}

/** A Swagger 2.0 document of every resource version (what `/openapi/v2` serves). */
export function openApiV2(resources: ApiResource[]): OpenApiDocument {
  const ref = (n: string) => `#/definitions/${n}`;
  const definitions: Record<string, unknown> = { ...metaDefinitions(ref) };
  const paths: Record<string, unknown> = {};
  for (const r of resources) {
    Object.assign(definitions, subresourceDefinitions(r, ref));
    for (const v of servedVersions(r.resource)) {
      Object.assign(definitions, resourceDefinitions(r.resource, v, ref));
      Object.assign(paths, resourcePaths(r, v, 'v2', ref));
    }
  }
  return finish({ swagger: '2.0', info: { title: 'extapi', version: 'v0.1.0' }, paths, definitions });
}

/** The OpenAPI 3.0 document of one group/version (what `/openapi/v3/apis/<g>/<v>` serves). */
export function openApiV3(resources: ApiResource[], group: string, version: string): OpenApiDocument {
  const ref = (n: string) => `#/components/schemas/${n}`;
  const schemas: Record<string, unknown> = { ...metaDefinitions(ref) };
  const paths: Record<string, unknown> = {};
  for (const r of resources.filter((x) => x.resource.group === group)) {
    for (const v of servedVersions(r.resource).filter((x) => x.name === version)) {
      Object.assign(schemas, subresourceDefinitions(r, ref));
      Object.assign(schemas, resourceDefinitions(r.resource, v, ref));
      Object.assign(paths, resourcePaths(r, v, 'v3', ref));
    }
  }
  return finish({ openapi: '3.0.0', info: { title: 'extapi', version: 'v0.1.0' }, paths, components: { schemas } });
}
