import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFormat, isSupportedFormat } from './formats.ts';

const cases: Record<string, [string[], string[]]> = {
  'date-time': [['2024-01-02T03:04:05Z', '2024-01-02t03:04:05.123+01:00'], ['2024-01-02', '2024-13-01T00:00:00Z', '2024-01-02T24:00:00Z']],
  date: [['2024-02-29'], ['2023-02-29', '2024-1-01']],
  uuid: [['123e4567-e89b-12d3-a456-426614174000', '123E4567E89B12D3A456426614174000'], ['123e4567']],
  uuid4: [['123e4567-e89b-42d3-a456-426614174000'], ['123e4567-e89b-12d3-a456-426614174000']],
  hostname: [['example.com', 'localhost'], ['-bad-.com', `${'a'.repeat(64)}.com`]],
  ipv4: [['10.0.0.1', '010.0.0.1', '::ffff:1.2.3.4'], ['10.0.0', '::1']],
  ipv6: [['::1', 'fe80::1'], ['10.0.0.1', 'fe80::1%eth0']],
  cidr: [['10.0.0.0/8', 'fd00::/64'], ['10.0.0.0/33', '10.0.0.0']],
  mac: [['00:1a:2b:3c:4d:5e', '00-1A-2B-3C-4D-5E', '001a.2b3c.4d5e'], ['00:1a:2b:3c:4d']],
  byte: [['aGVsbG8='], ['hello!', '']],
  duration: [['1h30m', '5s', '3 days'], ['soon']],
  email: [['a@example.com', 'Name <a@example.com>'], ['nope']],
  uri: [['https://example.com/x', '/relative/path'], ['relative', 'http://a b/']],
  'k8s-short-name': [['my-name'], ['My-Name', 'a.b']],
  'k8s-long-name': [['a.b-c'], ['a.-']],
  isbn10: [['0321751043'], ['0321751044']],
  isbn13: [['978-0321751041'], ['978-0321751042']],
  creditcard: [['4111 1111 1111 1111'], ['4111 1111 1111 1112']],
  ssn: [['123-45-6789'], ['123456789']],
  hexcolor: [['#fff', 'A0B1C2'], ['#ffff']],
  rgbcolor: [['rgb(0, 128,255)'], ['rgb(256,0,0)']],
  bsonobjectid: [['507f1f77bcf86cd799439011'], ['507f1f77']],
  password: [['anything'], []],
};

test('supported formats accept and reject like kube-openapi strfmt', () => {
  for (const [format, [good, bad]] of Object.entries(cases)) {
    assert.ok(isSupportedFormat(format), format);
    for (const v of good) assert.equal(checkFormat(format, v), true, `${format} should accept ${v}`);
    for (const v of bad) assert.equal(checkFormat(format, v), false, `${format} should reject ${v}`);
  }
});

test('unknown formats are not validated', () => {
  assert.equal(isSupportedFormat('int-or-string'), false);
  assert.equal(checkFormat('whatever', 'x'), true);
  assert.equal(isSupportedFormat('datetime'), true);
});
