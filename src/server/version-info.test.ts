import assert from 'node:assert/strict';
import { test } from 'node:test';
import { versionInfo } from './version-info.ts';

test('version.Info: the fields with a meaning for extapi, unstamped defaults as Kubernetes has them, platform in Go spelling', () => {
  const info = versionInfo();
  assert.deepEqual(Object.keys(info).sort(), ['buildDate', 'compiler', 'gitCommit', 'gitTreeState', 'gitVersion', 'major', 'minor', 'platform']);
  assert.equal(info.gitCommit, '$Format:%H$');
  assert.equal(info.buildDate, '1970-01-01T00:00:00Z');
  assert.equal(info.compiler, 'node');
  assert.match(info.platform, /^[a-z]+\/(amd64|arm64|386|arm|ppc64le|s390x|[a-z0-9]+)$/);
  if (process.arch === 'x64') assert.equal(info.platform.split('/')[1], 'amd64');
});

test('version.Info: the server\'s version option stamps fields over the defaults', () => {
  const info = versionInfo({ gitVersion: 'v2.3.4', gitCommit: 'abc123', gitTreeState: 'clean' });
  assert.equal(info.gitVersion, 'v2.3.4');
  assert.equal(info.gitCommit, 'abc123');
  assert.equal(info.gitTreeState, 'clean');
  assert.equal(info.major, '0');
});
