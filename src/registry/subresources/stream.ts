import type { StreamDefinition } from '../../resource/user-code.ts';
import type { ConnectRequest, Connecter, Getter, Rest } from '../../rest/interfaces.ts';

/**
 * A streaming subresource (like pods/log) over the user's `stream` function: GET reads the parent
 * (404 when absent), answers 200 and writes each chunk as it is produced (waiting for the client
 * to drain), until the iterator ends or the client leaves (then the iterator is closed).
 */
export class StreamRest implements Rest, Connecter {
  readonly resource;
  readonly connectMethods = ['GET'] as const;

  constructor(private readonly parent: Getter & Rest, private readonly definition: StreamDefinition) {
    this.resource = parent.resource;
  }

  /** Streams the chunks of `definition.stream` to the client. */
  async connect({ namespace, name, query, user, res, signal }: ConnectRequest): Promise<void> {
    const object = await this.parent.get(namespace, name);
    const current = () => this.parent.get(namespace, name);
    const chunks = this.definition.stream({ object, current, query, user, signal })[Symbol.asyncIterator]();
    const first = await chunks.next();
    res.writeHead(200, { 'content-type': this.definition.contentType ?? 'text/plain; charset=utf-8', 'cache-control': 'no-cache, private', 'x-content-type-options': 'nosniff' });
    (res as { flushHeaders?: () => void }).flushHeaders?.();
    const out = res as NodeJS.WritableStream;
    try {
      for (let next = first; !next.done && !signal.aborted; next = await chunks.next()) {
        if (!out.write(next.value)) await new Promise<void>((resolve) => { out.once('drain', resolve); signal.addEventListener('abort', () => resolve(), { once: true }); });
      }
    } finally {
      await chunks.return?.();
      if (!res.writableEnded) res.end();
    }
  }
}
