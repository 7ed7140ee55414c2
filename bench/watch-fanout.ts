/**
 * Watch fan-out: N watchers on one namespace (streams spread over HTTP/2 connections, 100 per
 * connection), then a series of writes to one object; for each write, the time from just before
 * the write is sent to the moment the last watcher has received its event.
 */
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import { constants } from 'node:http2';
import { openSessions, send, type Endpoint } from './loadgen.ts';

const PATH = '/apis/wardle.example.com/v1beta1/namespaces/bench-watch/flunders';
const STREAMS_PER_SESSION = 100;

/** Fan-out figures in milliseconds (medians over the writes). */
export interface FanoutResult {
  watchers: number;
  writes: number;
  /** Write → last watcher, median over writes. */
  lastMs: number;
  /** Write → last watcher, worst write. */
  worstMs: number;
  /** Write → median watcher, median over writes. */
  medianMs: number;
  /** Writes where some watcher never got the event within the timeout. */
  missed: number;
}

interface Watcher {
  stream: ClientHttp2Stream;
  buffer: string;
  onEvent: (text: string) => void;
}

function openWatcher(session: ClientHttp2Session, onEvent: (text: string) => void): Watcher {
  const stream = session.request({ [constants.HTTP2_HEADER_PATH]: `${PATH}?watch=true`, accept: 'application/json' });
  const w: Watcher = { stream, buffer: '', onEvent };
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    w.buffer += chunk;
    let nl: number;
    while ((nl = w.buffer.indexOf('\n')) >= 0) {
      const line = w.buffer.slice(0, nl);
      w.buffer = w.buffer.slice(nl + 1);
      if (line) w.onEvent(line);
    }
  });
  stream.on('error', () => undefined);
  return w;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };

/** Runs one fan-out measurement with `watchers` watchers and `writes` writes; `whenOpen` runs once every watcher is open (e.g. to sample memory). */
export async function fanout(ep: Endpoint, watchers: number, writes: number, whenOpen?: () => void): Promise<FanoutResult> {
  const sessions = await openSessions(ep, Math.ceil(watchers / STREAMS_PER_SESSION));
  let writer: ClientHttp2Session | undefined;
  let expect = '';
  let arrivals: number[] = [];
  let ready = 0;
  const list: Watcher[] = [];
  for (let i = 0; i < watchers; i++) {
    let seenInitial = false;
    list.push(openWatcher(sessions[Math.floor(i / STREAMS_PER_SESSION)], (line) => {
      if (!seenInitial) { seenInitial = true; ready++; return; }
      if (expect && line.includes(expect)) arrivals.push(performance.now());
    }));
  }
  try {
    await until(() => ready === watchers, 60_000 + 30 * watchers, `${watchers} watchers to receive their initial event`);
    whenOpen?.();
    const lasts: number[] = [];
    const medians: number[] = [];
    let missed = 0;
    for (let k = 0; k < writes; k++) {
      const seq = `${Date.now()}-${k}`;
      expect = `"seq":"${seq}"`;
      arrivals = [];
      const t0 = performance.now();
      if (!writer || writer.destroyed || writer.closed) [writer] = await openSessions(ep, 1);
      const res = await send(writer, { method: 'PATCH', path: `${PATH}/fan`, contentType: 'application/merge-patch+json', body: JSON.stringify({ metadata: { labels: { seq } } }) }, false);
      if (res.status !== 200) throw new Error(`fan-out write: ${res.status} ${res.body}`);
      const complete = await until(() => arrivals.length >= watchers, 15_000, '').then(() => true, () => false);
      if (!complete) missed++;
      if (arrivals.length) {
        lasts.push(Math.max(...arrivals) - t0);
        medians.push(median(arrivals) - t0);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    return { watchers, writes, lastMs: median(lasts), worstMs: lasts.length ? Math.max(...lasts) : NaN, medianMs: median(medians), missed };
  } finally {
    for (const w of list) w.stream.close();
    for (const s of [...sessions, ...(writer ? [writer] : [])]) s.close();
  }
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
