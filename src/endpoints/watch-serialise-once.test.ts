import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resourceKeys } from '../registry/keys.ts';
import { defineResource } from '../resource/define-resource.ts';
import { withWatchCache } from '../storage/cache/watch-cache.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import { startApiTestServer, type ApiTestServer } from '../testing/api-test-server.ts';
import { readEvents } from '../testing/watch-stream.ts';

const schema = { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } };
let conversions = 0;
const widgets = defineResource({
  group: 'g.example.com', kind: 'Widget', plural: 'widgets', namespaced: true,
  versions: [
    { name: 'v1', storage: true, schema },
    { name: 'v2', schema, toStorage: (o) => o, fromStorage: (o) => { conversions++; return o; } },
  ],
});
const V1 = '/apis/g.example.com/v1/namespaces/default/widgets';
const V2 = '/apis/g.example.com/v2/namespaces/default/widgets';

/** The raw JSON lines of a watch, once `count` lines arrived. */
async function lines(res: Response, count: number): Promise<string[]> {
  const reader = res.body!.getReader();
  let text = '';
  while (text.split('\n').length <= count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  return text.split('\n').slice(0, count);
}

describe('watch events behind the watch cache are serialised once', () => {
  let t: ApiTestServer;
  before(async () => {
    const keys = resourceKeys(widgets);
    const storage = withWatchCache(createMemoryStorage({ historyRevisions: 1000 }), { resources: [{ prefix: keys.prefix(), keyOf: keys.keyOf }] });
    t = await startApiTestServer([widgets], { storage });
  });
  after(async () => { await t.close(); });

  it('encodes one write once for all watches of a version, whatever its selector, and separately per version', async () => {
    const start = (await t.request('GET', V1)).body.metadata.resourceVersion;
    const v2Watches = await Promise.all([0, 1, 2].map(() => fetch(`${t.url}${V2}?watch=true&resourceVersion=${start}`)));
    const v1Watch = await fetch(`${t.url}${V1}?watch=true&resourceVersion=${start}`);
    const selected = await fetch(`${t.url}${V2}?watch=true&resourceVersion=${start}&labelSelector=team%3Da`);
    conversions = 0;
    const created = await t.request('POST', V1, { body: { metadata: { name: 'w', labels: { team: 'a' } }, spec: { size: 3 } } });
    assert.equal(created.status, 201);
    const v2Lines = await Promise.all(v2Watches.map((res) => lines(res, 1)));
    const [v1Line] = await lines(v1Watch, 1);
    const [selectedEvent] = await readEvents(selected, 1);
    assert.equal(new Set(v2Lines.map(([l]) => l)).size, 1, 'the three v2 watches sent the same line');
    const v2Event = JSON.parse(v2Lines[0][0]);
    assert.equal(v2Event.type, 'ADDED');
    assert.equal(v2Event.object.apiVersion, 'g.example.com/v2');
    assert.equal(v2Event.object.metadata.resourceVersion, created.body.metadata.resourceVersion);
    assert.equal(JSON.parse(v1Line).object.apiVersion, 'g.example.com/v1');
    assert.deepEqual(selectedEvent, v2Event, 'a selector watch sends the same event');
    // once for the four v2 watches (the selector watch passes the same ADDED event on); per watch, it would be 4
    assert.equal(conversions, 1);
  });

  it('still lets an object read after the event be changed by its reader (reads are not the shared copy)', async () => {
    const got = await t.request('GET', `${V1}/w`);
    const updated = await t.request('PUT', `${V1}/w`, { body: { ...got.body, spec: { size: 4 } } });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.spec.size, 4);
  });
});
