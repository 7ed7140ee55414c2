/**
 * The fuzzer's request generator: random and malformed requests against a wardle server —
 * every verb, odd targets, headers and query strings, JSON/YAML/patch bodies valid and broken.
 */
import type { Random } from './random.ts';

/** One generated request. `raw` requests are sent as bytes over HTTP/1.1 (targets no client library would send). */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  raw?: boolean;
}

const G = '/apis/wardle.example.com';
const NAMESPACES = ['default', 'fuzz', 'kube-system', 'Bad_NS', '', 'x'.repeat(70)];
const NAMES = ['a', 'b', 'c', 'fz-1', 'fz-2', 'UPPER', 'x'.repeat(300), 'ü', '..', '%2e%2e', 'a b', 'a%00b'];
const VERSIONS = ['v1alpha1', 'v1beta1', 'v1', 'v0'];
const CONTENT_TYPES = ['application/json', 'application/yaml', 'application/merge-patch+json', 'application/json-patch+json',
  'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/vnd.kubernetes.protobuf', 'text/plain', 'garbage/;;', ''];
const ACCEPTS = ['application/json', 'application/yaml', '*/*', 'application/json;as=Table;g=meta.k8s.io;v=v1',
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1', 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
  'application/vnd.kubernetes.protobuf', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', 'text/html', ';;;', ''];
const QUERY_KEYS = ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'timeoutSeconds',
  'dryRun', 'fieldValidation', 'propagationPolicy', 'gracePeriodSeconds', 'pretty', 'includeObject', 'allowWatchBookmarks', 'sendInitialEvents', 'fieldManager', 'force', 'verbose', 'exclude'];
const QUERY_VALUES = ['', '0', '1', '-1', '500', '9223372036854775807', '9223372036854775808', '18446744073709551616', '1e3', 'abc', 'All', 'Strict', 'Warn', 'Ignore',
  'Exact', 'NotOlderThan', 'Orphan', 'true', 'false', 'a=b', 'a!=b,c in (x,y)', 'a in (', 'metadata.name=a', 'spec.x=y', '!a', '%ff', 'ü', '\u0100', 'x'.repeat(5000)];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE', 'FOO'];
const RAW_TARGETS = ['http://[/', 'http://a:b/', 'https://x:99999/apis', '*', 'nonsense', '/apis/%', '/%zz', '//[', '/apis?x=%', 'https://h/apis/wardle.example.com'];

function path(r: Random): string {
  const v = r.pick(VERSIONS);
  const ns = r.pick(NAMESPACES);
  const name = r.pick(NAMES);
  const kind = r.chance(0.7) ? 'flunders' : r.pick(['fischers', 'nope', 'Flunders', 'flunders/status']);
  switch (r.int(0, 16)) {
    case 0: return r.pick(['/apis', '/apis/', '/api', '/api/v1', '/version', '/openapi/v2', '/openapi/v3', `/openapi/v3/apis/wardle.example.com/${v}`, '/metrics']);
    case 1: return r.pick(['/healthz', '/livez', '/readyz', '/readyz?verbose', '/healthz/ping', '/livez/nope', '/readyz/shutdown']);
    case 2: return `${G}`;
    case 3: return `${G}/${v}`;
    case 4: return `${G}/${v}/fischers${r.chance(0.5) ? `/${name}` : ''}`;
    case 5: return `${G}/${v}/watch/namespaces/${ns}/flunders`;
    case 6: return `/${r.string(r.int(1, 40), 'abc/%.-_~!$&\'()*+,;=:@ü\u0100')}`;
    case 7: return `${G}/${v}/namespaces/${ns}/${kind}/${name}/status`;
    case 8: return `${G}/${v}/${kind}`;
    default: return `${G}/${v}/namespaces/${ns}/${kind}${r.chance(0.5) ? `/${name}` : ''}`;
  }
}

function query(r: Random): string {
  if (r.chance(0.4)) return '';
  const parts: string[] = [];
  for (let i = r.int(1, 4); i > 0; i--) parts.push(`${r.pick(QUERY_KEYS)}=${encodeURIComponent(r.pick(QUERY_VALUES))}`);
  if (r.chance(0.1)) parts.push('watch=true', `timeoutSeconds=${r.int(1, 2)}`);
  if (r.chance(0.05)) parts.push('%zz=%', 'a=%');
  return `?${parts.join('&')}`;
}

function flunder(r: Random, name: string): Record<string, unknown> {
  const obj: Record<string, unknown> = {
    apiVersion: r.pick(['wardle.example.com/v1alpha1', 'wardle.example.com/v1beta1', 'v1', '', 5]), kind: r.pick(['Flunder', 'Fischer', '', null]),
    metadata: { name, namespace: r.pick(NAMESPACES), labels: r.chance(0.5) ? { a: r.pick(['b', '', 'x'.repeat(70), 5]) } : undefined, resourceVersion: r.chance(0.3) ? r.pick(['1', 'abc', '']) : undefined },
    spec: r.chance(0.8) ? { reference: r.pick(['x', 5, null, {}, []]), referenceType: r.pick(['Flunder', 'Fischer', 'bad']) } : r.pick([null, 'str', [1]]),
  };
  if (r.chance(0.2) && obj.spec && typeof obj.spec === 'object' && !Array.isArray(obj.spec)) (obj.spec as Record<string, unknown>)[r.pick(['\u0100', '\u0001', 'a"b', 'ü', '\u202e'])] = 1;
  return obj;
}

function deepJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function body(r: Random, name: string): string | undefined {
  switch (r.int(0, 14)) {
    case 0: return undefined;
    case 1: return '';
    case 2: return JSON.stringify(flunder(r, name)).slice(0, r.int(1, 60));
    case 3: return deepJson(r.pick([10, 200, 20000]));
    case 4: return r.pick(['null', '[]', '1', '"s"', 'true', '{}', '{"metadata":null}', '{"metadata":[]}', '{"metadata":{"name":5}}']);
    case 5: return `metadata: {name: ${name}}\nspec: {reference: !!binary aGVsbG8=}\n`;
    case 6: return r.pick(['a: &x [1]\nb: *x\n', '%YAML 1.1\n---\nmetadata: {name: y}\n', 'metadata: {name: !!set {a}}\n', 'a: .inf\n', '- a\n- b\n', '{{{', 'metadata:\n  name: [\n', '? [1,2]\n: x\n', 'metadata: !!omap [name: x]\n', 'x: !custom 1\n']);
    case 7: return JSON.stringify(r.pick([[{ op: 'add', path: '/spec/reference', value: 'x' }], [{ op: 'remove', path: '/metadata' }], [{ op: 'test', path: '/x', value: 1 }], [{ op: 'move', from: '/a', path: '/a/b' }], [{ op: 'replace', path: '', value: 1 }], [{ op: 'copy', from: '/spec', path: '/spec/x' }], [{}], 5]));
    case 8: return JSON.stringify(r.pick([{ spec: { reference: 'y' } }, { metadata: { name: 'other' } }, { metadata: { labels: { a: null } } }, { $patch: 'replace' }, { spec: { $retainKeys: [1] } }, { metadata: { finalizers: ['x/y'] } }]));
    case 9: return JSON.stringify(r.pick([{ dryRun: 1 }, { dryRun: {} }, { dryRun: ['All'] }, { propagationPolicy: 'x' }, { gracePeriodSeconds: 'x' }, { preconditions: { uid: 5 } }, { preconditions: { resourceVersion: '1' } }, { kind: 'DeleteOptions', apiVersion: 'v1' }]));
    case 10: return String.fromCharCode(...Array.from({ length: r.int(1, 200) }, () => r.int(0, 255)));
    case 11: return `{"metadata":{"name":"${name}","name":"dup"},"spec":{}}`;
    default: return JSON.stringify(flunder(r, name));
  }
}

const LIVE_NAMES = ['fz-1', 'fz-2', 'fz-3', 'fz-4', 'fz-5', 'fz-6'];
const LIVE = `${G}/v1alpha1/namespaces/fuzz/flunders`;

function validFlunder(r: Random, name: string, version = 'v1alpha1'): Record<string, unknown> {
  const reference = r.chance(0.5) ? { reference: r.pick(LIVE_NAMES), referenceType: r.pick(['Flunder', 'Fischer']) } : {};
  return { apiVersion: `wardle.example.com/${version}`, kind: 'Flunder', metadata: { name, namespace: 'fuzz', labels: { fuzz: r.pick(['a', 'b']) } }, spec: reference };
}

/**
 * A request a well-behaved client sends about the few flunders in namespace "fuzz" (create,
 * read, list, watch, update, each patch type, apply, delete), so that the store holds objects and
 * the broken requests meet real ones — conflicts, existing names, patches of stored objects.
 */
function wellFormedRequest(r: Random): FuzzRequest {
  const name = r.pick(LIVE_NAMES);
  const json = { 'content-type': 'application/json', accept: 'application/json' };
  switch (r.int(0, 11)) {
    case 0: case 1: case 2: return { method: 'POST', path: LIVE, headers: json, body: JSON.stringify(validFlunder(r, name)) };
    case 3: return { method: 'GET', path: `${LIVE}/${name}`, headers: json };
    case 4: return { method: 'GET', path: `${LIVE}?${r.pick(['limit=2', 'labelSelector=fuzz%3Da', 'resourceVersion=0', 'resourceVersionMatch=NotOlderThan&resourceVersion=1', ''])}`, headers: json };
    case 5: return { method: 'GET', path: `${LIVE}?watch=true&timeoutSeconds=1&allowWatchBookmarks=true`, headers: json };
    case 6: return { method: 'PUT', path: `${LIVE}/${name}`, headers: json, body: JSON.stringify(validFlunder(r, name, r.pick(['v1alpha1', 'v1beta1']))) };
    case 7: return { method: 'PATCH', path: `${LIVE}/${name}`, headers: { ...json, 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { step: String(r.int(0, 9)) } } }) };
    case 8: return { method: 'PATCH', path: `${LIVE}/${name}`, headers: { ...json, 'content-type': 'application/strategic-merge-patch+json' }, body: JSON.stringify({ spec: { reference: r.pick(LIVE_NAMES), referenceType: 'Flunder' } }) };
    case 9: return { method: 'PATCH', path: `${LIVE}/${name}`, headers: { ...json, 'content-type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'add', path: '/metadata/labels/j', value: 'v' }]) };
    case 10: return { method: 'PATCH', path: `${LIVE}/${name}?fieldManager=fuzz${r.chance(0.3) ? '&force=true' : ''}`, headers: { ...json, 'content-type': 'application/apply-patch+yaml' }, body: JSON.stringify(validFlunder(r, name)) };
    default: return { method: 'DELETE', path: `${LIVE}/${name}`, headers: json };
  }
}

/** Generates one random request from `r`: a well-formed one about live objects a quarter of the time, otherwise anything. */
export function generateRequest(r: Random): FuzzRequest {
  if (r.chance(0.25)) return wellFormedRequest(r);
  if (r.chance(0.02)) return { method: r.pick(['GET', 'POST']), path: r.pick(RAW_TARGETS), headers: {}, raw: true };
  const method = r.pick(METHODS);
  const name = r.pick(['fz-1', 'fz-2', 'fz-3', 'a', r.string(r.int(1, 12))]);
  const headers: Record<string, string> = {};
  const ct = r.pick(CONTENT_TYPES);
  if (ct) headers['content-type'] = ct;
  const accept = r.pick(ACCEPTS);
  if (accept) headers.accept = accept;
  if (r.chance(0.05)) headers['x-remote-user'] = 'system:admin';
  if (r.chance(0.05)) headers.authorization = r.pick(['Bearer x', 'Basic Zm9vOmJhcg==', 'garbage']);
  if (r.chance(0.03)) headers['if-none-match'] = r.pick(['"x"', '*', '']);
  if (r.chance(0.03)) headers['accept-encoding'] = r.pick(['gzip', 'br', 'x']);
  return { method, path: path(r) + query(r), headers, body: ['GET', 'HEAD', 'OPTIONS'].includes(method) && r.chance(0.9) ? undefined : body(r, name) };
}
