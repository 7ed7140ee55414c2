/**
 * A live checklist: one line per step, a spinner with elapsed time while a step runs on a
 * terminal, and on a pipe or file plain lines (a "waiting" line when a step takes more than a
 * second and its message changes), so progress is visible either way.
 */
import { fitLine, type Colors, type TextStream } from './output.ts';

/** How a step ended. */
export type StepStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** A running step of the checklist. */
export interface StepHandle {
  /** Shows what the step is waiting for (e.g. an APIService condition message). */
  update(message: string): void;
  /** Ends the step with a status and a one-line result (and optionally a final title). */
  done(status: StepStatus, message?: string, title?: string): void;
}

/** The checklist a command prints its steps to. */
export interface Checklist {
  /** Starts a step; `label` is a short column such as the setup step number. */
  start(label: string, title: string): StepHandle;
  /** Prints a line of text (not a step). */
  note(text: string): void;
  /** Stops the spinner (if any). Idempotent. */
  close(): void;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const QUIET_MS = 1000;
const PIPE_REPEAT_MS = 2000;

/** The glyph of a status, coloured. */
export function statusMark(status: StepStatus, c: Colors): string {
  switch (status) {
    case 'pass': return c.green('✓');
    case 'fail': return c.red('✗');
    case 'warn': return c.yellow('!');
    case 'skip': return c.dim('-');
  }
}

/** Creates a checklist writing to `stream` (a spinner only when the stream is a TTY). */
export function createChecklist(stream: TextStream, c: Colors): Checklist {
  const interactive = stream.isTTY === true;
  let timer: NodeJS.Timeout | undefined;
  const stopTimer = () => { if (timer) clearInterval(timer); timer = undefined; };
  return {
    start(label, title) {
      stopTimer();
      const started = Date.now();
      const prefix = `${c.dim(label.padStart(2))}  ${title}`;
      let message = '';
      let frame = 0;
      let lastPrinted = 0;
      let lastPrintedMessage = '';
      const render = () => {
        const secs = (Date.now() - started) / 1000;
        const elapsed = secs >= QUIET_MS / 1000 ? c.dim(` ${secs.toFixed(0)}s`) : '';
        const line = `${c.cyan(SPINNER[frame++ % SPINNER.length])} ${prefix}${message ? c.dim(` — ${message}`) : ''}${elapsed}`;
        stream.write(`\r\u001b[2K${fitLine(line, stream.columns)}`);
      };
      if (interactive) { render(); timer = setInterval(render, 100); timer.unref(); }
      return {
        update(next) {
          message = next;
          if (interactive) return;
          const now = Date.now();
          if (now - started < QUIET_MS || now - lastPrinted < PIPE_REPEAT_MS || next === lastPrintedMessage) return;
          stream.write(`…  ${prefix} — ${next}\n`);
          lastPrinted = now;
          lastPrintedMessage = next;
        },
        done(status, result, finalTitle) {
          if (interactive) { stopTimer(); stream.write('\r\u001b[2K'); }
          const shown = finalTitle === undefined ? prefix : `${c.dim(label.padStart(2))}  ${finalTitle}`;
          const secs = (Date.now() - started) / 1000;
          const elapsed = secs >= QUIET_MS / 1000 ? c.dim(` (${secs.toFixed(1)}s)`) : '';
          stream.write(`${statusMark(status, c)} ${shown}${result ? ` — ${result}` : ''}${elapsed}\n`);
        },
      };
    },
    note(text) {
      stream.write(`${text}\n`);
    },
    close: stopTimer,
  };
}
