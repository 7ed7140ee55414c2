/**
 * A process that owns a node cluster and does nothing else: it starts one (not detached, so the
 * owner-death watchdog guards it), prints the path of its state.json on stdout, then waits to be
 * killed. node-cluster.e2e.test.ts SIGKILLs it and checks that the watchdog tore everything down.
 */
import { join } from 'node:path';
import { startNodeCluster } from '../../src/testing/node/node-cluster.ts';

const cluster = await startNodeCluster();
process.stdout.write(`${join(cluster.state.dir, 'state.json')}\n`);
setInterval(() => { /* owned until killed */ }, 60_000);
