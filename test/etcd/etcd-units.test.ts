import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, WatchEvent } from '../../src/apimachinery/types.ts';
import { encodeObject } from '../../src/storage/object-codec.ts';
import { isStorageError } from '../../src/storage/interface.ts';
import { settleCreate, settleDelete, settleUpdate } from '../../src/storage/etcd/ambiguous-writes.ts';
import type { HistoryReader } from '../../src/storage/etcd/ambiguous-writes.ts';
import { isCompactedError, isNotAppliedError, isTransientError } from '../../src/storage/etcd/etcd-errors.ts';
import { KeySpace, bytesPrefixEnd } from '../../src/storage/etcd/etcd-keys.ts';
import { toWatchEvent } from '../../src/storage/etcd/etcd-watch.ts';
import type { KeyValue, WatchEventMessage } from '../../src/storage/etcd/wire/etcd-messages.ts';
import { GrpcError, GrpcStatus } from '../../src/storage/etcd/wire/grpc.ts';

/** The etcd backend's pure parts, without an etcd. */

const obj = (v: number): KubeObject => ({ apiVersion: 'v1', kind: 'Item', metadata: { name: 'a', namespace: 'ns', uid: 'u' }, data: { v } });
const withRv = (o: KubeObject, rev: number): KubeObject => ({ ...o, metadata: { ...o.metadata, resourceVersion: String(rev) } });

function kv(key: string, value: string, mod: number, create: number): KeyValue {
  return { key: Buffer.from(key), value: Buffer.from(value), mod_revision: mod, create_revision: create, version: 1, lease: 0 };
}

function history(events: Record<number, WatchEvent | undefined>, values: Record<number, string> = {}): HistoryReader {
  return {
    firstEventAfter: async (_key, rev) => events[rev],
    valueAt: async (_key, rev) => values[rev],
  };
}

describe('etcd keys', () => {
  it('maps Storage keys under the prefix and computes prefix range ends on bytes', () => {
    const keys = new KeySpace('/registry/');
    assert.equal(keys.prefix, '/registry');
    assert.equal(keys.etcdKey('/g/r/ns/x').toString(), '/registry/g/r/ns/x');
    assert.equal(keys.storageKey(keys.etcdKey('/g/r/ns/ü')), '/g/r/ns/ü');
    assert.deepEqual(keys.range('/g/r/'), { key: Buffer.from('/registry/g/r/'), range_end: Buffer.from('/registry/g/r0') });
    assert.deepEqual(keys.range('/g/r/ns/x'), { key: Buffer.from('/registry/g/r/ns/x') });
    assert.deepEqual(bytesPrefixEnd(Buffer.from([0x61, 0xff, 0xff])), Buffer.from([0x62]));
    assert.deepEqual(bytesPrefixEnd(Buffer.from([0xff])), Buffer.from([0]));
    assert.equal(new KeySpace().prefix, '/registry');
  });
});

describe('etcd watch events', () => {
  const keys = new KeySpace('/p');
  it('maps puts to ADDED/MODIFIED and deletes to DELETED with the last state at the deletion revision', () => {
    const v1 = encodeObject(obj(1));
    const put: WatchEventMessage = { type: 'Put', kv: kv('/p/g/r/ns/a', v1, 5, 5), prev_kv: undefined as unknown as KeyValue };
    assert.deepEqual(toWatchEvent(keys, put), { type: 'ADDED', object: withRv(obj(1), 5) });
    assert.deepEqual(toWatchEvent(keys, { ...put, kv: kv('/p/g/r/ns/a', v1, 7, 5) }), { type: 'MODIFIED', object: withRv(obj(1), 7) });
    const del: WatchEventMessage = { type: 'Delete', kv: kv('/p/g/r/ns/a', '', 9, 0), prev_kv: kv('/p/g/r/ns/a', v1, 7, 5) };
    assert.deepEqual(toWatchEvent(keys, del), { type: 'DELETED', object: withRv(obj(1), 9) });
  });

  it('a delete without its previous value (compacted away) is ResourceVersionTooOld', () => {
    const del = { type: 'Delete', kv: kv('/p/g/r/ns/a', '', 9, 0), prev_kv: null } as unknown as WatchEventMessage;
    assert.throws(() => toWatchEvent(keys, del), (err) => isStorageError(err, 'ResourceVersionTooOld'));
  });
});

describe('etcd error classification', () => {
  it('tells transient, certainly-not-applied and compaction errors apart', () => {
    const refused = new GrpcError(GrpcStatus.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1', true);
    const dropped = new GrpcError(GrpcStatus.UNAVAILABLE, 'Connection dropped');
    const deadline = new GrpcError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded after 1000 ms');
    const noLeader = new GrpcError(GrpcStatus.UNAVAILABLE, 'etcdserver: no leader');
    const compacted = new GrpcError(11, 'etcdserver: mvcc: required revision has been compacted');
    assert.deepEqual([refused, dropped, deadline, noLeader, compacted].map(isTransientError), [true, true, true, true, false]);
    assert.deepEqual([refused, dropped, deadline, noLeader].map(isNotAppliedError), [true, false, false, true]);
    assert.equal(isCompactedError(compacted), true);
  });
});

describe('settling ambiguous writes', () => {
  const mine = encodeObject(obj(2));
  const theirs = encodeObject(obj(3));
  const put = (o: KubeObject, rev: number): WatchEvent => ({ type: 'MODIFIED', object: withRv(o, rev) });

  it('update: another value first means retry; our value first cannot be told from a twin', async () => {
    assert.equal(await settleUpdate(history({ 4: put(obj(3), 5) }), 'k', 4, mine), undefined);
    assert.equal(await settleUpdate(history({ 4: { type: 'DELETED', object: withRv(obj(1), 5) } }), 'k', 4, mine), undefined);
    for (const h of [history({ 4: put(obj(2), 5) }), history({})]) {
      await assert.rejects(settleUpdate(h, 'k', 4, mine), (err) => isStorageError(err, 'Unavailable') && /may or may not/.test(err.message));
    }
  });

  it('create: ours when the key\'s incarnation was created with our value', async () => {
    assert.equal(await settleCreate(history({}), 'k', mine, { value: mine, modRev: 6, createRev: 6 }), 6);
    assert.equal(await settleCreate(history({}), 'k', mine, { value: theirs, modRev: 6, createRev: 6 }), undefined);
    assert.equal(await settleCreate(history({}, { 6: mine }), 'k', mine, { value: theirs, modRev: 8, createRev: 6 }), 6);
    assert.equal(await settleCreate(history({}), 'k', mine, null), undefined);
  });

  it('delete: done when the first write after the version deleted it', async () => {
    assert.equal(await settleDelete(history({ 4: { type: 'DELETED', object: withRv(obj(1), 5) } }), 'k', 4), 5);
    assert.equal(await settleDelete(history({ 4: put(obj(3), 5) }), 'k', 4), undefined);
  });
});
