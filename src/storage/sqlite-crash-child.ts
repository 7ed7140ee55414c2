/**
 * Test fixture for sqlite.test.ts (not part of the library): writes to the SQLite store at
 * argv[2] in an endless loop and prints `ack <i>` after each write's promise has resolved, until
 * the parent kills it with SIGKILL. Each iteration creates `/crash/items/<i>` and updates
 * `/crash/counter` to `{ i }`. stdout writes to a pipe are synchronous on Linux, so a printed
 * ack always follows a completed write.
 */
import { createSqliteStorage } from './sqlite.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: sqlite-crash-child.ts <db path>');
const store = createSqliteStorage({ path });
for (let i = 0; ; i++) {
  await store.create(`/crash/items/${i}`, { apiVersion: 'v1', kind: 'Item', metadata: { name: String(i) }, data: { i } });
  await store.guaranteedUpdate('/crash/counter', () => ({ apiVersion: 'v1', kind: 'Counter', metadata: { name: 'counter' }, data: { i } }),
    { ignoreNotFound: true });
  process.stdout.write(`ack ${i}\n`);
}
