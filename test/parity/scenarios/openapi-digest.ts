/**
 * What matters in an OpenAPI document for parity, independent of how each server names its
 * schemas: per path and method the operationId, tags, action, group-version-kind and parameters
 * (by name: where, and whether required; v2 `$ref` parameters resolved);
 * per wardle kind its schema with wardle references resolved inline and apimachinery references
 * reduced to their type name.
 */

type Schema = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Digest of an OpenAPI v3 group-version document. */
export function openApiDigest(doc: any): unknown {
  if (!doc?.paths) return doc;
  const schemas: Record<string, Schema> = doc.components?.schemas ?? {};
  return { paths: pathsDigest(doc.paths, {}), kinds: kindsDigest(schemas, '#/components/schemas/') };
}

/** Digest of an OpenAPI v2 (swagger) document, restricted to the wardle group. */
export function openApiV2Digest(doc: any): unknown {
  if (!doc?.paths) return doc;
  const paths = Object.fromEntries(Object.entries(doc.paths).filter(([p]) => p.includes('wardle.example.com')));
  return { swagger: doc.swagger, paths: pathsDigest(paths, doc.parameters ?? {}), kinds: kindsDigest(doc.definitions ?? {}, '#/definitions/') };
}

/** Parameters by name (`{in, required}`), shared ones of the path item first; a v2 `$ref` is resolved from the document's `parameters`. */
function parametersDigest(params: any[], shared: Record<string, any>): Record<string, unknown> {
  const resolved = params.map((p) => (typeof p?.$ref === 'string' ? shared[p.$ref.replace('#/parameters/', '')] ?? p : p));
  return Object.fromEntries(resolved.map((p) => [p.name ?? p.$ref, { in: p.in, ...(p.required ? { required: true } : {}) }]).sort(([a], [b]) => String(a).localeCompare(String(b))));
}

function pathsDigest(paths: Record<string, any>, sharedParameters: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of Object.keys(paths).sort()) {
    const item = paths[p];
    const ops: Record<string, unknown> = {};
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const gvk = op['x-kubernetes-group-version-kind'];
      ops[m] = {
        operationId: op.operationId, tags: op.tags, action: op['x-kubernetes-action'],
        gvk: gvk ? `${gvk.group}/${gvk.version}/${gvk.kind}` : undefined,
        parameters: parametersDigest([...(item.parameters ?? []), ...(op.parameters ?? [])], sharedParameters),
      };
    }
    out[p] = ops;
  }
  return out;
}

function kindsDigest(schemas: Record<string, Schema>, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const schema of Object.values(schemas)) {
    const gvks: any[] = [schema['x-kubernetes-group-version-kind'] ?? []].flat();
    const gvk = gvks.find((g) => g.group === 'wardle.example.com');
    if (!gvk) continue;
    out[`${gvk.version}/${gvk.kind}`] = schemaDigest(schema, schemas, prefix, 0);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function refName(ref: string, prefix: string): string {
  return ref.startsWith(prefix) ? ref.slice(prefix.length) : ref;
}

function schemaDigest(s: Schema | undefined, schemas: Record<string, Schema>, prefix: string, depth: number): unknown {
  if (!s || depth > 6) return s;
  const ref: string | undefined = s.$ref ?? (Array.isArray(s.allOf) && s.allOf.length === 1 ? s.allOf[0].$ref : undefined);
  if (ref) {
    const name = refName(ref, prefix);
    if (!name.includes('wardle')) return { ref: name.split('.').pop(), description: s.description };
    return schemaDigest({ ...schemas[name], ...(s.description ? { description: s.description } : {}) }, schemas, prefix, depth + 1);
  }
  const out: Record<string, unknown> = { type: s.type, description: s.description };
  if (s.required) out.required = [...s.required].sort();
  if (s.items) out.items = schemaDigest(s.items, schemas, prefix, depth + 1);
  if (s['x-kubernetes-list-type']) out.listType = s['x-kubernetes-list-type'];
  if (s.properties) {
    out.properties = Object.fromEntries(Object.keys(s.properties).sort().map((k) => [k, schemaDigest(s.properties[k], schemas, prefix, depth + 1)]));
  }
  return out;
}
