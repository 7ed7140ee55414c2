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

/** A kubectl that keeps running (`get -w`, a followed `get --raw`), read while it runs. */
export interface KubectlStream {
  /** Everything printed to stdout so far. */
  stdout(): string;
  /** Resolves with stdout once it matches `pattern`; rejects after `timeoutMs` or when kubectl exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Kills kubectl (the client leaves) and resolves with what it printed. */
  stop(): Promise<KubectlResult>;
}

/** Starts `kubectl ...args` like runKubectl, without waiting for it to end; see KubectlStream. */
export function startKubectl(target: KubectlTarget, args: string[], opts: Pick<KubectlCallOptions, 'kubeconfig'> = {}): KubectlStream {
  const env = { ...process.env };
  delete env.KUBECONFIG;
  const child = spawn(join(target.binDir, 'kubectl'), ['--kubeconfig', opts.kubeconfig ?? target.kubeconfig, '--cache-dir', target.cacheDir, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const closed = new Promise<KubectlResult>((resolve) => child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  return {
    stdout: () => stdout,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stdout)) {
        if (child.exitCode !== null) throw new Error(`kubectl ${args.join(' ')} exited (${child.exitCode}) before printing ${pattern}: ${stdout}${stderr}`);
        if (Date.now() > deadline) throw new Error(`kubectl ${args.join(' ')} did not print ${pattern} in ${timeoutMs} ms: ${stdout}${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return stdout;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGKILL');
      return closed;
    },
  };
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
