import { readFileSync } from 'node:fs';
import type { Storage } from '../storage/interface.ts';
import { createEtcdStorage } from '../storage/etcd/etcd-storage.ts';

/** Opens etcd storage from command-line options (certificate files read once at start). */
export function openEtcdStorage(opts: { servers: string[]; prefix: string; caFile?: string; certFile?: string; keyFile?: string }): Promise<Storage> | Storage {
  const read = (f?: string) => (f ? readFileSync(f, 'utf8') : undefined);
  const tls = opts.caFile || opts.certFile ? { caPem: read(opts.caFile), certPem: read(opts.certFile), keyPem: read(opts.keyFile) } : undefined;
  return createEtcdStorage({ endpoints: opts.servers, prefix: opts.prefix, tls });
}
