import { after, before } from 'node:test';
import { withCaughtUpWrites } from '../../src/storage/cache/caught-up-writes.ts';
import { withWatchCache } from '../../src/storage/cache/watch-cache.ts';
import { P } from '../../src/storage/conformance-helpers.ts';
import { runStorageConformance } from '../../src/storage/conformance.ts';
import { createEtcdStorage } from '../../src/storage/etcd/etcd-storage.ts';
import { startEtcd } from './etcd-process.ts';
import type { EtcdCluster } from './etcd-process.ts';
import { withHistoryWindow } from './history-window.ts';

/**
 * The storage conformance suite against a real etcd (one member on free loopback ports, own
 * temp data dir): the etcd backend directly, and behind the watch cache. Each store gets its
 * own key prefix; `historyRevisions` is emulated by compacting after writes (history-window.ts).
 */

let etcd: EtcdCluster | undefined;
let n = 0;

before(async () => {
  etcd = await startEtcd(1);
});

after(async () => {
  await etcd?.destroy();
});

function open(historyRevisions: number) {
  if (!etcd) throw new Error('etcd did not start');
  const store = createEtcdStorage({ endpoints: etcd.endpoints, prefix: `/conformance-${n++}`, compactionIntervalMs: 0 });
  return withHistoryWindow(store, historyRevisions);
}

runStorageConformance('etcd', async ({ historyRevisions }) => open(historyRevisions));

runStorageConformance('etcd behind the watch cache', async ({ historyRevisions }) => {
  const cached = withWatchCache(open(historyRevisions), { capacity: historyRevisions });
  await cached.warm(P);
  return withCaughtUpWrites(cached);
});
