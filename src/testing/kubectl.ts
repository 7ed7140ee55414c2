/** Running the kubectl built next to kube-apiserver, always with an explicit kubeconfig and cache dir. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The result of one kubectl invocation. */
export interface KubectlResult {
  /** Exit code (-1 when killed by a signal or timeout). */
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for one kubectl call. */
export interface KubectlCallOptions {
  /** Written to kubectl's stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  /** Kill after this many ms (default 60 s). */
  timeoutMs?: number;
  /** Use this kubeconfig instead of the admin one. */
  kubeconfig?: string;
}

/** Where a kubectl runs: binary dir, default kubeconfig and discovery cache dir. */
export interface KubectlTarget {
  binDir: string;
  kubeconfig: string;
  cacheDir: string;
}

/**
 * Runs `kubectl --kubeconfig <k> --cache-dir <c> ...args` and collects its output. The
 * environment's KUBECONFIG is removed so nothing but the given file is ever read.
 */
export function runKubectl(target: KubectlTarget, args: string[], opts: KubectlCallOptions = {}): Promise<KubectlResult> {
  const env = { ...process.env };
  delete env.KUBECONFIG;
  const full = ['--kubeconfig', opts.kubeconfig ?? target.kubeconfig, '--cache-dir', target.cacheDir, ...args];
  const child = spawn(join(target.binDir, 'kubectl'), full, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.stdin.on('error', () => { /* kubectl may exit before reading stdin */ });
  child.stdin.end(opts.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
