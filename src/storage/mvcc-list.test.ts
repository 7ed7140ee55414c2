import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../apimachinery/types.ts';
import type { MvccEngine, VersionRow } from './engine.ts';
import { listFromEngine } from './mvcc-list.ts';
import { encodeObject } from './object-codec.ts';

const PREFIX = '/g/things/';

/** An engine over one live version per key that counts the rows its range reads hand out. */
function countingEngine(count: number): MvccEngine & { rowsRead: number } {
  const rows: VersionRow[] = Array.from({ length: count }, (_, i) => {
    const name = `obj-${String(i).padStart(4, '0')}`;
    const obj: KubeObject = { apiVersion: 'g/v1', kind: 'Thing', metadata: { name, labels: { tenth: String(i % 10 === 0) } } };
    return { key: `${PREFIX}${name}`, rev: i + 1, createRev: i + 1, deleted: false, value: encodeObject(obj) };
  });
  const engine = {
    rowsRead: 0,
    revision: () => count,
    compactedRevision: () => 0,
    latest: (key: string) => rows.find((r) => r.key === key),
    range(_prefix: string, fromKey: string, _rev: number, limit: number) {
      const out = rows.filter((r) => r.key >= fromKey).slice(0, limit);
      engine.rowsRead += out.length;
      return out;
    },
    countRange: (_prefix: string, fromKey: string) => rows.filter((r) => r.key >= fromKey).length,
    history: () => [],
    append: () => { throw new Error('read-only'); },
    compact: () => undefined,
    close: () => undefined,
  };
  return engine;
}

const tenth = (o: KubeObject) => o.metadata.labels?.tenth === 'true';

describe('listFromEngine with a predicate', () => {
  it('reads no more rows for a page whose first rows match than an unfiltered page (limit 1: 2 rows, not a 256-row chunk)', () => {
    const engine = countingEngine(300);
    const page = listFromEngine(engine, PREFIX, { limit: 1, predicate: () => true }, 0);
    assert.deepEqual(page.items.map((o) => o.metadata.name), ['obj-0000']);
    assert.ok(page.continue);
    assert.equal(engine.rowsRead, 2);
  });

  it('pages through a selective predicate to exactly the matching objects, in key order, without reading every row per page', () => {
    const engine = countingEngine(300);
    const names: string[] = [];
    const reads: number[] = [];
    let token: string | undefined;
    do {
      const before = engine.rowsRead;
      const page = listFromEngine(engine, PREFIX, { limit: 3, predicate: tenth, continue: token }, 0);
      names.push(...page.items.map((o) => o.metadata.name!));
      reads.push(engine.rowsRead - before);
      token = page.continue;
    } while (token);
    assert.deepEqual(names, Array.from({ length: 30 }, (_, i) => `obj-${String(i * 10).padStart(4, '0')}`));
    // 3 matches are 21-30 rows apart; chunks of 4, 8, 16, 32 rows cover them with less than 2× over-read
    assert.ok(Math.max(...reads) <= 60, `rows read per page: ${reads.join(', ')}`);
  });
});
