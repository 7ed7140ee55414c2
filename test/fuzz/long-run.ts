/**
 * The long fuzz and abuse run (issue 18): for each backend (memory, embedded SQLite, etcd) a
 * real wardle server process gets `--requests` seeded random requests over HTTP/1.1 and HTTP/2,
 * then the idle, slow, stalled-reader and watch-drop abuse phases; the report (markdown) gives
 * requests sent, status histogram, 5xx, connection errors and hangs, RSS and descriptors.
 *   npm run fuzz -- [--requests 100000] [--seed 18] [--backends memory,embedded,etcd] [--out docs/fuzz-report.md]
 * Each run also writes its measurements as `<out>.json`; backends run as separate processes (one
 * `--backends X --out X.md` each) are combined into one report with
 *   npm run fuzz -- --combine memory.md.json,embedded.md.json,etcd.md.json --out docs/fuzz-report.md
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { startEtcd, type EtcdCluster } from '../etcd/etcd-process.ts';
import { idleConnections, seedLargeList, slowConnections, stalledReaders, watchDrops, type AbuseResult } from './abuse.ts';
import { renderReport, type BackendRun } from './report.ts';
import { classifyServerErrors, runFuzz } from './run-fuzz.ts';
import { startServerProcess, type Backend } from './server-process.ts';

/**
 * The idle and header timeouts shortened from kube-apiserver's 90 s / 32 s so that the idle and
 * slow phases end in seconds; the request deadline stays kube-apiserver's default (60 s): a
 * shorter one would turn a starved machine's slow answers into 504s kube-apiserver would not give.
 */
export const FUZZ_SERVER_FLAGS = ['--idle-connection-timeout', '10', '--read-header-timeout', '10', '--max-requests-inflight', '50', '--max-mutating-requests-inflight', '50'];
/** The server's request deadline under FUZZ_SERVER_FLAGS (its default): stalled readers are reset then. */
const REQUEST_DEADLINE_MS = 60_000;

const { values } = parseArgs({ options: {
  requests: { type: 'string', default: '100000' }, seed: { type: 'string', default: '18' },
  backends: { type: 'string', default: 'memory,embedded,etcd' }, out: { type: 'string', default: 'docs/fuzz-report.md' },
  concurrency: { type: 'string', default: '16' }, combine: { type: 'string' },
} });

/** What one invocation measured: the runs and how they were made (written as `<out>.json`). */
interface RunFile {
  runs: BackendRun[];
  meta: { seed: number; requests: number; flags: string[]; commit: string };
}

async function runBackend(kind: string, requests: number, seed: number, concurrency: number): Promise<BackendRun> {
  let etcd: EtcdCluster | undefined;
  let backend: Backend = { kind: kind as 'memory' | 'embedded' };
  if (kind === 'etcd') {
    etcd = await startEtcd(1);
    backend = { kind: 'etcd', servers: etcd.endpoints.join(',') };
  }
  const server = await startServerProcess(backend, FUZZ_SERVER_FLAGS);
  try {
    const start = { rss: await server.rss(), fds: await server.descriptors() };
    console.error(`[${kind}] fuzzing ${requests} requests`);
    const stats = await runFuzz(server, seed, requests, concurrency);
    console.error(`[${kind}] ${stats.sent} sent in ${stats.seconds}s, answers ≥ 500 ${stats.serverErrorCount} (kube-apiserver's own ${JSON.stringify(stats.upstreamServerAnswers ?? {})}), hangs ${stats.hangs.length}`);
    const abuse: AbuseResult[] = [];
    abuse.push(await idleConnections(server, 125, 30_000));
    abuse.push(await slowConnections(server, 25, 30_000));
    await seedLargeList(server, 190, 100_000);
    abuse.push(await stalledReaders(server, 10, 450, REQUEST_DEADLINE_MS + 10_000));
    abuse.push(await watchDrops(server, 5, 200));
    for (const a of abuse) console.error(`[${kind}] ${a.phase}: readyz failures ${a.readyzFailures}/${a.readyzChecks}`);
    const internal = server.output().split('\n').filter((l) => /internal error|TypeError|RangeError/.test(l)).length;
    return { backend: kind, stats, abuse, start, loggedInternalErrors: internal };
  } finally {
    await server.stop();
    await etcd?.destroy();
  }
}

/**
 * The commit the run measures, marked when the work tree differs from it; FUZZ_TREE_COMMIT names
 * it instead for a tree without git (e.g. `git archive <commit>` unpacked elsewhere, so that a
 * long run is not affected by edits in the checkout).
 */
function treeCommit(): string {
  if (process.env.FUZZ_TREE_COMMIT) return process.env.FUZZ_TREE_COMMIT;
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes)' : ''}`;
}

async function measure(): Promise<RunFile> {
  const runs: BackendRun[] = [];
  for (const kind of values.backends!.split(',')) runs.push(await runBackend(kind, Number(values.requests), Number(values.seed), Number(values.concurrency)));
  const file: RunFile = { runs, meta: { seed: Number(values.seed), requests: Number(values.requests), flags: FUZZ_SERVER_FLAGS, commit: treeCommit() } };
  await writeFile(`${values.out!}.json`, JSON.stringify(file));
  return file;
}

async function combine(paths: string[]): Promise<RunFile> {
  const files = await Promise.all(paths.map(async (p) => JSON.parse(await readFile(p, 'utf8')) as RunFile));
  const commits = new Set(files.map((f) => f.meta.commit));
  if (commits.size !== 1) throw new Error(`the runs measured different trees: ${[...commits].join(', ')}`);
  return { runs: files.flatMap((f) => f.runs), meta: files[0].meta };
}

const { runs, meta } = values.combine ? await combine(values.combine.split(',')) : await measure();
await writeFile(values.out!, renderReport(runs, meta));
console.error(`report written to ${values.out}`);
process.exit(runs.every((r) => classifyServerErrors(r.stats).other === 0 && r.stats.hangs.length === 0) ? 0 : 1);
