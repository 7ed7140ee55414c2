/** Free loopback TCP ports for the processes of one run. */
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';

/**
 * Returns `count` distinct ports that were free on 127.0.0.1 a moment ago. All are held open
 * together while picking so they never repeat; there is still a small window before the real
 * process binds, which the control plane covers by retrying on "address already in use".
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}
