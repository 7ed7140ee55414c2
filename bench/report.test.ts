import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregatedVerdict } from './report.ts';
import type { BenchResults } from './results.ts';
import type { AggregatedBound, AggregatedCpu } from './targets.ts';

const r = { settings: { loadCpu: '0', serverCpu: '1' } } as unknown as BenchResults;

function cpu(loadCpu: number, serverCpu: number, etcdCallsPerRequest = 1): AggregatedCpu {
  return { loadCpu, serverCpu, kubeApiserver: 0.6, etcd: 0.15, server: serverCpu, loadGenerator: 0.2, etcdCallsPerRequest };
}

function bound(ts: AggregatedCpu, go = cpu(1, 0.6), rps = { go: 459, ts: 442, ceiling: 639 }): AggregatedBound {
  return { op: 'get', goRps: rps.go, tsRps: rps.ts, ceilingRps: rps.ceiling, bestRatio: rps.ceiling / rps.go, cpu: { go, ts, ceiling: cpu(1, 0.3, 0) } };
}

describe('the aggregator verdict', () => {
  it('calls CPU 0 the bound when it is saturated and the server core is not, and says why the ratio is below the costs', () => {
    const v = aggregatedVerdict(r, bound(cpu(0.94, 0.66, 0.57)), 1);
    assert.match(v, /^\*\*bounded by CPU 0, not by the server:\*\*/);
    assert.match(v, /2\.18 ms for Go, 2\.13 ms for TypeScript/);
    assert.match(v, /1\.02× is the TS\/Go ratio these costs predict/);
    assert.match(v, /The medians' ratio is 0\.96×, below that, because CPU 0 was 94 % busy during our runs against 100 % during Go's/);
    assert.doesNotMatch(v, /garbage collector/);
  });

  it('names the server\'s GC pauses when they were traced', () => {
    const v = aggregatedVerdict(r, bound({ ...cpu(0.94, 0.66, 0.57), gcPausedShare: 0.032, longestGcPauseMs: 115.1 }), 1);
    assert.match(v, /paused it for 3\.2 % of each run, its longest pause 115 ms/);
  });

  it('calls the server core the bound when only it is saturated', () => {
    assert.match(aggregatedVerdict(r, bound(cpu(0.7, 0.97)), 1), /^\*\*bounded by the server's core:\*\* .*the rest is the server's own work\.$/);
  });

  it('says latency-bound when neither core is saturated', () => {
    assert.match(aggregatedVerdict(r, bound(cpu(0.6, 0.5)), 1), /^\*\*latency-bound:\*\* .*neither core was saturated/);
  });

  it('says out of reach when a backend that does no work is below the target', () => {
    assert.match(aggregatedVerdict(r, bound(cpu(1, 0.5), cpu(1, 0.6), { go: 500, ts: 400, ceiling: 450 }), 1), /^\*\*out of reach here:\*\* .*0\.90× Go's requests\/s/);
  });
});
