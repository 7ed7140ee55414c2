import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isNotAppliedError, isTransientError } from '../etcd-errors.ts';
import { decodeRangeResponse, decodeTxnResponse, decodeWatchResponse, encodeTxnRequest, encodeWatchRequest } from './etcd-messages.ts';
import { GrpcChannel, GrpcError, GrpcStatus } from './grpc.ts';
import { ProtoWriter, readFields } from './protobuf.ts';
import type { ProtoField } from './protobuf.ts';

/** The protobuf codec and the gRPC transport of the etcd client, against a local HTTP/2 server (real etcd: test/etcd). */

const fieldsOf = (buf: Buffer): Array<Omit<ProtoField, 'data'> & { data: string }> => {
  const out: Array<Omit<ProtoField, 'data'> & { data: string }> = [];
  readFields(buf, (f) => out.push({ field: f.field, int: f.int, data: f.data.toString('hex') }));
  return out;
};

describe('protobuf wire format', () => {
  it('round-trips varints up to 2^53 - 1 and omits proto3 defaults', () => {
    const values = [1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
    const w = new ProtoWriter().varint(1, 0).varint(2, false);
    values.forEach((v, i) => w.varint(i + 3, v));
    assert.deepEqual(fieldsOf(w.finish()).map((f) => [f.field, f.int]), values.map((v, i) => [i + 3, v]));
    assert.equal(new ProtoWriter().varint(1, 300).finish().toString('hex'), '08ac02');
  });

  it('writes a oneof member even when it is 0 or empty', () => {
    assert.equal(new ProtoWriter().embeddedVarint(5, 0).embedded(3, Buffer.alloc(0)).finish().toString('hex'), '28001a00');
  });

  it('skips fixed-width and unknown fields, and refuses truncated messages', () => {
    const msg = Buffer.concat([Buffer.from('0901020304050607081502030405', 'hex'), new ProtoWriter().bytes(7, Buffer.from('ab')).finish()]);
    assert.deepEqual(fieldsOf(msg), [{ field: 7, int: 0, data: Buffer.from('ab').toString('hex') }]);
    assert.throws(() => readFields(Buffer.from('0a05abcd', 'hex'), () => undefined), RangeError);
    assert.throws(() => readFields(Buffer.from('08ff', 'hex'), () => undefined), RangeError);
    assert.throws(() => new ProtoWriter().varint(1, -1), RangeError);
  });
});

describe('etcd messages', () => {
  const kv = (key: string, mod: number) => new ProtoWriter().bytes(1, Buffer.from(key)).varint(2, 2).varint(3, mod).varint(4, 1)
    .bytes(5, Buffer.from(`{"v":${mod}}`)).finish();
  // cluster_id is a uint64 past 2^53: read (imprecisely) without harm to the revision after it.
  const header = Buffer.concat([Buffer.from('08ffffffffffffffff7f', 'hex'), new ProtoWriter().varint(3, 42).finish()]);

  it('decodes a range response (header revision, kvs, more, count)', () => {
    const res = decodeRangeResponse(new ProtoWriter().embedded(1, header).embedded(2, kv('/a', 7)).embedded(2, kv('/b', 9))
      .varint(3, true).varint(4, 5).finish());
    assert.equal(res.header.revision, 42);
    assert.deepEqual(res.kvs.map((k) => [k.key.toString(), k.create_revision, k.mod_revision, k.version, k.value.toString()]),
      [['/a', 2, 7, 1, '{"v":7}'], ['/b', 2, 9, 1, '{"v":9}']]);
    assert.equal(res.more, true);
    assert.equal(res.count, 5);
  });

  it('decodes a failed transaction with the range of its failure branch', () => {
    const range = new ProtoWriter().embedded(1, header).embedded(2, kv('/a', 8)).varint(4, 1).finish();
    const res = decodeTxnResponse(new ProtoWriter().embedded(1, header).embedded(3, new ProtoWriter().embedded(1, range).finish()).finish());
    assert.equal(res.succeeded, false);
    assert.equal(res.responses[0].response_range?.kvs[0].mod_revision, 8);
  });

  it('decodes watch responses: events with prev_kv, cancellation with compact revision', () => {
    const event = new ProtoWriter().varint(1, 1).embedded(2, kv('/a', 10)).embedded(3, kv('/a', 9)).finish();
    const res = decodeWatchResponse(new ProtoWriter().embedded(1, header).varint(2, 0).embedded(11, event).finish());
    assert.deepEqual(res.events.map((e) => [e.type, e.kv.mod_revision, e.prev_kv?.mod_revision]), [['Delete', 10, 9]]);
    const cancel = decodeWatchResponse(new ProtoWriter().varint(4, true).varint(5, 30).bytes(6, Buffer.from('compacted')).finish());
    assert.deepEqual([cancel.canceled, cancel.compact_revision, cancel.cancel_reason], [true, 30, 'compacted']);
  });

  it('encodes a compare-and-swap with its create revision 0 present, and a progress request', () => {
    const key = Buffer.from('k');
    const txn = encodeTxnRequest({ compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key, value: Buffer.from('v') } }], failure: [{ request_range: { key } }] });
    // compare{target=CREATE, key, create_revision=0}, success{put{key, value}}, failure{range{key}}
    assert.equal(txn.toString('hex'), '0a0710011a016b2800' + '120812060a016b120176' + '1a050a030a016b');
    assert.equal(encodeWatchRequest({ progress_request: {} }).toString('hex'), '1a00');
  });
});

describe('gRPC transport', () => {
  let server: http2.Http2Server;
  let url = '';
  before(async () => {
    server = http2.createServer((req, res) => {
      req.resume();
      if (req.url.endsWith('/Hang')) return;
      if (req.url.endsWith('/Fail')) {
        res.writeHead(200, { 'content-type': 'application/grpc', 'grpc-status': '11', 'grpc-message': 'etcdserver%3A mvcc%3A required revision has been compacted' });
        res.end();
        return;
      }
      req.on('end', () => {
        res.addTrailers({ 'grpc-status': '0' });
        res.writeHead(200, { 'content-type': 'application/grpc', trailer: 'grpc-status' });
        const body = Buffer.from('0a0208', 'hex');
        const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, body.length]), body]);
        res.write(framed.subarray(0, 3));
        res.end(framed.subarray(3));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('answers a unary call with the message split across data chunks', async () => {
    const channel = new GrpcChannel({ endpoints: [url] });
    assert.equal((await channel.unary('/x.Y/Echo', Buffer.alloc(0), 1000)).toString('hex'), '0a0208');
    channel.close();
  });

  it('reports the status and percent-decoded message of a trailers-only answer', async () => {
    const channel = new GrpcChannel({ endpoints: [url] });
    const err = await channel.unary('/x.Y/Fail', Buffer.alloc(0), 1000).catch((e: unknown) => e);
    assert.ok(err instanceof GrpcError);
    assert.deepEqual([err.code, err.details], [11, 'etcdserver: mvcc: required revision has been compacted']);
    assert.equal(isTransientError(err), false);
    channel.close();
  });

  it('a deadline is DEADLINE_EXCEEDED, transient and possibly applied', async () => {
    const channel = new GrpcChannel({ endpoints: [url] });
    const err = await channel.unary('/x.Y/Hang', Buffer.alloc(0), 100).catch((e: unknown) => e);
    assert.ok(err instanceof GrpcError);
    assert.equal(err.code, GrpcStatus.DEADLINE_EXCEEDED);
    assert.deepEqual([isTransientError(err), isNotAppliedError(err)], [true, false]);
    channel.close();
  });

  it('a refused connection is UNAVAILABLE, transient and certainly not applied', async () => {
    const channel = new GrpcChannel({ endpoints: ['http://127.0.0.1:1'] });
    const err = await channel.unary('/x.Y/Echo', Buffer.alloc(0), 1000).catch((e: unknown) => e);
    assert.ok(err instanceof GrpcError);
    assert.equal(err.code, GrpcStatus.UNAVAILABLE);
    assert.match(err.message, /^14 UNAVAILABLE: No connection established\. Last error: .*ECONNREFUSED/);
    assert.deepEqual([isTransientError(err), isNotAppliedError(err)], [true, true]);
    channel.close();
  });

  it('a closed channel refuses calls with CANCELLED', async () => {
    const channel = new GrpcChannel({ endpoints: [url] });
    channel.close();
    const err = await channel.unary('/x.Y/Echo', Buffer.alloc(0), 1000).catch((e: unknown) => e);
    assert.ok(err instanceof GrpcError && err.code === GrpcStatus.CANCELLED);
  });
});

describe('gRPC framing', () => {
  it('joins a large message split into many chunks once, and splits back-to-back messages', async () => {
    const { FrameReader } = await import('./grpc.ts');
    const big = Buffer.alloc(4 * 1024 * 1024, 7);
    const small = Buffer.from('0a0208', 'hex');
    const framed = Buffer.concat([Buffer.from([0, 0, 0x40, 0, 0]), big, Buffer.from([0, 0, 0, 0, small.length]), small]);
    const reader = new FrameReader();
    const got: Buffer[] = [];
    const concat = Buffer.concat;
    let joins = 0;
    Buffer.concat = ((list: readonly Uint8Array[], total?: number) => { joins++; return concat(list, total); }) as typeof Buffer.concat;
    try {
      for (let i = 0; i < framed.length; i += 1000) got.push(...reader.push(framed.subarray(i, i + 1000)));
    } finally {
      Buffer.concat = concat;
    }
    assert.deepEqual(got.map((m) => m.length), [big.length, small.length]);
    assert.ok(got[0].equals(big) && got[1].equals(small));
    assert.ok(joins <= 3, `the chunks were joined ${joins} times`);
    assert.equal(reader.hasPartial(), false);
  });
});
