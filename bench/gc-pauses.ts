/**
 * Garbage-collector pauses of a Node process started with `--trace-gc`, read from the lines its
 * log gained over a window (V8 writes each line as the collection ends). Through the aggregator
 * this shows how long the server under test stood still while requests waited on it.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** GC pauses over a window. */
export interface GcPauses {
  /** Share of the window the process was paused by its collector (0–1). */
  pausedShare: number;
  /** Its longest single pause, milliseconds. */
  longestMs: number;
  /** Full (mark-compact) collections in the window. */
  majorCount: number;
}

/** One `--trace-gc` line: kind and main-thread pause ("Scavenge 131.0 (153.7) -> 120.9 (155.2) MB, 10.39 / 0.00 ms ..."). */
const TRACE_LINE = /\bms: (Scavenge|Mark-Compact|Mark-Sweep|Mark-sweep|Minor Mark-Sweep)[^,]*?MB, ([\d.]+) \/ [\d.]+ ms/;

/** The pauses of the `--trace-gc` lines in `text` over a window of `windowMs`. */
export function gcPausesOf(text: string, windowMs: number): GcPauses {
  let total = 0;
  let longestMs = 0;
  let majorCount = 0;
  for (const line of text.split('\n')) {
    const m = TRACE_LINE.exec(line);
    if (!m) continue;
    const pause = Number(m[2]);
    total += pause;
    longestMs = Math.max(longestMs, pause);
    if (m[1].startsWith('Mark-')) majorCount++;
  }
  return { pausedShare: total / windowMs, longestMs, majorCount };
}

/** Starts a window over the log at `logPath`; `end()` returns the pauses logged since the start. */
export function startGcWindow(logPath: string): { end(): GcPauses } {
  const from = statSync(logPath).size;
  const t0 = performance.now();
  return {
    end() {
      const windowMs = performance.now() - t0;
      const to = statSync(logPath).size;
      const buf = Buffer.alloc(Math.max(0, to - from));
      const fd = openSync(logPath, 'r');
      try {
        readSync(fd, buf, 0, buf.length, from);
      } finally {
        closeSync(fd);
      }
      return gcPausesOf(buf.toString('utf8'), windowMs);
    },
  };
}
