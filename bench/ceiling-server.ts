/**
 * The ceiling of the benchmark: a bare node:http2 TLS server (client certificates requested, as
 * an API server does) that does no work but answer each operation of bench/ops.ts with a
 * precomputed body of the same shape and size as an API server's answer: one Flunder for a get, a
 * create (201, after reading the request body) or an update (200, echoing the request body), a
 * list of 10 / 1,000 / 10,000 Flunders for the list namespaces. A watch (`?watch=true`) gets one
 * ADDED line and stays open; a PATCH (the fan-out's write) is answered with the patched Flunder
 * after its MODIFIED line, encoded once, has been written to every open watch. What it reaches per
 * operation is what Node's HTTP/2 and TLS on one core allow, whatever the server does.
 * It also answers the discovery and OpenAPI requests kube-apiserver's aggregator makes, so that it
 * can be registered as the wardle APIServices: through the aggregator it measures what the
 * aggregator's proxy allows with a backend that does no work.
 * Usage: node --import tsx bench/ceiling-server.ts <port> <tls-dir> (prints "ready" when listening).
 */
import { createSecureServer, type Http2ServerResponse } from 'node:http2';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [port, dir] = process.argv.slice(2);

function flunder(name: string, ns: string, rv: number): Record<string, unknown> {
  return {
    kind: 'Flunder', apiVersion: 'wardle.example.com/v1beta1',
    metadata: {
      name, namespace: ns, uid: '6b1f3f2e-2c55-4d43-9a0e-0d3c8e6d6a01', resourceVersion: String(rv), generation: 1, creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'bench' },
      managedFields: [{ manager: 'node', operation: 'Update', apiVersion: 'wardle.example.com/v1beta1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { '.': {}, 'f:flunderReference': {}, 'f:referenceType': {} } } }],
    },
    spec: { flunderReference: `ref-${name}`, referenceType: 'Flunder' },
  };
}

function list(ns: string, names: string[]): string {
  return JSON.stringify({ kind: 'FlunderList', apiVersion: 'wardle.example.com/v1beta1', metadata: { resourceVersion: '99999' }, items: names.map((n, i) => flunder(n, ns, 1000 + i)) });
}

const items = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
/** List bodies by namespace (bench/ops.ts's list namespaces; any other namespace lists the 32 update targets). */
const LISTS: Record<string, string> = {
  'bench-l10': list('bench-l10', items(10, 'item-')),
  'bench-l1k': list('bench-l1k', items(1000, 'item-')),
  'bench-l10k': list('bench-l10k', items(10000, 'item-')),
};
const UPDATE_TARGETS = list('bench-ops', Array.from({ length: 32 }, (_, i) => `upd-${i}`));
const ONE = JSON.stringify(flunder('get-target', 'bench-ops', 12345));
const LIST_PATH = /\/namespaces\/([^/]+)\/flunders$/;
const VERSIONS = ['v1alpha1', 'v1beta1'];
/** What the aggregator asks a backend for besides the load: availability, discovery, OpenAPI v2 and v3. */
const META: Record<string, string> = {
  '/apis': JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: [wardleGroup()] }),
  '/apis/wardle.example.com': JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...wardleGroup() }),
  ...Object.fromEntries(VERSIONS.map((v) => [`/apis/wardle.example.com/${v}`, JSON.stringify({
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `wardle.example.com/${v}`,
    resources: [{ name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }],
  })])),
  '/openapi/v2': JSON.stringify({ swagger: '2.0', info: { title: 'ceiling', version: 'v0' }, paths: {} }),
  '/openapi/v3': JSON.stringify({ paths: Object.fromEntries(VERSIONS.map((v) => [`apis/wardle.example.com/${v}`, { serverRelativeURL: `/openapi/v3/apis/wardle.example.com/${v}?hash=0` }])) }),
  ...Object.fromEntries(VERSIONS.map((v) => [`/openapi/v3/apis/wardle.example.com/${v}`, JSON.stringify({ openapi: '3.0.0', info: { title: 'ceiling', version: v }, paths: {}, components: {} })])),
};

function wardleGroup(): Record<string, unknown> {
  const versions = [...VERSIONS].reverse().map((v) => ({ groupVersion: `wardle.example.com/${v}`, version: v }));
  return { name: 'wardle.example.com', versions, preferredVersion: versions[0] };
}
/** The open watches (bench/watch-fanout.ts). */
const watches = new Set<Http2ServerResponse>();
let revision = 200_000;

/** The fan-out object after a PATCH that set `labels`. */
function fanObject(labels: Record<string, string>): string {
  const obj = flunder('fan', 'bench-watch', ++revision);
  (obj.metadata as { labels: Record<string, string> }).labels = { app: 'bench', ...labels };
  return JSON.stringify(obj);
}

function openWatch(res: Http2ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write(`{"type":"ADDED","object":${fanObject({})}}\n`);
  watches.add(res);
  res.on('close', () => watches.delete(res));
}

function fanOut(patch: string): string {
  const labels = (JSON.parse(patch) as { metadata?: { labels?: Record<string, string> } }).metadata?.labels ?? {};
  const obj = fanObject(labels);
  const line = `{"type":"MODIFIED","object":${obj}}\n`;
  for (const w of watches) w.write(line);
  return obj;
}

const server = createSecureServer({
  cert: readFileSync(join(dir, 'tls.crt')), key: readFileSync(join(dir, 'tls.key')), allowHTTP1: true, requestCert: true, rejectUnauthorized: false,
}, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const [path, query = ''] = (req.url ?? '').split('?');
    if (req.method === 'GET' && new URLSearchParams(query).get('watch') === 'true') {
      openWatch(res);
      return;
    }
    const listNs = req.method === 'GET' ? LIST_PATH.exec(path)?.[1] : undefined;
    const body = req.method === 'PATCH' ? fanOut(Buffer.concat(chunks).toString())
      : req.method === 'GET' && META[path] ? META[path]
      : listNs ? LISTS[listNs] ?? UPDATE_TARGETS : req.method === 'PUT' ? Buffer.concat(chunks).toString() : ONE;
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
