/**
 * The mapping between Storage keys (strings such as `/group/resource/ns/name`) and etcd keys
 * (bytes: the store's prefix followed by the Storage key, UTF-8).
 */

/** The default key prefix, as kube-apiserver's `--etcd-prefix`. */
export const DEFAULT_ETCD_PREFIX = '/registry';

/**
 * The smallest byte string greater than every string starting with `prefix` (the exclusive end
 * of a prefix range), or `\0` (etcd's "to the end of the keyspace") when there is none.
 */
export function bytesPrefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** An etcd key range: `[key, range_end)`, or exactly `key` when range_end is absent. */
export interface KeyRange {
  key: Buffer;
  range_end?: Buffer;
}

/** Storage keys ↔ etcd keys under one prefix. */
export class KeySpace {
  /** The prefix without a trailing '/', e.g. `/registry`. */
  readonly prefix: string;
  private readonly prefixBytes: number;

  /** `prefix` defaults to DEFAULT_ETCD_PREFIX; trailing slashes are dropped. */
  constructor(prefix: string = DEFAULT_ETCD_PREFIX) {
    this.prefix = prefix.replace(/\/+$/, '');
    this.prefixBytes = Buffer.byteLength(this.prefix);
  }

  /** The etcd key of the Storage key `key`. */
  etcdKey(key: string): Buffer {
    return Buffer.from(this.prefix + key, 'utf8');
  }

  /** The Storage key of the etcd key `raw` (which must be under the prefix). */
  storageKey(raw: Buffer): string {
    return raw.subarray(this.prefixBytes).toString('utf8');
  }

  /** The etcd range of a Storage prefix (ends with '/') or of exactly one key (otherwise). */
  range(prefixOrKey: string): KeyRange {
    const key = this.etcdKey(prefixOrKey);
    return prefixOrKey.endsWith('/') ? { key, range_end: bytesPrefixEnd(key) } : { key };
  }
}
