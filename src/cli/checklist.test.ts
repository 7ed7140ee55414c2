import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createChecklist } from './checklist.ts';
import { createColors, fitLine } from './output.ts';

function sink(isTTY = false) {
  let text = '';
  return { stream: { isTTY, columns: 60, write: (s: string) => { text += s; return true; } }, text: () => text };
}

test('on a pipe: one plain line per finished step, no spinner, no escape codes', () => {
  const s = sink();
  const list = createChecklist(s.stream, createColors(false));
  list.start('3', 'Namespace wardle').done('pass', 'created');
  list.start('14', 'APIService v1.x').done('fail', 'not Available', 'APIService v1.x Available');
  list.close();
  assert.equal(s.text(), '✓  3  Namespace wardle — created\n✗ 14  APIService v1.x Available — not Available\n');
});

test('on a pipe: a slow step reports what it waits for', async () => {
  const s = sink();
  const step = createChecklist(s.stream, createColors(false)).start('14', 'APIService');
  step.update('early');
  await new Promise((r) => setTimeout(r, 1100));
  step.update('FailedDiscoveryCheck: no response');
  step.done('pass', 'Available');
  assert.match(s.text(), /^… {2}14 {2}APIService — FailedDiscoveryCheck: no response\n✓ 14 {2}APIService — Available \(1\.\ds\)\n$/);
});

test('on a terminal: a spinner line, replaced by the result', () => {
  const s = sink(true);
  const list = createChecklist(s.stream, createColors(true));
  list.start('1', 'API').done('pass', 'ok');
  list.close();
  assert.ok(s.text().includes('\r\u001b[2K'));
  assert.match(s.text(), /✓/);
});

test('fitLine cuts long lines to the terminal width', () => {
  assert.equal(fitLine('x'.repeat(100), 40).length, 39);
  assert.equal(fitLine('short', 40), 'short');
  assert.equal(fitLine('x'.repeat(100), undefined).length, 100);
});
