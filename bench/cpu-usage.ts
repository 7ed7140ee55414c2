/**
 * Where the CPU went during a measurement: how busy each CPU of the machine was (from /proc/stat)
 * and how much CPU named processes used, all their threads included (from /proc/PID/stat), over a
 * window. Through the aggregator this shows which core bounds a line: kube-apiserver, the load
 * generator and etcd share the load generator's CPU, the server under test has its own.
 */
import { readFileSync } from 'node:fs';

/** CPU use over a window, as fractions of one core (1 = one core busy the whole window). */
export interface CpuShare {
  /** Busy fraction of each CPU, by CPU number (time stolen by the hypervisor is not counted as busy). */
  cpus: number[];
  /** Cores used by each named process. */
  processes: Record<string, number>;
}

const TICKS_PER_SECOND = 100;

function cpuTicks(): Array<{ busy: number; total: number }> {
  return readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d/.test(l)).map((line) => {
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    // user nice system idle iowait irq softirq steal: busy is what ran here, not idle, I/O wait or time the hypervisor took.
    return { busy: total - f[3] - f[4] - f[7], total };
  });
}

/** utime + stime of a process in ticks (NaN when it is gone). */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

/** Starts a window over `pids` (name → pid); `end()` returns the CPU use since the start. */
export function startCpuWindow(pids: Record<string, number>): { end(): CpuShare } {
  const t0 = performance.now();
  const cpus0 = cpuTicks();
  const procs0 = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processTicks(pid)]));
  return {
    end() {
      const seconds = (performance.now() - t0) / 1000;
      const cpus = cpuTicks().map((c, i) => (c.busy - cpus0[i].busy) / Math.max(1, c.total - cpus0[i].total));
      const processes = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, (processTicks(pid) - procs0[name]) / TICKS_PER_SECOND / seconds]));
      return { cpus, processes };
    },
  };
}

/** Calls etcd's KV service has answered so far (its /metrics counter, every method and code). */
export async function etcdKvCalls(etcdUrl: string): Promise<number> {
  const text = await (await fetch(`${etcdUrl}/metrics`)).text();
  let calls = 0;
  for (const m of text.matchAll(/^grpc_server_handled_total\{[^}]*grpc_service="etcdserverpb\.KV"[^}]*\} (\d+)/gm)) calls += Number(m[1]);
  return calls;
}
