/**
 * The etcd bound of the benchmark: our etcd client (src/storage/etcd/etcd-client.ts over its own
 * gRPC client on node:http2), alone on the server's CPU, doing the etcd calls of each operation with the same
 * concurrency and a Flunder-sized value, and nothing else (no HTTP, no JSON, no admission): a
 * linearizable range of one key (get), a create transaction (compare create revision 0, put), an
 * update as src/storage/etcd/etcd-storage.ts makes it when the watch cache holds the object (one
 * transaction comparing the cached mod revision, put; no read). What it reaches is the most any server using this
 * client on one core can do against this etcd.
 * Usage: node --import tsx bench/etcd-ceiling.ts <etcd-url> <duration-ms> <warmup-ms> (prints one JSON line).
 */
import { EtcdClient } from '../src/storage/etcd/etcd-client.ts';
import { bytesPrefixEnd } from '../src/storage/etcd/etcd-keys.ts';

const [url, durationArg, warmupArg] = process.argv.slice(2);
const durationMs = Number(durationArg);
const warmupMs = Number(warmupArg);
const CONCURRENCY = 32;
const PREFIX = '/registry/extapi-bench-etcd-ceiling';
const value = Buffer.from(JSON.stringify({
  kind: 'Flunder', apiVersion: 'wardle.example.com/v1alpha1',
  metadata: { name: 'x'.repeat(12), namespace: 'bench-ops', uid: '6b1f3f2e-2c55-4d43-9a0e-0d3c8e6d6a01', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'bench' },
    managedFields: [{ manager: 'node', operation: 'Update', apiVersion: 'wardle.example.com/v1beta1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { '.': {}, 'f:reference': {}, 'f:referenceType': {} } } }] },
  spec: { reference: 'ref-x', referenceType: 'Flunder' },
}));
const client = new EtcdClient({ endpoints: [url] });
const key = (s: string) => Buffer.from(`${PREFIX}/${s}`);

/** Runs `call` in CONCURRENCY loops for warm-up then the measured duration; calls per second measured. */
async function rate(call: (worker: number, i: number) => Promise<void>): Promise<number> {
  let counting = false;
  let count = 0;
  let stop = false;
  const loop = async (w: number) => {
    for (let i = 0; !stop; i++) {
      await call(w, i);
      if (counting) count++;
    }
  };
  const loops = Array.from({ length: CONCURRENCY }, (_, w) => loop(w));
  await new Promise((r) => setTimeout(r, warmupMs));
  counting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  const seconds = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(loops);
  return count / seconds;
}

async function main(): Promise<void> {
  await client.txn('seed', { compare: [], success: [{ request_put: { key: key('get'), value } }] });
  for (let w = 0; w < CONCURRENCY; w++) await client.txn('seed', { compare: [], success: [{ request_put: { key: key(`upd-${w}`), value } }] });
  const get = await rate(async () => { await client.range('get', { key: key('get') }); });
  const run = Date.now();
  const create = await rate(async (w, i) => {
    await client.txn('create', { compare: [{ key: key(`c-${run}-${w}-${i}`), target: 'Create', result: 'Equal', create_revision: 0 }], success: [{ request_put: { key: key(`c-${run}-${w}-${i}`), value } }] });
  });
  const revisions = new Map<number, number>();
  for (let w = 0; w < CONCURRENCY; w++) revisions.set(w, (await client.range('update', { key: key(`upd-${w}`) })).kvs[0].mod_revision);
  const update = await rate(async (w) => {
    const { response } = await client.txn('update', { compare: [{ key: key(`upd-${w}`), target: 'Mod', result: 'Equal', mod_revision: revisions.get(w)! }], success: [{ request_put: { key: key(`upd-${w}`), value } }] });
    if (!response.succeeded) throw new Error('update compare failed');
    revisions.set(w, response.header.revision);
  });
  const all = Buffer.from(`${PREFIX}/`);
  await client.txn('cleanup', { compare: [], success: [{ request_delete_range: { key: all, range_end: bytesPrefixEnd(all) } }] });
  client.close();
  console.log(JSON.stringify({ get, create, update }));
}

await main();
