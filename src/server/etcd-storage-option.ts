import { readFileSync } from 'node:fs';
import type { Storage } from '../storage/interface.ts';
import { createEtcdStorage } from '../storage/etcd/etcd-storage.ts';
import { withWatchCache } from '../storage/cache/watch-cache.ts';
import type { Resource } from '../resource/define-resource.ts';
import { resourceKeys } from '../registry/keys.ts';

/**
 * Opens etcd storage from command-line options (certificate files read once at start) behind a
 * watch cache, and warms the cache for each resource (errors while etcd is unreachable are left
 * to the readiness check and the cache's own retries).
 */
export async function openEtcdStorage(opts: { servers: string[]; prefix: string; caFile?: string; certFile?: string; keyFile?: string }, resources: Resource[]): Promise<Storage> {
  const read = (f?: string) => (f ? readFileSync(f, 'utf8') : undefined);
  const tls = opts.caFile || opts.certFile ? { caPem: read(opts.caFile), certPem: read(opts.certFile), keyPem: read(opts.keyFile) } : undefined;
  const cached = resources.filter((r) => !r.backend && !r.computed).map((r) => resourceKeys(r)).map((keys) => ({ prefix: keys.prefix(), keyOf: keys.keyOf }));
  const storage = withWatchCache(createEtcdStorage({ endpoints: opts.servers, prefix: opts.prefix, tls }), { resources: cached });
  await Promise.all(cached.map((r) => storage.warm(r.prefix).catch(() => undefined)));
  return storage;
}
