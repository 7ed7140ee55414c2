/**
 * Host commands a test node needs (root): `ip` for the bridge and routes, `nft` for kube-proxy's
 * tables, sysctls kubelet and the CNI bridge plugin change, and the mounts, cgroups and processes a
 * node leaves behind — found by the cluster directory, so teardown touches only its own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs a host command; returns stdout, throws with its stderr on failure. */
export function host(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** Like {@link host} but returns undefined instead of throwing. */
export function tryHost(command: string, args: string[]): string | undefined {
  try { return host(command, args); } catch { return undefined; }
}

/** The sysctls a node changes on the host (kubelet's kernel tunables, the bridge plugin's forwarding). */
export const NODE_SYSCTLS = [
  'vm/overcommit_memory', 'vm/panic_on_oom', 'kernel/panic', 'kernel/panic_on_oops', 'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes', 'net/ipv4/ip_forward', 'net/ipv4/conf/all/route_localnet',
  'net/ipv4/conf/all/forwarding', 'net/ipv6/conf/all/forwarding', 'net/bridge/bridge-nf-call-iptables',
];

/** Current values of {@link NODE_SYSCTLS} that exist on this host. */
export function readSysctls(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of NODE_SYSCTLS) {
    const path = join('/proc/sys', key);
    if (existsSync(path)) out[key] = readFileSync(path, 'utf8').trim();
  }
  return out;
}

/** Writes back every saved sysctl whose value changed; returns the keys it restored. */
export function restoreSysctls(saved: Record<string, string>): string[] {
  const restored: string[] = [];
  const now = readSysctls();
  for (const [key, value] of Object.entries(saved)) {
    if (now[key] === value) continue;
    try { writeFileSync(join('/proc/sys', key), value); restored.push(key); } catch { /* read-only here: reported by the leftovers check */ }
  }
  return restored;
}

/** Mount points (from /proc/self/mountinfo) under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const points = lines.map((l) => l.split(' ')[4]).filter((p): p is string => !!p)
    .map((p) => p.replace(/\\040/g, ' '))
    .filter((p) => p === dir || p.startsWith(dir + '/'));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything under `dir` (lazily, deepest first, repeated for stacked mounts). */
export function unmountUnder(dir: string): void {
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(dir);
    if (points.length === 0) return;
    for (const p of points) tryHost('umount', ['-l', p]);
  }
}

/** This process and its ancestors (a `cluster:down --dir X` and its npm/npx parents mention X too). */
function selfAndAncestors(): Set<number> {
  const out = new Set<number>();
  let pid = process.pid;
  while (pid > 1 && !out.has(pid)) {
    out.add(pid);
    try {
      pid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
    } catch { break; }
  }
  return out;
}

/** PIDs of processes whose command line mentions `needle` (except this process, its ancestors and watchdogs). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  const mine = selfAndAncestors();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || mine.has(Number(entry))) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(needle) && !cmd.includes('extapi-watchdog')) pids.push(Number(entry));
    } catch { /* gone */ }
  }
  return pids;
}

/** The cgroup v1 controller hierarchies and the v2 mount (dirs under /sys/fs/cgroup). */
export function cgroupHierarchies(): string[] {
  const base = '/sys/fs/cgroup';
  if (!existsSync(base)) return [];
  if (existsSync(join(base, 'cgroup.controllers'))) return [base];
  return readdirSync(base).map((d) => join(base, d)).filter((d) => existsSync(join(d, 'cgroup.procs')));
}

/** Existing cgroup directories named `name` directly under each hierarchy. */
export function cgroupsNamed(name: string): string[] {
  return cgroupHierarchies().map((h) => join(h, name)).filter((d) => existsSync(d));
}

/** Creates cgroup `name` in every hierarchy (kubelet's --cgroup-root must exist). */
export function createCgroup(name: string): void {
  for (const h of cgroupHierarchies()) {
    const dir = join(h, name);
    if (!existsSync(dir)) host('mkdir', [dir]);
  }
}

/** Removes a cgroup tree bottom-up (rmdir only: cgroups with processes stay and are reported). */
export function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeCgroupTree(join(dir, entry.name));
  }
  try { rmdirSync(dir); } catch { /* busy: reported by the leftovers check */ }
}

/** True when a network link of this name exists. */
export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** Names of the nftables tables `family name` that exist. */
export function nftTables(): string[] {
  const out = tryHost('nft', ['list', 'tables']) ?? '';
  return out.split('\n').map((l) => l.replace(/^table /, '').trim()).filter(Boolean);
}
