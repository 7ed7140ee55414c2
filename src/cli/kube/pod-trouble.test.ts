import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podTroubleFix } from './pod-trouble.ts';

test('a missing Secret is named by its volume: the serving Secret, the etcd client Secret, any other', () => {
  const fix = (message: string) => podTroubleFix('FailedMount', message, 'wardle', 'api-1', '');
  assert.match(fix('MountVolume.SetUp failed for volume "serving-cert" : secret "api-serving-cert" not found'), /^the serving Secret is missing: rerun `extapi deploy`/);
  assert.equal(fix('MountVolume.SetUp failed for volume "etcd-client" : secret "etcd-tls" not found'),
    'the etcd client Secret etcd-tls is missing: create it in namespace wardle with ca.crt, tls.crt and tls.key (see --etcd-secret); the pod then starts by itself');
  assert.equal(fix('MountVolume.SetUp failed for volume "extra" : secret "mine" not found'),
    'Secret mine (volume extra) is missing: create it in namespace wardle; the pod then starts by itself');
});
