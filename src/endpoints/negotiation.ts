import { notAcceptable, unsupportedMediaType } from '../errors/status-error.ts';

/** One media range of an Accept header, with its parameters (as=, v=, g=, q=). */
export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** Parses an Accept (or Content-Type) header into media ranges, in order of q preference. */
export function parseMediaRanges(header: string | undefined): MediaRange[] {
  if (!header) return [];
  const ranges = header.split(',').map((part, index) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const record: Record<string, string> = {};
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq > 0) record[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
    }
    return { type: type.toLowerCase(), params: record, index, q: record.q === undefined ? 1 : Number(record.q) };
  }).filter((r) => r.type.length > 0 && r.q > 0);
  ranges.sort((a, b) => b.q - a.q || a.index - b.index);
  return ranges.map(({ type, params }) => ({ type, params }));
}

/** What to answer a resource request with. */
export type Representation =
  | { kind: 'object'; format: 'json' | 'yaml' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; version: 'v1' | 'v1beta1' };

const PLAIN_TYPES: Record<string, 'json' | 'yaml'> = {
  'application/json': 'json', 'application/*': 'json', '*/*': 'json', 'application/yaml': 'yaml',
};

/** The media types a resource endpoint can answer with (for the 406 message). */
export const SUPPORTED_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/json;stream=watch'];

/**
 * Chooses the representation for an Accept header, as kube-apiserver's negotiation does:
 * the first acceptable range wins; `as=Table` / `as=PartialObjectMetadata(List)` with `g=meta.k8s.io`
 * select those views; protobuf and unknown types are skipped; nothing acceptable: 406 NotAcceptable.
 * `watch` responses accept `application/json;stream=watch` as plain JSON.
 */
export function negotiate(accept: string | undefined, isList: boolean): Representation {
  const ranges = parseMediaRanges(accept);
  if (ranges.length === 0) return { kind: 'object', format: 'json' };
  for (const r of ranges) {
    const as = r.params.as;
    if (as) {
      if (r.type !== 'application/json' || r.params.g !== 'meta.k8s.io') continue;
      const version = r.params.v;
      if (version !== 'v1' && version !== 'v1beta1') continue;
      if (as === 'Table') return { kind: 'table', version };
      if (as === 'PartialObjectMetadata' && !isList) return { kind: 'partial', version };
      if (as === 'PartialObjectMetadataList' && isList) return { kind: 'partial', version };
      continue;
    }
    const format = PLAIN_TYPES[r.type];
    if (format) return { kind: 'object', format };
  }
  throw notAcceptable(SUPPORTED_MEDIA_TYPES);
}

/** Body media types a write endpoint understands. */
export type BodyType = 'json' | 'yaml' | 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch';

const BODY_TYPES: Record<string, BodyType> = {
  'application/json': 'json', 'application/yaml': 'yaml',
  'application/json-patch+json': 'json-patch', 'application/merge-patch+json': 'merge-patch',
  'application/strategic-merge-patch+json': 'strategic-merge-patch', 'application/apply-patch+yaml': 'apply-patch',
};

/** The body type of a Content-Type among `allowed`; anything else answers 415 with the allowed list. */
export function bodyType(contentType: string | undefined, allowed: BodyType[]): BodyType {
  const type = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  const found = BODY_TYPES[type];
  if (found && allowed.includes(found)) return found;
  const names = Object.entries(BODY_TYPES).filter(([, t]) => allowed.includes(t)).map(([n]) => n);
  throw unsupportedMediaType(names);
}
