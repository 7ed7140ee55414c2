import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGoDuration, requestDeadlineMs } from './request-timeout.ts';

test('parseGoDuration reads Go durations in ms, with Go\'s error messages', () => {
  assert.equal(parseGoDuration('30s'), 30_000);
  assert.equal(parseGoDuration('1m30s'), 90_000);
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('500ms'), 500);
  assert.equal(parseGoDuration('-2s'), -2000);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('.5s'), 500);
  assert.throws(() => parseGoDuration('abc'), { message: 'time: invalid duration "abc"' });
  assert.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
  assert.throws(() => parseGoDuration('10'), { message: 'time: missing unit in duration "10"' });
  assert.throws(() => parseGoDuration('10x'), { message: 'time: unknown unit "x" in duration "10x"' });
  assert.throws(() => parseGoDuration('.s'), { message: 'time: invalid duration ".s"' });
});

test('requestDeadlineMs: a positive timeout below the limit shortens it; anything else keeps the limit', () => {
  assert.equal(requestDeadlineMs(null, 60_000), 60_000);
  assert.equal(requestDeadlineMs('5s', 60_000), 5000);
  assert.equal(requestDeadlineMs('0s', 60_000), 60_000);
  assert.equal(requestDeadlineMs('-1s', 60_000), 60_000);
  assert.equal(requestDeadlineMs('2m', 60_000), 60_000);
  assert.throws(() => requestDeadlineMs('soon', 60_000), (err: any) => err.code === 400 && err.message === 'invalid timeout specified in the request URL - time: invalid duration "soon"');
});
