/**
 * Waiting for etcd `/health` and kube-apiserver `/readyz`, failing fast — with the log tail —
 * when a process exits, and telling a port clash apart so the caller can retry.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ControlPlanePki } from './control-plane-pki.ts';
import type { ManagedProcess } from './processes.ts';

/** A process failed to become ready. */
export class StartupError extends Error {
  /** True when the log says a port was taken (retry with new ports). */
  readonly portClash: boolean;

  constructor(message: string, logTail: string) {
    super(`${message}\n--- log tail ---\n${logTail}`);
    this.name = 'StartupError';
    this.portClash = /address already in use|bind: address/i.test(logTail);
  }
}

interface Probe {
  status: number;
  body: string;
}

type ProbeFn = () => Promise<Probe>;

/** Polls `probe` every 250 ms until it returns 200, the process exits, or the deadline passes. */
async function pollReady(proc: ManagedProcess, what: string, probe: ProbeFn, deadline: number): Promise<void> {
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (proc.hasExited()) {
      throw new StartupError(`${proc.name} exited (${await proc.exited}) before ${what} was ready`, proc.logTail(40));
    }
    try {
      const r = await probe();
      if (r.status === 200) return;
      last = `HTTP ${r.status}: ${r.body.slice(-2000)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new StartupError(`${what} not ready before the deadline; last probe: ${last}`, proc.logTail(40));
}

function collect(res: import('node:http').IncomingMessage, resolve: (p: Probe) => void): void {
  let body = '';
  res.setEncoding('utf8').on('data', (d: string) => { body += d; });
  res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
}

/** Waits for etcd's `/health` on 127.0.0.1. */
export function waitForEtcdHealthy(proc: ManagedProcess, port: number, deadline: number): Promise<void> {
  const probe: ProbeFn = () => new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/health', timeout: 2000 }, (res) => collect(res, resolve));
    req.on('timeout', () => req.destroy(new Error('timeout'))).on('error', reject).end();
  });
  return pollReady(proc, 'etcd', probe, deadline);
}

/** Waits for kube-apiserver's `/readyz?verbose` on `host` (default 127.0.0.1), authenticating as the admin. */
export function waitForApiServerReady(proc: ManagedProcess, port: number, pki: ControlPlanePki, deadline: number, host = '127.0.0.1'): Promise<void> {
  const probe: ProbeFn = () => new Promise((resolve, reject) => {
    const req = httpsRequest({
      host, port, path: '/readyz?verbose', timeout: 3000,
      ca: pki.ca.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem,
    }, (res) => collect(res, resolve));
    req.on('timeout', () => req.destroy(new Error('timeout'))).on('error', reject).end();
  });
  return pollReady(proc, 'kube-apiserver /readyz', probe, deadline);
}
