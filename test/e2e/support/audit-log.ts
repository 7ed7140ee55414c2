/** Reading audit logs (JSON lines) in tests: ours and the test kube-apiserver's. */
import { readFile } from 'node:fs/promises';
import type { AuditEvent } from '../../../src/audit/index.ts';

/** Every event in a JSON-lines audit log (none when the file does not exist yet). */
export async function readAuditLog(path: string): Promise<AuditEvent[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as AuditEvent);
}

/** Polls `path` until an event satisfies `match`; throws with what the log holds after `timeoutMs`. */
export async function waitForAuditEvent(path: string, match: (e: AuditEvent) => boolean, timeoutMs = 20_000): Promise<AuditEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await readAuditLog(path)).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching audit event in ${path} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
