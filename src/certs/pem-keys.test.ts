import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { pemDecode, pemDecodeAll, pemEncode, splitCertificateBundle } from './pem.ts';
import { detectKeyAlgorithm, exportPrivateKeyPem, exportPublicKeyPem, generateKeyPair, importPrivateKeyPem } from './keys.ts';
import { createCertificateAuthority } from './issue.ts';

test('pemEncode/pemDecode round-trip with 64-column lines', () => {
  const der = Buffer.alloc(100, 7);
  const pem = pemEncode('CERTIFICATE', der);
  assert.ok(pem.split('\n').every((l) => l.length <= 64));
  assert.deepEqual(pemDecode(pem, 'CERTIFICATE'), der);
  assert.throws(() => pemDecode(pem, 'PRIVATE KEY'), /expected a PEM "PRIVATE KEY"/);
  assert.throws(() => pemDecodeAll('nothing here'), /no PEM block/);
});

test('splitCertificateBundle keeps only certificates', async () => {
  const a = await createCertificateAuthority();
  const b = await createCertificateAuthority();
  const parts = splitCertificateBundle(`# comment\n${a.certPem}${a.keyPem}${b.certPem}`);
  assert.deepEqual(parts, [a.certPem, b.certPem]);
});

for (const alg of ['ecdsa-p256', 'rsa-2048'] as const) {
  test(`${alg} keys export as PKCS#8/SPKI that node:crypto reads, and import back`, async () => {
    const pair = await generateKeyPair(alg);
    const keyPem = await exportPrivateKeyPem(pair.privateKey);
    const pubPem = await exportPublicKeyPem(pair.publicKey);
    assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(pubPem, /^-----BEGIN PUBLIC KEY-----\n/);
    const derived = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'pem' });
    assert.equal(derived, pubPem);
    assert.equal(detectKeyAlgorithm(keyPem), alg);
    assert.equal((await importPrivateKeyPem(keyPem)).algorithm, alg);
  });
}

test('importPrivateKeyPem accepts legacy SEC1 EC keys and rejects unsupported ones', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const sec1 = privateKey.export({ type: 'sec1', format: 'pem' }) as string;
  assert.equal((await importPrivateKeyPem(sec1)).algorithm, 'ecdsa-p256');
  const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  assert.throws(() => detectKeyAlgorithm(ed), /unsupported private key/);
});
