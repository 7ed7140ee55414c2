/**
 * Connection abuse against a server process, each phase measured: RSS and open descriptors
 * before, at peak and after, and whether /readyz kept answering 200 throughout.
 */
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { MemoryAfterGc, ServerProcess } from './server-process.ts';
import { http1Transport, http2Transport, type Outcome } from './transport.ts';

/** The measurements of one abuse phase. */
export interface AbuseResult {
  phase: string;
  what: string;
  rss: { before: number; peak: number; after: number };
  fds: { before: number; peak: number; after: number };
  /** Heap + external memory of the server after a full GC, before the phase and after it settled. */
  retainedAfterGc: { before: number; after: number };
  readyzFailures: number;
  readyzChecks: number;
  /** What /readyz answered during the phase (status histogram; connection-level outcomes by name). */
  readyzSaw?: Record<string, number>;
  /** The slowest /readyz answer of the phase, in ms (kubelet's probes time out after 1 s by default). */
  readyzSlowestMs?: number;
  /** What other clients saw while the phase ran (status histogram of a normal list). */
  othersSaw: Record<string, number>;
  /** Connections the server closed by itself during the phase, of those opened. */
  closedByServer?: { closed: number; opened: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FLUNDERS = '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders';

/** A status, or the name of a connection-level outcome, or 'hang'. */
function outcomeKey(o: Outcome): string {
  return 'status' in o ? String(o.status) : 'error' in o ? o.error : 'hang';
}

/** Samples /readyz, a normal list, RSS and descriptors every 250 ms until stopped. */
function monitor(server: ServerProcess) {
  // as kubelet probes: a new connection for each probe
  const probe = http1Transport(server.url, server.creds, 2, false);
  const other = http2Transport(server.url, server.creds);
  let stop = false;
  const peak = { rss: 0, fds: 0 };
  const seen: Record<string, number> = {};
  const readySeen: Record<string, number> = {};
  let slowest = 0;
  let failures = 0;
  let checks = 0;
  const loop = (async () => {
    while (!stop) {
      const t0 = performance.now();
      const [ready, list] = await Promise.all([probe.send({ method: 'GET', path: '/readyz', headers: {} }).then((o) => { slowest = Math.max(slowest, performance.now() - t0); return o; }), other.send({ method: 'GET', path: `${FLUNDERS}?limit=1`, headers: {} })]);
      checks++;
      if (!('status' in ready) || ready.status !== 200) failures++;
      const readyKey = outcomeKey(ready);
      readySeen[readyKey] = (readySeen[readyKey] ?? 0) + 1;
      const key = outcomeKey(list);
      seen[key] = (seen[key] ?? 0) + 1;
      peak.rss = Math.max(peak.rss, await server.rss());
      peak.fds = Math.max(peak.fds, await server.descriptors());
      await sleep(250);
    }
  })();
  return {
    async finish() { stop = true; await loop; probe.close(); other.close(); return { peak, seen, readySeen, slowest, failures, checks }; },
  };
}

const retained = (m: MemoryAfterGc) => m.heapUsed + m.external;
/** After a phase, heap + external after GC is awaited back within this of its value before (at most SETTLE_LIMIT_MS). */
const SETTLED_TOLERANCE = 16 * 1024 * 1024;
const SETTLE_LIMIT_MS = 30_000;

async function measured(server: ServerProcess, phase: string, what: string, settleMs: number, run: () => Promise<Partial<AbuseResult> | void>): Promise<AbuseResult> {
  const retainedBefore = retained(await server.memoryAfterGc());
  const before = { rss: await server.rss(), fds: await server.descriptors() };
  const mon = monitor(server);
  const extra = (await run()) ?? {};
  await sleep(settleMs);
  const m = await mon.finish();
  // memory must come back: the server may still be finishing the phase's requests
  const settled = Date.now() + SETTLE_LIMIT_MS;
  let retainedAfter = retained(await server.memoryAfterGc());
  while (retainedAfter > retainedBefore + SETTLED_TOLERANCE && Date.now() < settled) {
    await sleep(500);
    retainedAfter = retained(await server.memoryAfterGc());
  }
  const after = { rss: await server.rss(), fds: await server.descriptors() };
  return {
    retainedAfterGc: { before: retainedBefore, after: retainedAfter },
    phase, what, rss: { before: before.rss, peak: Math.max(m.peak.rss, after.rss), after: after.rss },
    fds: { before: before.fds, peak: Math.max(m.peak.fds, after.fds), after: after.fds },
    readyzFailures: m.failures, readyzChecks: m.checks, readyzSaw: m.readySeen, readyzSlowestMs: Math.round(m.slowest), othersSaw: m.seen, ...extra,
  };
}

function tlsSocket(server: ServerProcess, alpn: string): Promise<TLSSocket> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: hostname, port: Number(port), servername: 'localhost', ALPNProtocols: [alpn], ...server.creds }, () => resolve(s));
    s.resume();
    s.on('error', reject);
  });
}

/** Waits until `isClosed` holds for all, or `ms` passed; answers how many closed. */
async function closedWithin(items: unknown[], isClosed: (x: never) => boolean, ms: number): Promise<number> {
  const end = Date.now() + ms;
  while (Date.now() < end && !items.every((x) => isClosed(x as never))) await sleep(250);
  return items.filter((x) => isClosed(x as never)).length;
}

/** `count` idle HTTP/2 sessions and `count` TLS connections that never send a request; the server must close them. */
export function idleConnections(server: ServerProcess, count: number, waitMs: number): Promise<AbuseResult> {
  return measured(server, 'idle', `${count} HTTP/2 sessions and ${count} HTTP/1.1 TLS connections that send nothing`, 1_000, async () => {
    const sessions: ClientHttp2Session[] = [];
    const sockets: TLSSocket[] = [];
    for (let i = 0; i < count; i++) {
      const s = http2Connect(server.url, server.creds);
      s.on('error', () => undefined);
      sessions.push(s);
      sockets.push(await tlsSocket(server, 'http/1.1'));
    }
    for (const s of sockets) s.on('error', () => undefined);
    const closed = await closedWithin([...sessions, ...sockets], (x: ClientHttp2Session | TLSSocket) => x.closed || x.destroyed || ('readyState' in x && x.readyState === 'closed'), waitMs);
    for (const s of sessions) s.destroy();
    for (const s of sockets) s.destroy();
    return { closedByServer: { closed, opened: 2 * count } };
  });
}

/** `count` connections that trickle one byte a second: HTTP/1.1 headers and an HTTP/2 preface. */
export function slowConnections(server: ServerProcess, count: number, waitMs: number): Promise<AbuseResult> {
  return measured(server, 'slow', `${count} HTTP/1.1 and ${count} HTTP/2 connections sending one byte per second`, 1_000, async () => {
    const sockets: TLSSocket[] = [];
    for (let i = 0; i < count; i++) {
      sockets.push(await tlsSocket(server, 'http/1.1'), await tlsSocket(server, 'h2'));
    }
    const texts = sockets.map((s) => (s.alpnProtocol === 'h2' ? 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' : `GET /readyz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(1000)}`));
    let closed = 0;
    for (const s of sockets) { s.on('error', () => undefined); s.once('close', () => { closed++; }); }
    const end = Date.now() + waitMs;
    let i = 0;
    while (Date.now() < end && closed < sockets.length) {
      for (const [k, s] of sockets.entries()) if (!s.destroyed) s.write(texts[k][i % texts[k].length]);
      i++;
      await sleep(1_000);
    }
    for (const s of sockets) s.destroy();
    return { closedByServer: { closed, opened: sockets.length } };
  });
}

/**
 * Clients that stop reading: `count` HTTP/1.1 clients that pause after asking for the big list,
 * `count` HTTP/2 clients with a flow-control window of 0 asking for it, and one HTTP/2
 * connection with window 0 opening `healthStreams` /healthz streams (issue 18, item 1).
 */
export function stalledReaders(server: ServerProcess, count: number, healthStreams: number, waitMs: number): Promise<AbuseResult> {
  return measured(server, 'stalled-reader', `${count} HTTP/1.1 clients not reading the ${FLUNDERS} list, ${count} HTTP/2 clients with window 0 asking for it, one HTTP/2 connection with window 0 and ${healthStreams} /healthz streams`, 3_000, async () => {
    const sockets: TLSSocket[] = [];
    const sessions: ClientHttp2Session[] = [];
    for (let i = 0; i < count; i++) {
      const s = await tlsSocket(server, 'http/1.1');
      s.on('error', () => undefined);
      s.write(`GET ${FLUNDERS} HTTP/1.1\r\nHost: x\r\n\r\n`);
      s.pause();
      sockets.push(s);
      const h = http2Connect(server.url, { ...server.creds, settings: { initialWindowSize: 0 } });
      h.on('error', () => undefined);
      h.request({ ':path': FLUNDERS }).on('error', () => undefined);
      sessions.push(h);
    }
    const probes = http2Connect(server.url, { ...server.creds, settings: { initialWindowSize: 0 } });
    probes.on('error', () => undefined);
    for (let i = 0; i < healthStreams; i++) probes.request({ ':path': '/healthz' }).on('error', () => undefined);
    sessions.push(probes);
    await sleep(waitMs);
    for (const s of sockets) s.destroy();
    for (const s of sessions) s.destroy();
  });
}

/** `rounds` times: `count` watches opened, then dropped by the client without a word. */
export function watchDrops(server: ServerProcess, rounds: number, count: number): Promise<AbuseResult> {
  return measured(server, 'watch-drop', `${rounds} rounds of ${count} watches opened and dropped`, 3_000, async () => {
    for (let r = 0; r < rounds; r++) {
      const sockets = await Promise.all(Array.from({ length: count }, () => tlsSocket(server, 'http/1.1')));
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => {
        s.on('error', () => resolve());
        s.once('data', () => resolve());
        // Closed without an answer (the server's header timeout on a starved machine): nothing more will come.
        s.once('close', () => resolve());
        s.write(`GET ${FLUNDERS}?watch=true HTTP/1.1\r\nHost: x\r\n\r\n`);
      })));
      for (const s of sockets) s.destroy();
    }
  });
}

/** Creates `count` flunders of about `bytes` each, so that their list is large. */
export async function seedLargeList(server: ServerProcess, count: number, bytes: number): Promise<void> {
  const t = http2Transport(server.url, server.creds);
  for (let i = 0; i < count; i++) {
    await t.send({ method: 'POST', path: FLUNDERS, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: `big-${i}` }, spec: { reference: 'x'.repeat(bytes) } }) });
  }
  t.close();
}
