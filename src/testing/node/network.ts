/**
 * The network of a test node: a Linux bridge the harness creates (its address is both the node IP
 * and kube-apiserver's bind address), a pod range on it, and a service range routed to it so that
 * no packet for a ClusterIP ever takes the default route. Pods get a route to the service range
 * only — no default route — so they reach the bridge, the host and each other, nothing else.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { host, linkExists, tryHost } from './host.ts';

/** Addresses of one node cluster's network; `index` keeps concurrent clusters apart. */
export interface NodeNetwork {
  index: number;
  bridge: string;
  /** Bridge address: node IP, kube-apiserver's bind address, pods' gateway. */
  gateway: string;
  podCidr: string;
  serviceCidr: string;
}

/** The addresses of network number `index` (1-250). */
export function nodeNetwork(index: number): NodeNetwork {
  return {
    index, bridge: `extapi-br${index}`,
    gateway: `10.123.${index}.1`, podCidr: `10.123.${index}.0/24`, serviceCidr: `10.124.${index}.0/24`,
  };
}

/**
 * Creates the bridge of the first free network number (creating the link is the lock: it fails
 * when another cluster holds that number), gives it the gateway address and routes the service
 * range to it.
 */
export function createNodeNetwork(): NodeNetwork {
  const start = (process.pid % 200) + 1;
  for (let i = 0; i < 250; i++) {
    const net = nodeNetwork(((start + i - 1) % 250) + 1);
    if (linkExists(net.bridge)) continue;
    if (tryHost('ip', ['link', 'add', 'name', net.bridge, 'type', 'bridge']) === undefined) continue;
    try {
      host('ip', ['addr', 'add', `${net.gateway}/24`, 'dev', net.bridge]);
      host('ip', ['link', 'set', net.bridge, 'up']);
      host('ip', ['route', 'replace', net.serviceCidr, 'dev', net.bridge, 'src', net.gateway]);
      return net;
    } catch (err) {
      removeNodeNetwork(net);
      throw err;
    }
  }
  throw new Error('no free network number for a test node (bridges extapi-br1..250 all exist)');
}

/** Deletes the bridge (its routes go with it). Idempotent. */
export function removeNodeNetwork(net: NodeNetwork): void {
  if (linkExists(net.bridge)) tryHost('ip', ['link', 'delete', net.bridge]);
}

/** Writes the CNI config (bridge + host-local + loopback) into `confDir`. */
export async function writeCniConfig(confDir: string, net: NodeNetwork, stateDir: string): Promise<void> {
  const config = {
    cniVersion: '1.0.0', name: `extapi-${net.index}`,
    plugins: [{
      type: 'bridge', bridge: net.bridge, isGateway: true, ipMasq: false, hairpinMode: true,
      ipam: {
        type: 'host-local', dataDir: join(stateDir, 'cni-ipam'),
        ranges: [[{ subnet: net.podCidr, gateway: net.gateway }]],
        routes: [{ dst: net.serviceCidr, gw: net.gateway }],
      },
    }],
  };
  await writeFile(join(confDir, '10-extapi.conflist'), JSON.stringify(config, null, 2));
}
