/**
 * PEM armour: encode DER bytes under a label and split PEM text (possibly a bundle of several
 * blocks) back into labelled DER blocks. Works for `CERTIFICATE`, `PRIVATE KEY` (PKCS#8) and
 * `PUBLIC KEY` (SPKI) alike.
 */

/** One `-----BEGIN <label>-----` block, decoded. */
export interface PemBlock {
  /** The label between `BEGIN ` and `-----`, e.g. `CERTIFICATE`. */
  label: string;
  /** The decoded DER bytes. */
  der: Buffer;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * Encodes DER bytes as one PEM block with 64-column base64 lines and a trailing newline —
 * the form OpenSSL, Go's `encoding/pem` and Node's `tls` all accept.
 */
export function pemEncode(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Decodes every PEM block in `pem`, in order. Text outside blocks (comments, `openssl x509
 * -text` output) is ignored. Throws when there is no block at all.
 */
export function pemDecodeAll(pem: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of pem.matchAll(PEM_BLOCK)) {
    blocks.push({ label: m[1], der: Buffer.from(m[2].replace(/\s+/g, ''), 'base64') });
  }
  if (blocks.length === 0) throw new Error('no PEM block found');
  return blocks;
}

/**
 * Decodes exactly one PEM block with the given label; throws when the text holds none, or
 * when its first block has a different label.
 */
export function pemDecode(pem: string, label: string): Buffer {
  const [first] = pemDecodeAll(pem);
  if (first.label !== label) throw new Error(`expected a PEM "${label}" block, got "${first.label}"`);
  return first.der;
}

/** Splits a PEM bundle into one PEM string per `CERTIFICATE` block (other blocks skipped). */
export function splitCertificateBundle(pem: string): string[] {
  return pemDecodeAll(pem).filter((b) => b.label === 'CERTIFICATE').map((b) => pemEncode(b.label, b.der));
}
