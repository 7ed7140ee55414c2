import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify, validateKnownDifferences, type KnownDifference } from './known.ts';
import type { Difference } from './scenario.ts';

const entry = (matches: KnownDifference['matches'], extra: Partial<KnownDifference> = {}): KnownDifference => ({ id: 'x', category: 'representation', matches, summary: 's', reason: 'r', ...extra });
const diff = (key: string, go: unknown, ts: unknown): Difference => ({ key, via: 'direct', path: key.split(':')[1], go, ts });

describe('the documented-difference matcher', () => {
  it('refuses globs that match a whole step or name no JSON path', () => {
    assert.deepEqual(validateKnownDifferences([entry(['status/get status:*'])]), ['x: "status/get status:*" matches a whole step; name the JSON paths it covers']);
    assert.deepEqual(validateKnownDifferences([entry(['status/*:'])]), ['x: "status/*:" matches a whole step; name the JSON paths it covers']);
    assert.deepEqual(validateKnownDifferences([entry(['kubectl-explain/*'])]), ['x: "kubectl-explain/*" names no JSON path (<scenario>/<step>:<path>, or *<path> for every step)']);
    assert.deepEqual(validateKnownDifferences([entry(['*'])]), ['x: "*" names no JSON path (<scenario>/<step>:<path>, or *<path> for every step)']);
    assert.deepEqual(validateKnownDifferences([entry([{ key: 'a/b:**', go: 1, ts: 2 }])]), ['x: "a/b:**" matches a whole step; name the JSON paths it covers']);
    assert.deepEqual(validateKnownDifferences([entry([]), entry(['a/b:status'])]), ['x: matches nothing', 'x: duplicate id']);
    assert.deepEqual(validateKnownDifferences([entry(['*:deprecation', 'openapi-*:*description', 'a/b:body.spec', '*metadata.generation', '*.shortNames'])]), []);
  });

  it('pins values per match: a changed value on either side is unexplained', () => {
    const known = [entry([{ key: 'status/get:status', go: 404, ts: 200 }, 'status/get:reason'])];
    assert.deepEqual(classify([diff('status/get:status', 404, 200), diff('status/get:reason', 'NotFound', undefined)], known).unexplained, []);
    assert.equal(classify([diff('status/get:status', 404, 500)], known).unexplained.length, 1);
    assert.equal(classify([diff('status/get:status', 500, 200)], known).unexplained.length, 1);
  });

  it('pins values for the whole entry, and an absent side only matches absent', () => {
    const known = [entry(['*:body.status'], { values: { go: {}, ts: undefined } })];
    assert.equal(classify([diff('a/b:body.status', {}, undefined)], known).unexplained.length, 0);
    assert.equal(classify([diff('a/b:body.status', {}, null)], known).unexplained.length, 1);
    assert.equal(classify([diff('a/b:body.status', { x: 1 }, undefined)], known).unexplained.length, 1);
  });

  it('the first matching entry explains; unmatched keys stay unexplained', () => {
    const a = entry(['a/*:body.x'], { id: 'a' });
    const b = entry(['a/b:body.*'], { id: 'b' });
    const { unexplained, used } = classify([diff('a/b:body.x', 1, 2), diff('a/b:body.y', 1, 2), diff('c/d:body.x', 1, 2)], [a, b]);
    assert.deepEqual([...used], ['a', 'b']);
    assert.deepEqual(unexplained.map((d) => d.key), ['c/d:body.x']);
  });
});
