import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startApiTestServer } from '../testing/api-test-server.ts';
import { widgets } from '../testing/fixtures.ts';
import { createSqliteStorage } from '../storage/sqlite.ts';

const W = '/apis/test.extapi.dev/v1/namespaces/default/widgets';

describe('one request-parsing boundary: bad input is a 4xx, never a 500 (issue 18, items 6 and 7)', () => {
  it('reads YAML tags as sigs.k8s.io/yaml does and refuses what JSON cannot hold', async () => {
    const t = await startApiTestServer([widgets]);
    try {
      const binary = await t.request('POST', W, { body: 'metadata: {name: b, labels: {x: !!binary YQ==}}\nspec: {}\n', contentType: 'application/yaml' });
      assert.equal(binary.status, 201, binary.text);
      assert.equal(binary.body.metadata.labels.x, 'a');
      const set = await t.request('POST', W, { body: 'metadata: {name: s, annotations: !!set {k}}\n', contentType: 'application/yaml' });
      assert.ok(set.status < 500, set.text);
      const inf = await t.request('POST', W, { body: 'metadata: {name: i}\nspec: {replicas: .inf}\n', contentType: 'application/yaml' });
      assert.equal(inf.status, 400, inf.text);
      assert.match(inf.body.message, /json: unsupported value: \+Inf/);
    } finally { await t.close(); }
  });

  it('type-checks DeleteOptions bodies: 400 with Go\'s words', async () => {
    const t = await startApiTestServer([widgets]);
    try {
      await t.request('POST', W, { body: { metadata: { name: 'd' } } });
      for (const [body, words] of [['{"dryRun":1}', 'cannot unmarshal number into Go struct field DeleteOptions.dryRun of type []string'],
        ['{"dryRun":{}}', 'cannot unmarshal object into Go struct field DeleteOptions.dryRun of type []string'],
        ['{"dryRun":[1]}', 'cannot unmarshal number into Go struct field DeleteOptions.dryRun of type string'],
        ['{"gracePeriodSeconds":"x"}', 'cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64'],
        ['{"preconditions":{"uid":5}}', 'cannot unmarshal number into Go struct field DeleteOptions.preconditions.uid of type string'],
        ['[]', 'cannot unmarshal array into Go value of type v1.DeleteOptions']] as const) {
        const res = await t.request('DELETE', `${W}/d`, { body });
        assert.equal(res.status, 400, body);
        assert.equal(res.body.message, `json: ${words}`);
      }
      assert.equal((await t.request('DELETE', `${W}/d`, { body: '{"dryRun":["All"]}' })).status, 200);
      assert.equal((await t.request('GET', `${W}/d`)).status, 200, 'dry run kept the object');
    } finally { await t.close(); }
  });

  it('validates limit, timeoutSeconds and resourceVersion as int64/uint64 (SQLite storage)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'extapi-parse-'));
    const t = await startApiTestServer([widgets], { storage: createSqliteStorage({ path: join(dir, 'db.sqlite') }) });
    try {
      await t.request('POST', W, { body: { metadata: { name: 'a' } } });
      const huge = await t.request('GET', `${W}?limit=9223372036854775807`);
      assert.equal(huge.status, 200, huge.text);
      assert.equal(huge.body.items.length, 1);
      const over = await t.request('GET', `${W}?limit=9223372036854775808`);
      assert.equal(over.status, 400);
      const rv = await t.request('GET', `${W}?resourceVersion=18446744073709551616`);
      assert.equal(rv.status, 400, 'beyond uint64');
      for (const large of ['9007199254740993', '18446744073709551615']) {
        const list = await t.request('GET', `${W}?resourceVersion=${large}&resourceVersionMatch=NotOlderThan`);
        assert.equal(list.status, 504, list.text);
        assert.equal(list.body.reason, 'Timeout');
        assert.match(list.body.message, new RegExp(`^Timeout: Too large resource version: ${large}, current: \\d+$`), 'the client\'s digits, exactly, as kube-apiserver prints its uint64');
      }
      const tooLarge = await t.request('GET', `${W}/a?resourceVersion=99999`);
      if (tooLarge.status === 504) assert.equal((tooLarge.body.message.match(/Too large resource version/g) ?? []).length, 1, tooLarge.body.message);
      const controller = new AbortController();
      const watch = await fetch(`${t.url}${W}?watch=true&timeoutSeconds=2147484`, { signal: controller.signal });
      const reader = watch.body!.getReader();
      await reader.read();
      const ended = await Promise.race([reader.read().then(() => 'ended'), new Promise((r) => setTimeout(() => r('open'), 500))]);
      assert.equal(ended, 'open', 'a long timeoutSeconds does not overflow into an immediate end');
      controller.abort();
    } finally { await t.close(); await rm(dir, { recursive: true, force: true }); }
  });
});
