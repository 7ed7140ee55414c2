import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { humanDuration } from './table.ts';

describe('humanDuration', () => {
  it('renders ages as kube-apiserver does', () => {
    const s = 1000;
    const cases: [number, string][] = [
      [-5 * s, '<invalid>'], [-500, '0s'], [5 * s, '5s'], [119 * s, '119s'], [200 * s, '3m20s'], [300 * s, '5m'],
      [45 * 60 * s, '45m'], [4 * 3600 * s + 60 * s, '4h1m'], [20 * 3600 * s, '20h'], [52 * 3600 * s, '2d4h'],
      [30 * 86400 * s, '30d'], [(3 * 365 + 12) * 86400 * s, '3y12d'], [9 * 365 * 86400 * s, '9y'],
    ];
    for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
  });
});
