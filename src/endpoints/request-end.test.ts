import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getEventListeners } from 'node:events';
import { RequestEnd } from './request-end.ts';

const REASON = new Error('request ended');

describe('RequestEnd', () => {
  it('makes no signal and adds no shutdown listener until one is asked for', () => {
    const shutdown = new AbortController();
    const ended = new RequestEnd(shutdown.signal, REASON);
    assert.equal(getEventListeners(shutdown.signal, 'abort').length, 0);
    ended.end();
    assert.equal(getEventListeners(shutdown.signal, 'abort').length, 0);
  });

  it('aborts the signal with the reason when the request ends, and stops listening for the shutdown', () => {
    const shutdown = new AbortController();
    const ended = new RequestEnd(shutdown.signal, REASON);
    const signal = ended.signal;
    assert.equal(signal.aborted, false);
    assert.equal(getEventListeners(shutdown.signal, 'abort').length, 1);
    ended.end();
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, REASON);
    assert.equal(getEventListeners(shutdown.signal, 'abort').length, 0);
    assert.equal(ended.signal, signal);
  });

  it('aborts the signal when the server shuts down', () => {
    const shutdown = new AbortController();
    const signal = new RequestEnd(shutdown.signal, REASON).signal;
    shutdown.abort();
    assert.equal(signal.aborted, true);
  });

  it('hands out an already aborted signal after the end or the shutdown', () => {
    const shutdown = new AbortController();
    const ended = new RequestEnd(shutdown.signal, REASON);
    ended.end();
    assert.equal(ended.signal.aborted, true);
    const down = new AbortController();
    down.abort();
    assert.equal(new RequestEnd(down.signal, REASON).signal.aborted, true);
    assert.equal(getEventListeners(down.signal, 'abort').length, 0);
  });
});
