import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goSliceStable } from './go-sort.ts';

describe('goSliceStable', () => {
  it('sorts stably, across the 20-element blocks and merges', () => {
    const items = Array.from({ length: 137 }, (_, i) => ({ key: (i * 7919) % 13, seq: i }));
    const expected = [...items].sort((x, y) => x.key - y.key || x.seq - y.seq);
    goSliceStable(items, (x, y) => x.key < y.key);
    assert.deepEqual(items, expected);
  });
  it('handles empty and single-element slices', () => {
    const empty: number[] = [];
    goSliceStable(empty, (x, y) => x < y);
    const one = [1];
    goSliceStable(one, (x, y) => x < y);
    assert.deepEqual([empty, one], [[], [1]]);
  });
  it('reproduces Go for a comparator that always says "less" (insertion sort reverses)', () => {
    const xs = [1, 2, 3, 4];
    goSliceStable(xs, () => true);
    assert.deepEqual(xs, [4, 3, 2, 1]);
  });
});
