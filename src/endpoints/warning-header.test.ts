import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { warningHeaderValues } from './warning-header.ts';

/** The text a client decodes from a header value (bytes as sent, read as UTF-8). */
const onWire = (value: string) => Buffer.from(value, 'latin1').toString('utf8');

describe('warningHeaderValues', () => {
  it('quotes as Go\'s NewWarningHeader: " and \\ escaped, non-ASCII sent as its UTF-8 bytes', () => {
    const [value] = warningHeaderValues(['unknown field "spec.\u0100\\x"']);
    assert.equal(onWire(value), '299 - "unknown field \\"spec.\u0100\\\\x\\""');
    assert.ok([...value].every((c) => c.charCodeAt(0) <= 0xff), 'every character fits in a header byte');
  });

  it('drops texts with control characters or invalid UTF-8, empty and repeated texts, as kube-apiserver\'s recorder does', () => {
    assert.deepEqual(warningHeaderValues(['a\u0001b', 'c\nd', 'e\u007f', 'f\u0085', 'g\ud800', '', 'ok', 'ok']).map(onWire), ['299 - "ok"']);
  });

  it('cuts each warning to 256 runes once all of them exceed 4096 runes, and stops adding past the limit', () => {
    const long = (c: string) => c.repeat(1000);
    const values = warningHeaderValues(['a', 'b', 'c', 'd', 'e'].map(long)).map(onWire);
    assert.equal(values.length, 5);
    for (const v of values) assert.equal(v.length, '299 - ""'.length + 256);
    const many = warningHeaderValues(Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(300, 'x')));
    assert.equal(many.length, 16, '16 × 256 runes reach 4096');
  });
});
