import { join } from 'node:path';
import type { Resource } from '../resource/define-resource.ts';
import type { Storage } from '../storage/interface.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import { createSqliteStorage } from '../storage/sqlite.ts';
import { makeDirectory } from '../fs/make-directory.ts';

/** Where objects are stored: a discriminated choice, so the embedded default never asks for etcd flags. */
export type StorageOptions =
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'memory'; historyRevisions?: number }
  | { kind: 'etcd'; servers: string[]; prefix: string; caFile?: string; certFile?: string; keyFile?: string };

/**
 * Opens the storage an option names. etcd gets a watch cache in front (one upstream watch per
 * resource, lists at resourceVersion=0 from memory), warmed for `resources` before returning.
 */
export async function openStorage(opts: StorageOptions, resources: Resource[] = []): Promise<Storage> {
  switch (opts.kind) {
    case 'embedded':
      await makeDirectory(opts.dataDir);
      return createSqliteStorage({ path: join(opts.dataDir, 'data.db') });
    case 'memory': return createMemoryStorage({ historyRevisions: opts.historyRevisions });
    case 'etcd': {
      const { openEtcdStorage } = await import('./etcd-storage-option.ts');
      return openEtcdStorage(opts, resources);
    }
  }
}
