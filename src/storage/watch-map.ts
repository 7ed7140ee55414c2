import type { WatchEvent } from '../apimachinery/types.ts';

/** A change applied to each event of a watch (e.g. decoding objects to the storage version). */
export type EventMap = (event: WatchEvent) => WatchEvent;

/**
 * A watch that applies an EventMap itself, as it produces each event (the watch cache's): no
 * extra promise per event, which counts when one write fans out to a thousand watches.
 */
export interface MappableWatch extends AsyncIterable<WatchEvent> {
  /** This watch (not yet iterated) with `map` applied to each of its events. */
  withEventMap(map: EventMap): AsyncIterable<WatchEvent>;
}

function isMappable(source: AsyncIterable<WatchEvent>): source is MappableWatch {
  return typeof (source as Partial<MappableWatch>).withEventMap === 'function';
}

/**
 * `source` with `map` applied to each event. A MappableWatch applies it itself; any other watch
 * is wrapped in a plain iterator (no async generator). A `map` that throws ends `source` and
 * rejects that next().
 */
export function mapWatchEvents(source: AsyncIterable<WatchEvent>, map: EventMap): AsyncIterable<WatchEvent> {
  if (isMappable(source)) return source.withEventMap(map);
  return {
    [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
      const it = source[Symbol.asyncIterator]();
      const step = (r: IteratorResult<WatchEvent>): IteratorResult<WatchEvent> => {
        if (r.done) return r;
        try {
          return { value: map(r.value), done: false };
        } catch (err) {
          void it.return?.();
          throw err;
        }
      };
      return {
        next: () => it.next().then(step),
        return: () => it.return?.() ?? Promise.resolve({ value: undefined, done: true }),
      };
    },
  };
}
