import type { KubeObject, WatchEvent } from '../../apimachinery/types.ts';
import { isStatusError, type StatusError } from '../../errors/status-error.ts';
import { toStatusError } from '../../registry/storage-errors.ts';
import type { Watcher } from '../../rest/interfaces.ts';
import { ListPager } from '../list-pages.ts';
import { parseListQuery, parseRevision, type ParsedListQuery } from '../list-options.ts';
import { negotiate, type Representation } from '../negotiation.ts';
import { scopeNamespace, toRequestVersion, type RequestScope } from '../scope.ts';
import { parseIncludeObject, partialObjectMetadata, tableColumns, tableRow } from '../table.ts';

/** How often a watch with allowWatchBookmarks gets a BOOKMARK (kube-apiserver: about a minute). */
export const BOOKMARK_INTERVAL_MS = 60_000;

/**
 * A watch (`?watch=true` or `/watch/` paths): 200 and a stream of JSON events, one per line.
 * RV unset or "0": ADDED for every current object first; RV=N: every change after N;
 * sendInitialEvents=true: the initial ADDED events then a BOOKMARK annotated
 * `k8s.io/initial-events-end: "true"`. A compacted RV answers an ERROR event with a 410 Expired
 * Status, as kube-apiserver does. Selectors filter: objects that stop matching are DELETED.
 */
export async function handleWatch(scope: RequestScope<Watcher>): Promise<void> {
  const representation = negotiate(scope.req.headers.accept, false);
  const namespace = scopeNamespace(scope);
  const query = parseListQuery(scope.query, scope.resource, namespace, true);
  const encode = eventEncoder(scope, representation);
  const controller = new AbortController();
  // Read for every event a watch sends: a plain flag, not the signal's getter.
  let stopped = false;
  const onClose = () => {
    stopped = true;
    controller.abort();
  };
  scope.ended.signal.addEventListener('abort', onClose, { once: true });
  const timeoutMs = (query.timeoutSeconds ?? 1800 + Math.floor(Math.random() * 1800)) * 1000;
  const timer = setTimeout(onClose, timeoutMs);
  scope.res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  (scope.res as { flushHeaders?: () => void }).flushHeaders?.();
  /** Writes `event`: its encoded size, and whether the client can take more now (false: drain first, or the watch ended). */
  const write = (event: WatchEvent): Written => {
    if (stopped) return { bytes: 0, ok: false };
    const text = encode(event);
    return { bytes: text.length, ok: (scope.res as NodeJS.WritableStream).write(text) };
  };
  try {
    await streamEvents(scope, query, namespace, controller.signal, write);
  } catch (err) {
    const status = toStatusError(err, { group: scope.resource.group, resource: scope.resource.plural }, '', 'watch');
    if (isStatusError(status)) write({ type: 'ERROR', object: (status as StatusError).toStatus() as unknown as KubeObject });
    else console.error('watch failed:', err);
  } finally {
    clearTimeout(timer);
    scope.ended.signal.removeEventListener('abort', onClose);
    stopped = true;
    controller.abort();
    if (!scope.res.writableEnded) scope.res.end();
  }
}

/** What writing one event did: its encoded size, and whether the client can take more now. */
interface Written {
  bytes: number;
  ok: boolean;
}

/**
 * Waits until `res` can take more (its buffer drained), or the watch ended: a client that reads
 * slowly slows its watch down instead of making the server buffer every event for it.
 */
function drained(res: RequestScope['res'], signal: AbortSignal): Promise<void> {
  if (signal.aborted || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); signal.removeEventListener('abort', done); resolve(); };
    res.once('drain', done);
    res.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

async function streamEvents(scope: RequestScope<Watcher>, query: ParsedListQuery, namespace: string | undefined, signal: AbortSignal, write: (e: WatchEvent) => Written): Promise<void> {
  const matched = new Map<string, KubeObject>();
  const initial = query.sendInitialEvents ?? (query.resourceVersion === '' || query.resourceVersion === '0');
  let from: number;
  if (initial) {
    const minRv = query.resourceVersion && query.resourceVersion !== '0' ? parseRevision(query.resourceVersion) : undefined;
    const pager = await ListPager.open(scope.rest, namespace, { predicate: query.storage.predicate, resourceVersion: minRv, match: minRv ? 'NotOlderThan' : undefined });
    for await (const obj of pager.objects(signal)) {
      if (query.storage.predicate) matched.set(obj.metadata.uid!, obj);
      const written = write({ type: 'ADDED', object: obj });
      pager.consumed(written.bytes);
      if (!written.ok) await drained(scope.res, signal);
    }
    if (signal.aborted) return;
    from = pager.resourceVersion;
    if (query.sendInitialEvents && query.allowWatchBookmarks) {
      write({ type: 'BOOKMARK', object: bookmarkObject(from, true) });
    }
  } else {
    from = parseRevision(query.resourceVersion);
    if (query.storage.predicate) await seedMatched(scope, namespace, query, from, matched, signal);
  }
  const bookmarks = query.allowWatchBookmarks ? startBookmarks(scope.rest, signal, write) : undefined;
  try {
    for await (const event of scope.rest.watch(namespace, scope.info.name || undefined, { fromRevision: from, signal })) {
      const filtered = filterEvent(event, query.storage.predicate, matched);
      if (filtered && !write(filtered).ok) await drained(scope.res, signal);
    }
  } finally {
    if (bookmarks) clearInterval(bookmarks);
  }
}

/**
 * For a filtered watch from resourceVersion N: remembers which objects matched at N, so that one
 * of them leaving the selector is sent as DELETED (kube-apiserver knows from the previous object).
 */
async function seedMatched(scope: RequestScope<Watcher>, namespace: string | undefined, query: ParsedListQuery, from: number, matched: Map<string, KubeObject>, signal: AbortSignal): Promise<void> {
  const pager = await ListPager.open(scope.rest, namespace, { predicate: query.storage.predicate, resourceVersion: from, match: 'Exact' });
  for await (const obj of pager.objects(signal)) matched.set(obj.metadata.uid!, obj);
}

/**
 * Applies a selector to a storage event, turning (un)matching transitions into ADDED/DELETED as
 * kube-apiserver's cacher does: an object leaving the selector is DELETED carrying its last
 * matching state, with the resourceVersion of the change. Without a selector, events pass as they are.
 */
function filterEvent(event: WatchEvent, predicate: ((o: KubeObject) => boolean) | undefined, matched: Map<string, KubeObject>): WatchEvent | null {
  if (!predicate) return event;
  const uid = event.object.metadata.uid!;
  const previous = matched.get(uid);
  if (event.type === 'DELETED') {
    matched.delete(uid);
    return previous || predicate(event.object) ? event : null;
  }
  const now = predicate(event.object);
  if (now) matched.set(uid, event.object); else matched.delete(uid);
  if (now) return { type: previous ? 'MODIFIED' : 'ADDED', object: event.object };
  if (!previous) return null;
  const last = { ...previous, metadata: { ...previous.metadata, resourceVersion: event.object.metadata.resourceVersion } };
  return { type: 'DELETED', object: last };
}

function startBookmarks(source: Pick<Watcher, 'currentRevision'>, signal: AbortSignal, write: (e: WatchEvent) => unknown): NodeJS.Timeout {
  const timer = setInterval(() => {
    if (signal.aborted) return;
    source.currentRevision().then((rv) => write({ type: 'BOOKMARK', object: bookmarkObject(rv, false) }), () => undefined);
  }, BOOKMARK_INTERVAL_MS);
  timer.unref();
  return timer;
}

function bookmarkObject(rv: number, initialEventsEnd: boolean): KubeObject {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(rv) };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return { metadata };
}

/** Encoded event lines of shared (frozen) event objects, by event type and apiVersion: see eventEncoder. */
const sharedLines = new WeakMap<KubeObject, Map<string, Buffer>>();

/**
 * Encodes watch events as JSON lines. An event whose object is shared between watches (frozen,
 * from the watch cache) is encoded once per type and apiVersion and the line is reused by every
 * watch that sends it in full form (serialise once); the version's `fromStorage` is a function of
 * the object alone, so the line is the same for each of them. That line is kept as UTF-8 bytes,
 * so each watch writes the same buffer instead of encoding the string again. Tables and
 * metadata-only events are encoded per watch.
 */
function eventEncoder(scope: RequestScope<unknown>, representation: Representation): (e: WatchEvent) => string | Buffer {
  const encode = eventLineEncoder(scope, representation);
  if (representation.kind !== 'object') return encode;
  // The cache keys of this watch, built once (not once per event).
  const keys = new Map<string, string>();
  return (event) => {
    if (!Object.isFrozen(event.object)) return encode(event);
    let lines = sharedLines.get(event.object);
    if (!lines) sharedLines.set(event.object, lines = new Map());
    let key = keys.get(event.type);
    if (key === undefined) keys.set(event.type, key = `${event.type} ${scope.codec.apiVersion}`);
    let line = lines.get(key);
    if (line === undefined) lines.set(key, line = Buffer.from(encode(event)));
    return line;
  };
}

function eventLineEncoder(scope: RequestScope<unknown>, representation: Representation): (e: WatchEvent) => string {
  let first = true;
  const include = representation.kind === 'table' ? parseIncludeObject(scope.query.get('includeObject')) : 'Metadata';
  const { defs, paths, types } = tableColumns(scope.codec.version);
  return (event) => {
    if (event.type === 'ERROR') return `${JSON.stringify(event)}\n`;
    const obj = toRequestVersion(scope, event.object);
    if (event.type === 'BOOKMARK') obj.metadata = event.object.metadata;
    let payload: unknown = obj;
    if (representation.kind === 'partial') payload = partialObjectMetadata(obj, representation.version);
    else if (representation.kind === 'table' && event.type !== 'BOOKMARK') {
      const table: Record<string, unknown> = { kind: 'Table', apiVersion: `meta.k8s.io/${representation.version}`, metadata: { resourceVersion: obj.metadata.resourceVersion } };
      if (first) table.columnDefinitions = defs;
      table.rows = [tableRow(obj, paths, include, representation.version, types)];
      payload = table;
      first = false;
    }
    return `${JSON.stringify({ type: event.type, object: payload })}\n`;
  };
}
