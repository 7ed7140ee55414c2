import { ProtoWriter, readFields } from './protobuf.ts';

/**
 * The messages of etcd's v3 gRPC API (etcdserverpb, mvccpb) that the etcd storage uses, with
 * their protobuf encoders and decoders. Field names follow the .proto files; int64 fields are
 * numbers (revisions stay below 2^53). Only the fields the storage reads are decoded.
 */

/** mvccpb.KeyValue. */
export interface KeyValue {
  key: Buffer;
  create_revision: number;
  mod_revision: number;
  version: number;
  value: Buffer;
  lease: number;
}

/** etcdserverpb.ResponseHeader (the revision is all the storage reads). */
export interface ResponseHeader {
  revision: number;
}

/** etcdserverpb.RangeRequest. */
export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: number;
  /** 0 or absent: the newest revision (a linearizable read). */
  revision?: number;
  keys_only?: boolean;
  count_only?: boolean;
}

/** etcdserverpb.RangeResponse. */
export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

/** etcdserverpb.PutRequest. */
export interface PutRequest {
  key: Buffer;
  value: Buffer;
}

/** etcdserverpb.DeleteRangeRequest. */
export interface DeleteRangeRequest {
  key: Buffer;
  range_end?: Buffer;
}

/** etcdserverpb.RequestOp: exactly one of its fields. */
export interface RequestOp {
  request_range?: RangeRequest;
  request_put?: PutRequest;
  request_delete_range?: DeleteRangeRequest;
}

/** etcdserverpb.Compare, with its target value in the field its target names. */
export interface Compare {
  key: Buffer;
  target: 'Version' | 'Create' | 'Mod' | 'Value';
  result: 'Equal' | 'Greater' | 'Less' | 'NotEqual';
  version?: number;
  create_revision?: number;
  mod_revision?: number;
  value?: Buffer;
}

/** etcdserverpb.TxnRequest. */
export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure?: RequestOp[];
}

/** etcdserverpb.ResponseOp: the response of one RequestOp (only a range's is decoded). */
export interface ResponseOp {
  response_range?: RangeResponse;
}

/** etcdserverpb.TxnResponse. */
export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

/** etcdserverpb.WatchCreateRequest. */
export interface WatchCreateRequest {
  key: Buffer;
  range_end?: Buffer;
  start_revision?: number;
  progress_notify?: boolean;
  prev_kv?: boolean;
}

/** etcdserverpb.WatchRequest: a create request or a progress request. */
export type WatchRequest = { create_request: WatchCreateRequest } | { progress_request: Record<string, never> };

/** mvccpb.Event. */
export interface WatchEventMessage {
  type: 'Put' | 'Delete';
  kv: KeyValue;
  prev_kv?: KeyValue;
}

/** etcdserverpb.WatchResponse. */
export interface WatchResponse {
  header: ResponseHeader;
  watch_id: number;
  created: boolean;
  canceled: boolean;
  compact_revision: number;
  cancel_reason: string;
  events: WatchEventMessage[];
}

const COMPARE_RESULTS = { Equal: 0, Greater: 1, Less: 2, NotEqual: 3 } as const;
const COMPARE_TARGETS = { Version: 0, Create: 1, Mod: 2, Value: 3 } as const;
const EMPTY = Buffer.alloc(0);

/** Encodes a RangeRequest. */
export function encodeRangeRequest(req: RangeRequest): Buffer {
  return new ProtoWriter().bytes(1, req.key).bytes(2, req.range_end).varint(3, req.limit).varint(4, req.revision)
    .varint(8, req.keys_only).varint(9, req.count_only).finish();
}

function encodeCompare(c: Compare): Buffer {
  const w = new ProtoWriter().varint(1, COMPARE_RESULTS[c.result]).varint(2, COMPARE_TARGETS[c.target]).bytes(3, c.key);
  // The target value is a oneof: written even when 0, so that etcd sees which one is set.
  if (c.target === 'Version') w.embeddedVarint(4, c.version ?? 0);
  else if (c.target === 'Create') w.embeddedVarint(5, c.create_revision ?? 0);
  else if (c.target === 'Mod') w.embeddedVarint(6, c.mod_revision ?? 0);
  else w.embedded(7, c.value ?? EMPTY);
  return w.finish();
}

function encodeRequestOp(op: RequestOp): Buffer {
  const w = new ProtoWriter();
  if (op.request_range) w.embedded(1, encodeRangeRequest(op.request_range));
  else if (op.request_put) w.embedded(2, new ProtoWriter().bytes(1, op.request_put.key).bytes(2, op.request_put.value).finish());
  else if (op.request_delete_range) {
    w.embedded(3, new ProtoWriter().bytes(1, op.request_delete_range.key).bytes(2, op.request_delete_range.range_end).finish());
  }
  return w.finish();
}

/** Encodes a TxnRequest. */
export function encodeTxnRequest(req: TxnRequest): Buffer {
  const w = new ProtoWriter();
  for (const c of req.compare) w.embedded(1, encodeCompare(c));
  for (const op of req.success) w.embedded(2, encodeRequestOp(op));
  for (const op of req.failure ?? []) w.embedded(3, encodeRequestOp(op));
  return w.finish();
}

/** Encodes a CompactionRequest (not physical: etcd answers once the compaction is scheduled). */
export function encodeCompactionRequest(revision: number): Buffer {
  return new ProtoWriter().varint(1, revision).finish();
}

/** Encodes a WatchRequest. */
export function encodeWatchRequest(req: WatchRequest): Buffer {
  if ('progress_request' in req) return new ProtoWriter().embedded(3, EMPTY).finish();
  const c = req.create_request;
  const create = new ProtoWriter().bytes(1, c.key).bytes(2, c.range_end).varint(3, c.start_revision)
    .varint(4, c.progress_notify).varint(6, c.prev_kv).finish();
  return new ProtoWriter().embedded(1, create).finish();
}

function decodeHeader(buf: Buffer): ResponseHeader {
  const header: ResponseHeader = { revision: 0 };
  readFields(buf, (f) => {
    if (f.field === 3) header.revision = f.int;
  });
  return header;
}

/** Decodes a mvccpb.KeyValue; its key and value are views into `buf` (copy them to keep them apart from it). */
export function decodeKeyValue(buf: Buffer): KeyValue {
  const kv: KeyValue = { key: EMPTY, create_revision: 0, mod_revision: 0, version: 0, value: EMPTY, lease: 0 };
  readFields(buf, (f) => {
    switch (f.field) {
      case 1: kv.key = f.data; break;
      case 2: kv.create_revision = f.int; break;
      case 3: kv.mod_revision = f.int; break;
      case 4: kv.version = f.int; break;
      case 5: kv.value = f.data; break;
      case 6: kv.lease = f.int; break;
    }
  });
  return kv;
}

/** Decodes a RangeResponse. */
export function decodeRangeResponse(buf: Buffer): RangeResponse {
  const res: RangeResponse = { header: { revision: 0 }, kvs: [], more: false, count: 0 };
  readFields(buf, (f) => {
    switch (f.field) {
      case 1: res.header = decodeHeader(f.data); break;
      case 2: res.kvs.push(decodeKeyValue(f.data)); break;
      case 3: res.more = f.int !== 0; break;
      case 4: res.count = f.int; break;
    }
  });
  return res;
}

function decodeResponseOp(buf: Buffer): ResponseOp {
  const op: ResponseOp = {};
  readFields(buf, (f) => {
    if (f.field === 1) op.response_range = decodeRangeResponse(f.data);
  });
  return op;
}

/** Decodes a TxnResponse. */
export function decodeTxnResponse(buf: Buffer): TxnResponse {
  const res: TxnResponse = { header: { revision: 0 }, succeeded: false, responses: [] };
  readFields(buf, (f) => {
    switch (f.field) {
      case 1: res.header = decodeHeader(f.data); break;
      case 2: res.succeeded = f.int !== 0; break;
      case 3: res.responses.push(decodeResponseOp(f.data)); break;
    }
  });
  return res;
}

function decodeEvent(buf: Buffer): WatchEventMessage {
  const ev: WatchEventMessage = { type: 'Put', kv: decodeKeyValue(EMPTY) };
  readFields(buf, (f) => {
    switch (f.field) {
      case 1: ev.type = f.int === 1 ? 'Delete' : 'Put'; break;
      case 2: ev.kv = decodeKeyValue(f.data); break;
      case 3: ev.prev_kv = decodeKeyValue(f.data); break;
    }
  });
  return ev;
}

/** Decodes a WatchResponse. */
export function decodeWatchResponse(buf: Buffer): WatchResponse {
  const res: WatchResponse = {
    header: { revision: 0 }, watch_id: 0, created: false, canceled: false, compact_revision: 0, cancel_reason: '', events: [],
  };
  readFields(buf, (f) => {
    switch (f.field) {
      case 1: res.header = decodeHeader(f.data); break;
      case 2: res.watch_id = f.int; break;
      case 3: res.created = f.int !== 0; break;
      case 4: res.canceled = f.int !== 0; break;
      case 5: res.compact_revision = f.int; break;
      case 6: res.cancel_reason = f.data.toString('utf8'); break;
      case 11: res.events.push(decodeEvent(f.data)); break;
    }
  });
  return res;
}
