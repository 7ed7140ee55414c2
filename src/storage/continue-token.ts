import { StorageError } from './interface.ts';

/**
 * List continue tokens, byte-compatible with kube-apiserver's (k8s.io/apiserver/pkg/storage
 * EncodeContinue/DecodeContinue): unpadded base64url of `{"v":"meta.k8s.io/v1","rv":N,"start":S}`
 * where S is the next key with the list prefix stripped. Shared by every backend.
 */

/** The API version written into (and required from) every continue token. */
export const CONTINUE_TOKEN_VERSION = 'meta.k8s.io/v1';

/** What a decoded continue token says. */
export interface ContinuePosition {
  /** The absolute key the next page starts at (inclusive): the list prefix + the token's start. */
  startKey: string;
  /** The start relative to the list prefix, as stored in the token. */
  start: string;
  /** The revision the whole list is read at; negative means "the newest revision". */
  resourceVersion: number;
}

/**
 * Encodes the token of a page whose next key is `nextKey` (which must start with `keyPrefix`)
 * for a list read at `resourceVersion` (-1: "restart at the newest revision").
 * Throws StorageError('Internal') if `nextKey` is not under `keyPrefix`.
 */
export function encodeContinueToken(nextKey: string, keyPrefix: string, resourceVersion: number): string {
  if (!nextKey.startsWith(keyPrefix) || nextKey.length === keyPrefix.length) {
    throw new StorageError('Internal', nextKey, `unable to encode next field: the key "${nextKey}" and key prefix "${keyPrefix}" do not match`);
  }
  return encodeStart(nextKey.slice(keyPrefix.length), resourceVersion);
}

/** Encodes a token from an already-relative `start`; see encodeContinueToken. */
export function encodeStart(start: string, resourceVersion: number): string {
  const json = JSON.stringify({ v: CONTINUE_TOKEN_VERSION, rv: resourceVersion, start });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/**
 * Decodes `token` for a list under `keyPrefix`. Throws StorageError('InvalidContinue') when the
 * token is not base64url JSON of the right version, has rv 0, an empty start, or a start that
 * is not a clean path (which would let a client escape the prefix).
 */
export function decodeContinueToken(token: string, keyPrefix: string): ContinuePosition {
  const parsed = parseToken(token, keyPrefix);
  const rv = parsed.rv;
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv === 0) {
    throw invalid(keyPrefix, 'incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  const start = parsed.start;
  if (typeof start !== 'string' || start.length === 0) throw invalid(keyPrefix, 'encoded start key empty (version meta.k8s.io/v1)');
  const rooted = start.startsWith('/') ? start : `/${start}`;
  if (!isCleanPath(rooted)) throw invalid(keyPrefix, `invalid start key "${start}"`);
  return { startKey: keyPrefix + rooted.slice(1), start: rooted.slice(1), resourceVersion: rv };
}

function parseToken(token: string, keyPrefix: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid(keyPrefix, 'not base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid(keyPrefix, 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(keyPrefix, 'not a JSON object');
  const record = value as Record<string, unknown>;
  if (record.v !== CONTINUE_TOKEN_VERSION) throw invalid(keyPrefix, 'server does not recognize this encoded key');
  return record;
}

/** Go's `path.Clean(p) == p` for a rooted path: no empty, `.` or `..` segment, no trailing slash. */
function isCleanPath(p: string): boolean {
  if (p === '/') return true;
  return p.slice(1).split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

function invalid(keyPrefix: string, why: string): StorageError {
  return new StorageError('InvalidContinue', keyPrefix, `continue key is not valid: ${why}`);
}
