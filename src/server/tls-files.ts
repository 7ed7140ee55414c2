import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';

/** The serving pair as read from a mounted `kubernetes.io/tls` Secret directory. */
export interface ServingPair {
  cert: string;
  key: string;
}

/**
 * Reads `tls.crt` and `tls.key` from `dir` (following the `..data` symlink a Secret volume swaps
 * atomically). Returns the previous good pair when the files are missing, unreadable or do not
 * match each other (e.g. read half-way through a swap), so a reload never breaks serving.
 * Throws only when there has never been a good pair.
 */
export function createServingPairReader(dir: string): () => ServingPair {
  let last: ServingPair | undefined;
  return () => {
    try {
      const pair = { cert: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') };
      if (last && pair.cert === last.cert && pair.key === last.key) return last;
      createSecureContext(pair);
      last = pair;
    } catch (err) {
      if (!last) throw new Error(`cannot load the serving certificate from ${dir} (tls.crt, tls.key): ${(err as Error).message}`);
    }
    return last;
  };
}
