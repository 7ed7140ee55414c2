import type { HttpResponse } from '../endpoints/http.ts';

/** A named health check: resolves when healthy, throws (with a reason) when not. */
export interface HealthCheck {
  name: string;
  check: () => Promise<void> | void;
}

/**
 * Serves `/healthz`, `/livez`, `/readyz` (and `/<endpoint>/<check>`) as kube-apiserver does:
 * 200 `ok`, or with `?verbose` one `[+]name ok` / `[-]name failed: reason withheld` line per check
 * and a closing `<endpoint> check passed|failed`; 500 when any check fails.
 */
export async function serveHealth(res: HttpResponse, endpoint: string, checks: HealthCheck[], only: string | undefined, verbose: boolean, excluded: string[]): Promise<boolean> {
  const selected = only ? checks.filter((c) => c.name === only) : checks.filter((c) => !excluded.includes(c.name));
  if (only && selected.length === 0) return false;
  const results = await Promise.all(selected.map(async (c) => {
    try { await c.check(); return { name: c.name, ok: true, reason: '' }; } catch (err) { return { name: c.name, ok: false, reason: (err as Error).message }; }
  }));
  const failed = results.filter((r) => !r.ok);
  const lines = results.map((r) => (r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`));
  for (const name of excluded) if (!only && checks.some((c) => c.name === name)) lines.push(`[+]${name} excluded: ok`);
  let body: string;
  if (failed.length > 0) {
    body = `${lines.join('\n')}\n${endpoint} check failed\n`;
    for (const f of failed) console.error(`${endpoint} check "${f.name}" failed: ${f.reason}`);
  } else body = verbose ? `${lines.join('\n')}\n${endpoint} check passed\n` : 'ok';
  res.writeHead(failed.length > 0 ? 500 : 200, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache, private' });
  res.end(body);
  return true;
}
