/** Runs seeded random requests against a server process and tallies what came back. */
import { Random } from './random.ts';
import { generateRequest, type FuzzRequest } from './requests.ts';
import type { ServerProcess } from './server-process.ts';
import { http1Transport, http2Transport, sendRaw, type Outcome, type Transport } from './transport.ts';

/** The tally of a fuzz run. */
export interface FuzzStats {
  sent: number;
  byProtocol: Record<string, number>;
  statuses: Record<string, number>;
  /** Answers ≥ 500, with the request that got each and the start of the answer's body (first 20). */
  serverErrors: { status: number; request: FuzzRequest; body?: string; protocol: string; index: number }[];
  serverErrorCount: number;
  /** Of those, the answers kube-apiserver gives to the same request ({@link upstreamServerAnswer}), by kind. */
  upstreamServerAnswers?: Record<string, number>;
  /** Connection-level outcomes by name (first request of each kept as an example). */
  connectionErrors: Record<string, { count: number; example: FuzzRequest }>;
  hangs: FuzzRequest[];
  seconds: number;
}

/**
 * The kind of an answer ≥ 500 that kube-apiserver gives to the same request, or undefined for
 * any other: a resourceVersion newer than the store's is 504 Timeout "Too large resource
 * version: N, current: M" with N > M (checked against kube-apiserver in
 * test/e2e/wardle-aggregated.e2e.test.ts); a health endpoint whose storage check failed (etcd
 * not answering in time, on a starved machine) is 500 with the failed check listed, as
 * kube-apiserver's /healthz and /readyz answer when its etcd check fails.
 */
export function upstreamServerAnswer(status: number, body: string | undefined): string | undefined {
  const tooLarge = /"message":"(?:Timeout: )?Too large resource version: (\d+), current: (\d+)","reason":"Timeout"/.exec(body ?? '');
  if (status === 504 && tooLarge && BigInt(tooLarge[1]) > BigInt(tooLarge[2])) return '504 Too large resource version';
  if (status === 500 && /^\[\+\]ping ok\n(.*\n)*\[-\]storage failed: reason withheld\n(.*\n)*(healthz|readyz|livez) check failed/.test(body ?? '')) return '500 health check: storage did not answer in time';
  return undefined;
}

/**
 * The answers ≥ 500 of `stats` split into kube-apiserver's own (by kind) and the others. A tally
 * without per-kind counts (written before they were kept) is classified from its first 20
 * answers; any beyond those count as others.
 */
export function classifyServerErrors(stats: FuzzStats): { upstream: Record<string, number>; other: number } {
  let upstream = stats.upstreamServerAnswers;
  if (!upstream) {
    upstream = {};
    for (const e of stats.serverErrors) {
      const kind = upstreamServerAnswer(e.status, e.body);
      if (kind) upstream[kind] = (upstream[kind] ?? 0) + 1;
    }
  }
  return { upstream, other: stats.serverErrorCount - Object.values(upstream).reduce((n, c) => n + c, 0) };
}

/** Sends `requests` requests generated from `seed`, alternating HTTP/1.1 and HTTP/2, `concurrency` at once. */
export async function runFuzz(server: ServerProcess, seed: number, requests: number, concurrency = 16): Promise<FuzzStats> {
  const rng = new Random(seed);
  const stats: FuzzStats = { sent: 0, byProtocol: {}, statuses: {}, serverErrors: [], serverErrorCount: 0, connectionErrors: {}, hangs: [], seconds: 0 };
  const h1 = http1Transport(server.url, server.creds, concurrency);
  const h2: Transport[] = [http2Transport(server.url, server.creds), http2Transport(server.url, server.creds)];
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const i = next++;
      const req = generateRequest(rng);
      const protocol = req.raw ? 'raw HTTP/1.1' : i % 2 === 0 ? 'HTTP/1.1' : 'HTTP/2';
      const transport = protocol === 'HTTP/1.1' ? h1 : h2[i % 4 === 1 ? 0 : 1];
      const outcome: Outcome = req.raw ? await sendRaw(server.url, server.creds, req) : await transport.send(req);
      if ('status' in outcome && outcome.status >= 500 && req.method === 'HEAD' && !req.raw) {
        // A HEAD answer has no body: the same request as GET says what the answer was.
        const asGet = await transport.send({ ...req, method: 'GET' });
        if ('status' in asGet && asGet.status === outcome.status) outcome.body = asGet.body;
      }
      stats.sent++;
      if (stats.sent % 10_000 === 0) console.error(`${stats.sent} sent, ${Math.round(stats.sent / ((Date.now() - started) / 1000))}/s`);
      stats.byProtocol[protocol] = (stats.byProtocol[protocol] ?? 0) + 1;
      if ('status' in outcome) {
        stats.statuses[outcome.status] = (stats.statuses[outcome.status] ?? 0) + 1;
        if (outcome.status >= 500) {
          stats.serverErrorCount++;
          const upstream = upstreamServerAnswer(outcome.status, outcome.body);
          if (upstream) (stats.upstreamServerAnswers ??= {})[upstream] = (stats.upstreamServerAnswers[upstream] ?? 0) + 1;
          if (stats.serverErrors.length < 20) {
            stats.serverErrors.push({ status: outcome.status, request: req, body: outcome.body, protocol, index: i });
            console.error(`answer ${outcome.status} to request #${i} (${protocol}) ${req.method} ${req.path.slice(0, 160)}: ${(outcome.body ?? '').slice(0, 300)}`);
          }
        }
      } else if ('error' in outcome) {
        const key = `${protocol}: ${outcome.error}`;
        stats.connectionErrors[key] ??= { count: 0, example: req };
        stats.connectionErrors[key].count++;
      } else stats.hangs.push(req);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  h1.close();
  for (const t of h2) t.close();
  stats.seconds = (Date.now() - started) / 1000;
  return stats;
}
