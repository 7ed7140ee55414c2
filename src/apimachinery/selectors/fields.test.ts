import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_FIELD_LABELS, assertSupportedFieldLabels, escapeFieldSelectorValue, fieldRequiresExactMatch,
  fieldSelectorMatcher, parseFieldSelector, unescapeFieldSelectorValue,
} from './fields.ts';
import { SelectorParseError } from './selector-error.ts';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SelectorParseError);
    return err.message;
  }
  assert.fail('expected an error');
}

describe('parseFieldSelector', () => {
  it('parses =, == and != terms, sorted as upstream sorts them', () => {
    const sel = parseFieldSelector('spec.x!=b,metadata.name==a,a=c');
    assert.deepEqual(sel.requirements, [
      { field: 'a', operator: '=', value: 'c' },
      { field: 'metadata.name', operator: '=', value: 'a' },
      { field: 'spec.x', operator: '!=', value: 'b' },
    ]);
    assert.equal(sel.toString(), 'a=c,metadata.name=a,spec.x!=b');
  });

  it('treats the empty string and empty terms as "everything"', () => {
    assert.equal(parseFieldSelector('').empty, true);
    assert.equal(parseFieldSelector(',').empty, true);
    assert.equal(parseFieldSelector('a=b,,c=d').requirements.length, 2);
  });

  it('keeps whitespace, as upstream does', () => {
    assert.deepEqual(parseFieldSelector(' a = b ').requirements, [{ field: ' a ', operator: '=', value: ' b ' }]);
  });

  it('allows empty values', () => {
    assert.deepEqual(parseFieldSelector('a=').requirements, [{ field: 'a', operator: '=', value: '' }]);
  });

  it('unescapes backslash sequences and splits only on unescaped commas', () => {
    const sel = parseFieldSelector('a=x\\,y\\=z\\\\,b=c');
    assert.deepEqual(sel.requirements.map((r) => r.value), ['x,y=z\\', 'c']);
    assert.equal(sel.toString(), 'a=x\\,y\\=z\\\\,b=c');
  });

  it('splits at the first operator, checking != before == before =', () => {
    assert.deepEqual(parseFieldSelector('a!=b').requirements[0], { field: 'a', operator: '!=', value: 'b' });
    assert.deepEqual(parseFieldSelector('a==b').requirements[0], { field: 'a', operator: '=', value: 'b' });
  });

  it('reports terms without operator with the upstream text', () => {
    assert.equal(errorOf(() => parseFieldSelector('a=b,c')), "invalid selector: 'a=b,c'; can't understand 'c'");
  });

  it('reports bad escapes and unescaped = as upstream does (rune number)', () => {
    assert.equal(errorOf(() => parseFieldSelector('a=b=c')), 'invalid field selector: unescaped character in value: 61');
    assert.equal(errorOf(() => parseFieldSelector('a=b\\c')), 'invalid field selector: invalid escape sequence: \\c');
    assert.equal(errorOf(() => parseFieldSelector('a=b\\')), 'invalid field selector: invalid escape sequence: \\');
  });
});

describe('escape helpers', () => {
  it('round-trips', () => {
    const raw = 'a\\b,c=d';
    assert.equal(escapeFieldSelectorValue(raw), 'a\\\\b\\,c\\=d');
    assert.equal(unescapeFieldSelectorValue(escapeFieldSelectorValue(raw)), raw);
    assert.equal(errorOf(() => unescapeFieldSelectorValue('a,b')), 'invalid field selector: unescaped character in value: 44');
  });
});

describe('assertSupportedFieldLabels', () => {
  it('accepts supported fields', () => {
    assert.doesNotThrow(() => assertSupportedFieldLabels(parseFieldSelector('metadata.name=a'), DEFAULT_FIELD_LABELS));
  });
  it('names the first unsupported field in sorted order', () => {
    const sel = parseFieldSelector('spec.z=1,spec.a=2,metadata.name=x');
    assert.equal(errorOf(() => assertSupportedFieldLabels(sel, new Set(DEFAULT_FIELD_LABELS))), 'field label not supported: spec.a');
  });
});

describe('matching', () => {
  const obj = { metadata: { name: 'foo', namespace: 'ns' }, spec: { phase: 'Running' } };
  const get = (o: typeof obj, field: string): string | undefined => {
    switch (field) {
      case 'metadata.name': return o.metadata.name;
      case 'metadata.namespace': return o.metadata.namespace;
      case 'status.phase': return o.spec.phase;
      default: return undefined;
    }
  };
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['metadata.name=foo', true],
    ['metadata.name==foo', true],
    ['metadata.name!=foo', false],
    ['metadata.name=foo,metadata.namespace=ns', true],
    ['metadata.name=foo,metadata.namespace=other', false],
    ['status.phase!=Pending', true],
    ['unknown=', true], // an absent field reads as ""
    ['unknown=x', false],
    ['unknown!=x', true],
  ];
  for (const [selector, want] of cases) {
    it(`${JSON.stringify(selector)} → ${want}`, () => {
      assert.equal(fieldSelectorMatcher(selector, get)(obj), want);
    });
  }
  it('fieldRequiresExactMatch finds = terms only', () => {
    assert.equal(fieldRequiresExactMatch(parseFieldSelector('metadata.name=a'), 'metadata.name'), 'a');
    assert.equal(fieldRequiresExactMatch(parseFieldSelector('metadata.name!=a'), 'metadata.name'), undefined);
  });
});
