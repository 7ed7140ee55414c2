import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gcPausesOf, startGcWindow } from './gc-pauses.ts';

const SCAVENGE = '[17335:0xc252720]    70405 ms: Scavenge 159.7 (183.0) -> 150.0 (184.7) MB, 9.91 / 0.00 ms  (average mu = 0.996, current mu = 0.996) task; ';
const MAJOR = '[17335:0xc252720]    71007 ms: Mark-Compact 162.1 (185.0) -> 38.6 (138.5) MB, 115.12 / 0.00 ms  (+ 11.3 ms in 18 steps since start of marking, biggest step 8.9 ms, walltime since start of marking 196 ms) (average mu = 0.994, current mu = 0.994) finalize incremental marking via task; GC in old space requested';

describe('GC pauses from --trace-gc', () => {
  it('sums the main-thread pauses, keeps the longest and counts full collections', () => {
    const p = gcPausesOf(['server listening', SCAVENGE, MAJOR, SCAVENGE].join('\n'), 1000);
    assert.equal(p.majorCount, 1);
    assert.equal(p.longestMs, 115.12);
    assert.ok(Math.abs(p.pausedShare - (9.91 * 2 + 115.12) / 1000) < 1e-9);
  });

  it('counts only the lines the log gained during the window', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'gc-')), 'ts.log');
    writeFileSync(log, `${MAJOR}\n`);
    const window = startGcWindow(log);
    appendFileSync(log, `${SCAVENGE}\n`);
    const p = window.end();
    assert.equal(p.majorCount, 0);
    assert.equal(p.longestMs, 9.91);
  });
});
