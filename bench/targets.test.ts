import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BenchResults, OpFigure } from './results.ts';
import { lowestAggregatedOp, opRatio, pairedRatio, targetMet, TARGETS } from './targets.ts';

const getLine = TARGETS.find((t) => t.line === 'get')!;

/** An operation's figure from per-run requests/s and errors. */
function figure(rps: number[], errors: number[] = rps.map(() => 0)): OpFigure {
  return { rps: NaN, p50: 1, p99: 2, errors: errors.reduce((a, b) => a + b, 0), runs: rps.map((x, i) => ({ rps: x, p50: 1, p99: 2, errors: errors[i], failures: [] })) };
}

function results(load: BenchResults['load']): BenchResults {
  return { primaryTs: 'ts-etcd', load } as unknown as BenchResults;
}

describe('issue 17 target lines', () => {
  it('pairs run i of TypeScript with run i of Go and takes the median of the ratios', () => {
    const x = pairedRatio([300, 200, 100], [100, 100, 100]);
    assert.deepEqual([x.median, x.min, x.max, x.failedRuns, x.goFailedRuns], [2, 1, 3, 0, 0]);
  });

  it('a run where TypeScript failed fails the line, whatever the median', () => {
    const r = results({ direct: { 'ts-etcd': { get: figure([300, 300, 300, 300, 300], [0, 0, 1, 0, 0]) }, go: { get: figure([100, 100, 100, 100, 100]) } } });
    const x = opRatio(r, 'direct', 'get')!;
    assert.equal(x.failedRuns, 1);
    assert.equal(x.median, 3);
    assert.equal(targetMet(getLine, x), false);
  });

  it('a run where only Go failed has no ratio and is left out; the line is judged on the other runs', () => {
    const r = results({ direct: { 'ts-etcd': { get: figure([300, 300, 100, 300, 300]) }, go: { get: figure([100, 100, 100, 100, 100], [0, 0, 5, 0, 0]) } } });
    const x = opRatio(r, 'direct', 'get')!;
    assert.deepEqual([x.failedRuns, x.goFailedRuns, x.median, x.min], [0, 1, 3, 3]);
    assert.ok(Number.isNaN(x.runs[2]));
    assert.equal(targetMet(getLine, x), true);
  });

  it('a line needs a ratio from more than half of its runs', () => {
    const errors = [3, 3, 3, 0, 0];
    const r = results({ direct: { 'ts-etcd': { get: figure([300, 300, 300, 300, 300]) }, go: { get: figure([100, 100, 100, 100, 100], errors) } } });
    const x = opRatio(r, 'direct', 'get')!;
    assert.equal(x.goFailedRuns, 3);
    assert.equal(targetMet(getLine, x), false);
  });

  it('the aggregator line is the operation with the lowest median ratio', () => {
    const r = results({ direct: {}, aggregated: { 'ts-etcd': { get: figure([110, 110, 110]), 'list-10': figure([90, 95, 99]), create: figure([120, 120, 120]) }, go: { get: figure([100, 100, 100]), 'list-10': figure([100, 100, 100]), create: figure([100, 100, 100]) } } });
    assert.equal(lowestAggregatedOp(r), 'list-10');
    const line = TARGETS.find((t) => t.line.startsWith('through the aggregator'))!;
    assert.equal(line.ratio(r)!.median, 0.95);
    assert.equal(targetMet(line, line.ratio(r)), false);
  });
});
