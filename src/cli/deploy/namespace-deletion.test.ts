import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError, type KubeClient } from '../../kube/client.ts';
import { blockingApiServices } from '../doctor/checks-cluster.ts';
import { toActionableError } from '../errors.ts';
import { waitUntilNamespaceUsable } from './namespace-deletion.ts';

/** A client whose namespace GET answers the next object of `answers` (the last one repeats). */
function namespaceClient(answers: Array<unknown>): KubeClient {
  let i = 0;
  return {
    server: 'https://127.0.0.1:6443', contextName: 'test',
    async request() { throw new Error('unused'); },
    async getOrNull() { return (answers[Math.min(i++, answers.length - 1)] ?? null) as never; },
    async watch() { /* unused */ },
  };
}

const terminating = {
  metadata: { name: 'wardle', deletionTimestamp: '2026-01-01T00:00:00Z' },
  status: { phase: 'Terminating', conditions: [{ type: 'NamespaceContentRemaining', status: 'True', message: 'Some resources are remaining: pods. has 1 resource instances' }] },
};

test('a namespace being deleted is waited for, with a line saying so, until it is gone', async () => {
  const lines: string[] = [];
  const r = await waitUntilNamespaceUsable(namespaceClient([terminating, terminating, null]), 'wardle', {
    wait: true, deadline: Date.now() + 60_000, onWait: (m) => lines.push(m),
  });
  assert.equal(r, 'deleted');
  assert.deepEqual(lines, ['namespace wardle is being deleted; waiting for the deletion to finish (NamespaceContentRemaining: Some resources are remaining: pods. has 1 resource instances)']);
});

test('an Active or absent namespace is usable at once', async () => {
  assert.equal(await waitUntilNamespaceUsable(namespaceClient([{ metadata: { name: 'wardle' } }]), 'wardle', { wait: true, deadline: 0, onWait: () => assert.fail() }), 'usable');
  assert.equal(await waitUntilNamespaceUsable(namespaceClient([null]), 'wardle', { wait: true, deadline: 0, onWait: () => assert.fail() }), 'usable');
});

test('without waiting (or at the deadline) deploy refuses in one sentence, no permission hint', async () => {
  await assert.rejects(waitUntilNamespaceUsable(namespaceClient([terminating]), 'wardle', { wait: false, deadline: Date.now() + 60_000, onWait: () => undefined }), (err: Error) => {
    assert.match(err.message, /^namespace wardle is being deleted \(NamespaceContentRemaining: .*\); wait for the deletion to finish \(`extapi doctor -n wardle` names what blocks it\), then rerun `extapi deploy`$/);
    assert.doesNotMatch(err.message, /permission|admin/);
    return true;
  });
});

test('kube-apiserver\'s 403 for a terminating namespace becomes the namespace sentence, not a permission hint', () => {
  const err = new KubeApiError(403, 'secrets "api-serving-cert" is forbidden: unable to create new content in namespace wardle because it is being terminated');
  const e = toActionableError(err);
  assert.match(e.message, /^namespace wardle is being deleted, so nothing can be created in it; wait for the deletion to finish/);
  assert.doesNotMatch(e.message, /permission|cluster admin/);
});

test('the APIServices blocking a namespace deletion are read from the namespace controller\'s condition', () => {
  const message = 'Discovery failed for some groups, 2 failing: unable to retrieve the complete list of server APIs: wardle.example.com/v1alpha1: stale GroupVersion discovery: wardle.example.com/v1alpha1, wardle.example.com/v1beta1: stale GroupVersion discovery: wardle.example.com/v1beta1';
  assert.deepEqual(blockingApiServices(message), [
    { groupVersion: 'wardle.example.com/v1alpha1', apiService: 'v1alpha1.wardle.example.com' },
    { groupVersion: 'wardle.example.com/v1beta1', apiService: 'v1beta1.wardle.example.com' },
  ]);
  assert.deepEqual(blockingApiServices('Some resources are remaining: pods. has 1 resource instances'), []);
});
