/**
 * The subset of the protobuf wire format that etcd's v3 API uses: varints (int64 values up to
 * 2^53, enums, bools) and length-delimited fields (bytes, strings, nested messages). Fields equal
 * to their proto3 default are not written; unknown fields are skipped when reading.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** Builds one protobuf message; `finish()` returns its bytes. */
export class ProtoWriter {
  private buf = Buffer.allocUnsafe(64);
  private pos = 0;

  /** Writes a varint field (int64/uint64/enum/bool) unless it is 0; `value` must be a safe integer ≥ 0. */
  varint(field: number, value: number | boolean | undefined): this {
    const n = typeof value === 'boolean' ? Number(value) : value ?? 0;
    if (n === 0) return this;
    this.rawVarint(field * 8 + WIRE_VARINT);
    this.rawVarint(n);
    return this;
  }

  /** Writes a varint field even when it is 0 (a member of a oneof, whose presence matters). */
  embeddedVarint(field: number, value: number): this {
    this.rawVarint(field * 8 + WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  /** Writes a length-delimited field (bytes, or an encoded message) unless it is absent or empty. */
  bytes(field: number, value: Uint8Array | undefined): this {
    if (!value || value.length === 0) return this;
    return this.embedded(field, value);
  }

  /** Writes a nested message field even when its encoding is empty (presence matters for oneofs). */
  embedded(field: number, value: Uint8Array): this {
    this.rawVarint(field * 8 + WIRE_LENGTH_DELIMITED);
    this.rawVarint(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  /** The message's bytes. */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private rawVarint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} as a protobuf varint`);
    this.reserve(8);
    let n = value;
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  private reserve(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

/** One field read from a message: its number and either its varint value or its bytes. */
export interface ProtoField {
  field: number;
  /** The value of a varint field (0 for other wire types). */
  int: number;
  /** The bytes of a length-delimited field (a view into the message; empty for other wire types). */
  data: Buffer;
}

const EMPTY = Buffer.alloc(0);

/**
 * Calls `visit` for each field of the message `buf`, in order; fixed-width fields are skipped.
 * Throws a RangeError on a truncated or malformed message.
 */
export function readFields(buf: Buffer, visit: (f: ProtoField) => void): void {
  const cursor = { pos: 0 };
  const f: ProtoField = { field: 0, int: 0, data: EMPTY };
  while (cursor.pos < buf.length) {
    const tag = readVarint(buf, cursor);
    f.field = Math.floor(tag / 8);
    f.int = 0;
    f.data = EMPTY;
    switch (tag % 8) {
      case WIRE_VARINT:
        f.int = readVarint(buf, cursor);
        break;
      case WIRE_LENGTH_DELIMITED: {
        const len = readVarint(buf, cursor);
        if (cursor.pos + len > buf.length) throw new RangeError('truncated protobuf message');
        f.data = buf.subarray(cursor.pos, cursor.pos + len);
        cursor.pos += len;
        break;
      }
      case WIRE_FIXED64:
        cursor.pos += 8;
        continue;
      case WIRE_FIXED32:
        cursor.pos += 4;
        continue;
      default:
        throw new RangeError(`unsupported protobuf wire type ${tag % 8}`);
    }
    visit(f);
  }
  if (cursor.pos > buf.length) throw new RangeError('truncated protobuf message');
}

function readVarint(buf: Buffer, cursor: { pos: number }): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (cursor.pos >= buf.length) throw new RangeError('truncated protobuf varint');
    const byte = buf[cursor.pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 0x80;
  }
  throw new RangeError('protobuf varint longer than 10 bytes');
}
