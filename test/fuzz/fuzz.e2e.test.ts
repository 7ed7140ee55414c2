/**
 * The short fuzz and abuse run of `npm test` (issue 18): a real wardle server process, seeded
 * random requests over HTTP/1.1 and HTTP/2, then connection abuse with shortened timeouts.
 * The long run is `npm run fuzz` (docs/fuzz-report.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { idleConnections, seedLargeList, slowConnections, stalledReaders, watchDrops } from './abuse.ts';
import { classifyServerErrors, runFuzz, upstreamServerAnswer } from './run-fuzz.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

const MB = 1024 * 1024;
/** What may stay after the stalled readers are reset: nothing per client; the rest is GC noise. */
const RETAINED_TOLERANCE = 16 * MB;
/** RSS the allocator may keep of the freed buffers (a leak of the held lists would be ~10× more). */
const RSS_TOLERANCE = 128 * MB;

describe('fuzz and abuse (issue 18)', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess({ kind: 'memory' }, ['--request-timeout', '3', '--idle-connection-timeout', '3', '--read-header-timeout', '3', '--max-requests-inflight', '20']);
  });
  after(async () => { await server?.stop(); });

  it('answers 1,500 seeded random requests with no 5xx and no hang', async () => {
    const stats = await runFuzz(server, 18, 1_500, 8);
    assert.equal(stats.sent, 1_500);
    assert.deepEqual(stats.serverErrors.filter((e) => !upstreamServerAnswer(e.status, e.body)), [], 'no answer ≥ 500 but those kube-apiserver gives too');
    assert.equal(classifyServerErrors(stats).other, 0);
    assert.deepEqual(stats.hangs, [], 'every request answered');
    assert.doesNotMatch(server.output(), /internal error|TypeError/, 'nothing unexpected logged');
  });

  it('closes idle and trickling connections, HTTP/1.1 and HTTP/2 (item 2)', async () => {
    const idle = await idleConnections(server, 20, 15_000);
    assert.deepEqual(idle.closedByServer, { closed: 40, opened: 40 });
    const slow = await slowConnections(server, 10, 8_000);
    assert.deepEqual(slow.closedByServer, { closed: 20, opened: 20 });
    assert.ok(slow.fds.after <= slow.fds.before + 5, `descriptors back: ${JSON.stringify(slow.fds)}`);
    assert.equal(idle.readyzFailures + slow.readyzFailures, 0);
  });

  it('keeps /readyz and other clients served while unauthenticated-style stalled readers hold streams, and frees them at the deadline (items 1 and 5)', async () => {
    await seedLargeList(server, 40, 100_000);
    const stalled = await stalledReaders(server, 10, 300, 8_000);
    assert.equal(stalled.readyzFailures, 0, '/readyz answered 200 throughout');
    assert.ok(stalled.othersSaw['200'] > 0, `another client's list was served: ${JSON.stringify(stalled.othersSaw)}`);
    assert.ok(stalled.rss.after < stalled.rss.peak, `memory given back after the deadline reset the stalled streams: ${JSON.stringify(stalled.rss)}`);
    console.error(`stalled readers: ${JSON.stringify({ rss: stalled.rss, retainedAfterGc: stalled.retainedAfterGc })}`);
    assert.ok(stalled.retainedAfterGc.after <= stalled.retainedAfterGc.before + RETAINED_TOLERANCE, `heap + external after GC within ${RETAINED_TOLERANCE / MB} MiB of the start: ${JSON.stringify(stalled.retainedAfterGc)}`);
    assert.ok(stalled.rss.after <= stalled.rss.before + RSS_TOLERANCE, `RSS within ${RSS_TOLERANCE / MB} MiB of the start: ${JSON.stringify(stalled.rss)}`);
    assert.ok(stalled.fds.after <= stalled.fds.before + 5, `descriptors back: ${JSON.stringify(stalled.fds)}`);
    const drops = await watchDrops(server, 3, 50);
    assert.ok(drops.fds.after <= drops.fds.before + 5, `descriptors back after dropped watches: ${JSON.stringify(drops.fds)}`);
    assert.ok(drops.retainedAfterGc.after <= drops.retainedAfterGc.before + RETAINED_TOLERANCE, `heap + external back after dropped watches: ${JSON.stringify(drops.retainedAfterGc)}`);
  });
});
