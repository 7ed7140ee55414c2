import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { wardleResources } from '../../examples/wardle/resources.ts';
import { withWatchCache, type CachedStorage } from '../storage/cache/watch-cache.ts';
import type { Storage } from '../storage/interface.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import { startApiTestServer, type ApiTestServer } from '../testing/api-test-server.ts';

const FLUNDERS = '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders';
const FISCHERS = '/apis/wardle.example.com/v1alpha1/fischers';

/** `inner`, counting the reads that reach it. */
function countingReads(inner: Storage): { backend: Storage; reads: Record<'list' | 'currentRevision' | 'get', number> } {
  const reads = { list: 0, currentRevision: 0, get: 0 };
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop in reads) reads[prop as keyof typeof reads]++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { backend, reads };
}

describe('admission lookups (ctx.lookup)', () => {
  let t: ApiTestServer;
  let cached: CachedStorage;
  let reads: Record<string, number>;
  before(async () => {
    const counting = countingReads(createMemoryStorage({ historyRevisions: 100 }));
    reads = counting.reads;
    cached = withWatchCache(counting.backend);
    t = await startApiTestServer(wardleResources, { storage: cached });
  });
  after(async () => { await t.close(); });

  it('read the watch cache as it is, like an informer lister: BanFlunder costs the backend no read', async () => {
    const fischer = await t.request('POST', FISCHERS, { body: { metadata: { name: 'lk' }, disallowedFlunders: ['banned'] } });
    assert.equal(fischer.status, 201);
    const rev = Number(fischer.body.metadata.resourceVersion);
    await t.request('POST', FLUNDERS, { body: { metadata: { name: 'warm-up' }, spec: {} } });
    for (let i = 0; (cached.cachedRevision('/wardle.example.com/fischers/') ?? 0) < rev; i++) {
      assert.ok(i < 500, 'the fischers cache never reached the fischer');
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    for (const k of Object.keys(reads)) reads[k] = 0;
    const banned = await t.request('POST', FLUNDERS, { body: { metadata: { name: 'banned' }, spec: {} } });
    assert.equal(banned.status, 403);
    assert.equal(banned.body.reason, 'Forbidden');
    const allowed = await t.request('POST', FLUNDERS, { body: { metadata: { name: 'allowed' }, spec: {} } });
    assert.equal(allowed.status, 201);
    assert.deepEqual(reads, { list: 0, currentRevision: 0, get: 0 }, 'two admitted creates read nothing from the backend');
  });
});
