import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labelRequiresExactMatch, labelSelectorMatcher, parseLabelSelector } from './labels.ts';
import { SelectorParseError } from './selector-error.ts';

function parseError(selector: string): string {
  try {
    parseLabelSelector(selector);
  } catch (err) {
    assert.ok(err instanceof SelectorParseError, `expected SelectorParseError, got ${String(err)}`);
    return err.message;
  }
  assert.fail(`expected ${JSON.stringify(selector)} to fail`);
}

const KEY_NAME_RULE = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_RULE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('parseLabelSelector: accepted syntax (upstream TestSelectorParse good strings)', () => {
  const good: Array<[string, string]> = [
    ['', ''],
    ['x=a', 'x=a'],
    ['y=b,x=a', 'x=a,y=b'], // sorted by key
    ['x=a,y!=b', 'x=a,y!=b'],
    ['x==a', 'x==a'],
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    [' x = a , y != b ', 'x=a,y!=b'],
    ['x=', 'x='],
    ['x= ', 'x='],
    ['x=,z= ', 'x=,z='],
    ['!x', '!x'],
    ['x>1', 'x>1'],
    ['x>1,z<5', 'x>1,z<5'],
    ['\rx', 'x'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['x in (abc,abc)', 'x in (abc)'],
    ['x in (a,,a,,a,,a,,)', 'x in (,a)'],
    ['a in (x,y,notin, z,in)', 'a in (in,notin,x,y,z)'],
    ['notin=in', 'notin=in'],
    ['this-is-a-dns.domain.com/key-with-dash', 'this-is-a-dns.domain.com/key-with-dash'],
    ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)'],
    ['x  notin\t\t(abc,def)', 'x notin (abc,def)'],
    ['x notin (, a)', 'x notin (,a)'],
    ['   ', ''],
  ];
  for (const [input, canonical] of good) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.equal(parseLabelSelector(input).toString(), canonical);
    });
  }

  it('reports empty for "" and whitespace', () => {
    assert.equal(parseLabelSelector('').empty, true);
    assert.equal(parseLabelSelector('x').empty, false);
  });
});

describe('parseLabelSelector: upstream error texts', () => {
  it('rejects an invalid value with the values[i][key] path', () => {
    assert.equal(parseError('x=a||y=b'), `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${VALUE_RULE}`);
  });
  it('rejects x==a==b', () => {
    assert.equal(parseError('x==a==b'), "found '==', expected: ',' or 'end of string'");
  });
  it('rejects !x=a (unary operator followed by a binary one)', () => {
    assert.equal(parseError('!x=a'), "found '=', expected: ',' or 'end of string'");
  });
  it('rejects a non-integer Gt/Lt value', () => {
    assert.equal(parseError('x<a'), "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer");
  });
  it('aggregates several value errors as [a, b]', () => {
    assert.equal(parseError('x>a-'),
      "unable to parse requirement: [values[0]: Invalid value: \"a-\": for 'Gt', 'Lt' operators, the value must be an integer, "
      + `values[0][x]: Invalid value: "a-": ${VALUE_RULE}]`);
  });
  it('reports a single value error without brackets', () => {
    assert.equal(parseError('x>-1'), `unable to parse requirement: values[0][x]: Invalid value: "-1": ${VALUE_RULE}`);
  });
  it('reports an invalid key with the <nil> path upstream prints', () => {
    assert.equal(parseError('-x=a'), `unable to parse requirement: <nil>: Invalid value: "-x": ${KEY_NAME_RULE}`);
  });
  it('reports a key with too many slashes', () => {
    assert.match(parseError('a/b/c'), /^unable to parse requirement: <nil>: Invalid value: "a\/b\/c": a valid label key must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  });
  it('reports prefix errors', () => {
    assert.equal(parseError('/x'), 'unable to parse requirement: <nil>: Invalid value: "/x": prefix part must be non-empty');
    assert.match(parseError('Ex.com/x'), /prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.', and must start and end with an alphanumeric character \(e\.g\. 'example\.com', regex used for validation is '\[a-z0-9\]/);
  });
  it('reports too long names in bytes', () => {
    const long = 'a'.repeat(64);
    assert.equal(parseError(long), `unable to parse requirement: <nil>: Invalid value: "${long}": name part must be no more than 63 bytes`);
  });
  it('rejects empty terms and dangling commas', () => {
    assert.equal(parseError('x,,y'), "found ',', expected: identifier after ','");
    assert.equal(parseError(',x,y'), "found ',', expected: !, identifier, or 'end of string'");
    assert.equal(parseError('a in (xyz),'), "found '', expected: identifier after ','");
  });
  it('rejects unknown operators', () => {
    assert.equal(parseError('x nott in (y)'), "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt");
    assert.equal(parseError('x in'), "unable to parse requirement: found '' expected: '('");
    assert.equal(parseError('a ('), "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt");
    assert.equal(parseError('('), "found '(', expected: !, identifier, or 'end of string'");
  });
  it('rejects malformed value sets', () => {
    assert.equal(parseError('a in (xyz abc)'), "unable to parse requirement: found 'abc', expected: ',' or ')'");
    assert.equal(parseError('a notin('), "unable to parse requirement: found '', expected: ',', ')' or identifier");
    assert.equal(parseError('a in (x,'), "unable to parse requirement: found '', expected: ',', or identifier");
    assert.equal(parseError('a in (xyz)b notin ()'), "found 'b', expected: ',' or 'end of string'");
    assert.equal(parseError('x=(a)'), "unable to parse requirement: found '(', expected: identifier");
  });
  it('rejects a missing key after !', () => {
    assert.equal(parseError('!'), "unable to parse requirement: found '', expected: identifier");
    assert.equal(parseError('!=a'), "found '!=', expected: !, identifier, or 'end of string'");
  });
  it('quotes the bad value as Go %q does', () => {
    assert.equal(parseError('x=a"b'), `unable to parse requirement: values[0][x]: Invalid value: "a\\"b": ${VALUE_RULE}`);
  });
});

describe('label matching (upstream TestSelectorMatches)', () => {
  const set = { foo: 'bar', baz: 'blah' };
  const cases: Array<[string, Record<string, string> | undefined, boolean]> = [
    ['', { x: 'y' }, true],
    ['', undefined, true],
    ['x=y', { x: 'y' }, true],
    ['x=y,z=w', { x: 'y', z: 'w' }, true],
    ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
    ['notin=in', { notin: 'in' }, true],
    ['x', { x: 'z' }, true],
    ['!x', { y: 'z' }, true],
    ['x>1', { x: '2' }, true],
    ['x<1', { x: '0' }, true],
    ['x=z', {}, false],
    ['x=y', { x: 'z' }, false],
    ['x=y,z=w', { x: 'w', z: 'w' }, false],
    ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
    ['x', { y: 'z' }, false],
    ['!x', { x: 'z' }, false],
    ['x>1', { x: '0' }, false],
    ['x<1', { x: '2' }, false],
    ['x>1', { x: 'abc' }, false],
    ['x>1', {}, false],
    ['foo=bar,baz=blah', set, true],
    ['foo=blah', set, false],
    ['x in (a,b)', { x: 'b' }, true],
    ['x in (a,b)', { x: 'c' }, false],
    ['x in (a,b)', {}, false],
    ['x notin (a,b)', {}, true],
    ['x notin (a,b)', { x: 'a' }, false],
    ['x in ()', { x: '' }, true],
    ['x=', { x: '' }, true],
    ['x!=y', undefined, true],
    ['constructor', {}, false],
    ['x>9223372036854775806', { x: '9223372036854775807' }, true],
  ];
  for (const [selector, labels, want] of cases) {
    it(`${JSON.stringify(selector)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, () => {
      assert.equal(labelSelectorMatcher(selector)(labels), want);
    });
  }
});

describe('labelRequiresExactMatch', () => {
  it('finds =, == and single-valued in', () => {
    assert.equal(labelRequiresExactMatch(parseLabelSelector('a=1,b==2,c in (3)'), 'b'), '2');
    assert.equal(labelRequiresExactMatch(parseLabelSelector('c in (3)'), 'c'), '3');
    assert.equal(labelRequiresExactMatch(parseLabelSelector('c in (3,4)'), 'c'), undefined);
    assert.equal(labelRequiresExactMatch(parseLabelSelector('c!=3'), 'c'), undefined);
    assert.equal(labelRequiresExactMatch(parseLabelSelector('a=1'), 'z'), undefined);
  });
});
