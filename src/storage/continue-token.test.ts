import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeContinueToken, encodeContinueToken, encodeStart } from './continue-token.ts';
import { isStorageError } from './interface.ts';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

describe('continue tokens', () => {
  it('encode exactly as kube-apiserver does (unpadded base64url of {"v","rv","start"})', () => {
    assert.equal(encodeContinueToken('/g/r/ns/foo\u0000', '/g/r/ns/', 5), b64('{"v":"meta.k8s.io/v1","rv":5,"start":"foo\\u0000"}'));
    assert.equal(encodeStart('x', -1), b64('{"v":"meta.k8s.io/v1","rv":-1,"start":"x"}'));
    assert.doesNotMatch(encodeStart('a', 1), /[=+/]/);
  });

  it('decode a kube-apiserver token relative to the list prefix', () => {
    const token = b64('{"v":"meta.k8s.io/v1","rv":12,"start":"ns2/bar\\u0000"}');
    assert.deepEqual(decodeContinueToken(token, '/g/r/'), { startKey: '/g/r/ns2/bar\u0000', start: 'ns2/bar\u0000', resourceVersion: 12 });
    assert.deepEqual(decodeContinueToken(b64('{"v":"meta.k8s.io/v1","rv":-1,"start":"/x"}'), '/p/'), { startKey: '/p/x', start: 'x', resourceVersion: -1 });
  });

  it('round-trips', () => {
    const token = encodeContinueToken('/p/a/b\u0000', '/p/', 42);
    assert.deepEqual(decodeContinueToken(token, '/p/'), { startKey: '/p/a/b\u0000', start: 'a/b\u0000', resourceVersion: 42 });
  });

  it('reject malformed tokens with InvalidContinue', () => {
    const bad = ['', 'a=b', '***', b64('nope'), b64('[]'), b64('null'), b64('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}'),
      b64('{"v":"meta.k8s.io/v1","rv":1.5,"start":"a"}'), b64('{"v":"meta.k8s.io/v1","rv":1,"start":""}'),
      b64('{"v":"meta.k8s.io/v1","rv":1,"start":"../etc"}'), b64('{"v":"meta.k8s.io/v1","rv":1,"start":"a//b"}'),
      b64('{"v":"meta.k8s.io/v1","rv":1,"start":"a/./b"}'), b64('{"v":"meta.k8s.io/v1","rv":1,"start":"a/"}'),
      b64('{"v":"v2","rv":1,"start":"a"}'), b64('{"rv":1,"start":"a"}')];
    for (const token of bad) {
      assert.throws(() => decodeContinueToken(token, '/p/'), (e) => isStorageError(e, 'InvalidContinue'), token);
    }
  });

  it('refuse to encode a key outside the prefix', () => {
    assert.throws(() => encodeContinueToken('/q/a', '/p/', 1), (e) => isStorageError(e, 'Internal'));
  });
});
