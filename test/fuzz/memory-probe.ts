/**
 * Preloaded into the server under test (`node --expose-gc --import ./test/fuzz/memory-probe.ts`):
 * on SIGUSR2 it collects garbage (twice: weak references and finalizers need a second pass) and
 * prints one `memory-probe {...}` line with the heap and RSS after GC, so that tests read what
 * the server really retains rather than what the collector has not yet reclaimed.
 */
const gc = (globalThis as { gc?: () => void }).gc;

process.on('SIGUSR2', () => {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  process.stderr.write(`memory-probe ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, gc: gc !== undefined })}\n`);
});
