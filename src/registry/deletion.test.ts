import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../apimachinery/types.ts';
import { finalizersForGarbageCollection, finishesDeletion, markAsDeleting } from './deletion.ts';

const obj = (finalizers?: string[], extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({ metadata: { name: 'x', finalizers, ...extra } });

describe('garbage-collection finalizers of a delete (upstream deletionFinalizersForGarbageCollection)', () => {
  it('options decide first: orphanDependents over propagationPolicy, other finalizers kept in place', () => {
    assert.deepEqual(finalizersForGarbageCollection(obj(['a/b']), { propagationPolicy: 'Foreground' }, 'DeleteDependents'), { changed: true, finalizers: ['a/b', 'foregroundDeletion'] });
    assert.deepEqual(finalizersForGarbageCollection(obj(['foregroundDeletion', 'a/b']), { propagationPolicy: 'Orphan' }, 'DeleteDependents'), { changed: true, finalizers: ['a/b', 'orphan'] });
    assert.deepEqual(finalizersForGarbageCollection(obj(['orphan']), { orphanDependents: false }, 'DeleteDependents'), { changed: true, finalizers: [] });
    assert.deepEqual(finalizersForGarbageCollection(obj(), { orphanDependents: true }, 'DeleteDependents'), { changed: true, finalizers: ['orphan'] });
    assert.deepEqual(finalizersForGarbageCollection(obj(['orphan']), { propagationPolicy: 'Background' }, 'OrphanDependents'), { changed: true, finalizers: [] });
  });

  it('without options the object\'s own finalizer, then the resource default, decide', () => {
    assert.deepEqual(finalizersForGarbageCollection(obj(['foregroundDeletion']), {}, 'OrphanDependents'), { changed: false, finalizers: ['foregroundDeletion'] });
    assert.deepEqual(finalizersForGarbageCollection(obj(), {}, 'OrphanDependents'), { changed: true, finalizers: ['orphan'] });
    assert.deepEqual(finalizersForGarbageCollection(obj(), {}, 'DeleteDependents'), { changed: false, finalizers: [] });
  });

  it('Unsupported never adds them, and removes those present', () => {
    assert.deepEqual(finalizersForGarbageCollection(obj(), { propagationPolicy: 'Foreground' }, 'Unsupported'), { changed: false, finalizers: [] });
    assert.deepEqual(finalizersForGarbageCollection(obj(['orphan', 'a/b']), { orphanDependents: true }, 'Unsupported'), { changed: true, finalizers: ['a/b'] });
  });

  it('the same set in another order is no change', () => {
    assert.deepEqual(finalizersForGarbageCollection(obj(['orphan', 'a/b']), { propagationPolicy: 'Orphan' }, 'DeleteDependents'), { changed: false, finalizers: ['orphan', 'a/b'] });
  });
});

describe('markAsDeleting and finishesDeletion', () => {
  it('bumps generation and sets the timestamp once; grace period 0', () => {
    const o = obj(['a/b'], { generation: 3 });
    markAsDeleting(o);
    const first = o.metadata.deletionTimestamp;
    assert.equal(o.metadata.generation, 4);
    assert.equal(o.metadata.deletionGracePeriodSeconds, 0);
    assert.match(first!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    o.metadata.deletionTimestamp = '2020-01-01T00:00:00Z';
    markAsDeleting(o);
    assert.equal(o.metadata.generation, 4);
    assert.equal(o.metadata.deletionTimestamp, '2020-01-01T00:00:00Z');
  });

  it('an update finishes a deletion only when no finalizer is left on a marked object without grace period', () => {
    const marked = obj(['a/b'], { deletionTimestamp: '2020-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 });
    assert.equal(finishesDeletion(obj([]), marked), true);
    assert.equal(finishesDeletion(obj(['a/b']), marked), false);
    assert.equal(finishesDeletion(obj([]), obj(['a/b'])), false);
    assert.equal(finishesDeletion(obj([]), obj(['a/b'], { deletionTimestamp: '2020-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 })), false);
  });
});
