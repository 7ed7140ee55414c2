/**
 * Key pairs for the PKI: generated with WebCrypto (`node:crypto`), exported as PKCS#8
 * `PRIVATE KEY` and SPKI `PUBLIC KEY` PEM — formats kube-apiserver (Go `keyutil`), etcd,
 * OpenSSL and Node's `tls` all read.
 */
import { createPrivateKey, webcrypto } from 'node:crypto';
import { pemDecode, pemEncode } from './pem.ts';

/** The key algorithms the PKI supports. ECDSA P-256 is the default everywhere. */
export type KeyAlgorithm = 'ecdsa-p256' | 'rsa-2048';

/** A WebCrypto key pair, as `@peculiar/x509` and `crypto.subtle` use it. */
export type KeyPair = webcrypto.CryptoKeyPair;

/** A WebCrypto key (private or public). */
export type Key = webcrypto.CryptoKey;

/** The WebCrypto algorithm used to generate, import and sign with each key algorithm. */
export function webCryptoAlgorithm(alg: KeyAlgorithm): webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams {
  return alg === 'ecdsa-p256'
    ? { name: 'ECDSA', namedCurve: 'P-256' }
    : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

/** The signature algorithm (SHA-256 based) a key of this algorithm signs certificates with. */
export function signingAlgorithm(alg: KeyAlgorithm): webcrypto.EcdsaParams | webcrypto.Algorithm {
  return alg === 'ecdsa-p256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' };
}

/** Generates an extractable signing key pair (ECDSA P-256 by default, or RSA-2048). */
export async function generateKeyPair(alg: KeyAlgorithm = 'ecdsa-p256'): Promise<KeyPair> {
  const params = alg === 'ecdsa-p256'
    ? { name: 'ECDSA', namedCurve: 'P-256' }
    : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
  return webcrypto.subtle.generateKey(params, true, ['sign', 'verify']) as Promise<KeyPair>;
}

/** Exports a private key as a PKCS#8 `-----BEGIN PRIVATE KEY-----` PEM. */
export async function exportPrivateKeyPem(key: Key): Promise<string> {
  return pemEncode('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

/** Exports a public key as an SPKI `-----BEGIN PUBLIC KEY-----` PEM. */
export async function exportPublicKeyPem(key: Key): Promise<string> {
  return pemEncode('PUBLIC KEY', await webcrypto.subtle.exportKey('spki', key));
}

/**
 * Tells the algorithm of a private key PEM (PKCS#8, or the legacy `EC PRIVATE KEY` /
 * `RSA PRIVATE KEY` forms). Throws for other key types and RSA sizes other than 2048.
 */
export function detectKeyAlgorithm(keyPem: string): KeyAlgorithm {
  const key = createPrivateKey(keyPem);
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') return 'ecdsa-p256';
  if (key.asymmetricKeyType === 'rsa' && details.modulusLength === 2048) return 'rsa-2048';
  throw new Error(`unsupported private key: ${key.asymmetricKeyType} ${JSON.stringify(details)}`);
}

/**
 * Imports a private key PEM (any form `detectKeyAlgorithm` accepts) as a WebCrypto signing
 * key, together with its algorithm.
 */
export async function importPrivateKeyPem(keyPem: string): Promise<{ key: Key; algorithm: KeyAlgorithm }> {
  const algorithm = detectKeyAlgorithm(keyPem);
  const pkcs8 = keyPem.includes('BEGIN PRIVATE KEY')
    ? pemDecode(keyPem, 'PRIVATE KEY')
    : createPrivateKey(keyPem).export({ format: 'der', type: 'pkcs8' });
  const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, webCryptoAlgorithm(algorithm), true, ['sign']);
  return { key, algorithm };
}
