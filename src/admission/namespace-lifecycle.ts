import { StatusError, forbidden, notFound } from '../errors/status-error.ts';
import type { KubeClient } from '../kube/client.ts';
import type { AdmissionPlugin } from './types.ts';

/** What the plugin knows of one namespace. */
interface NamespaceState {
  terminating: boolean;
  labels: Record<string, string>;
  /** The Namespace as kube-apiserver served it (admission policies' `namespaceObject`). */
  object: NamespaceObject;
}

/** A Namespace object of the cluster. */
export interface NamespaceObject {
  metadata?: { name?: string; deletionTimestamp?: string; labels?: Record<string, string>; [key: string]: unknown };
  status?: { phase?: string; [key: string]: unknown };
  [key: string]: unknown;
}

function stateOf(ns: NamespaceObject): NamespaceState {
  return { terminating: ns.status?.phase === 'Terminating' || !!ns.metadata?.deletionTimestamp, labels: ns.metadata?.labels ?? {}, object: ns };
}

/**
 * kube-apiserver's NamespaceLifecycle for an extension server: no object is created in a
 * namespace that does not exist (404 `namespaces "x" not found`) or is being deleted (403 `...
 * unable to create new content in namespace x because it is being terminated`). Namespaces are
 * read from a watch of the cluster's namespaces; a namespace not seen yet is looked up once
 * directly, so a namespace created a moment ago is not refused.
 */
export class NamespaceLifecycle implements AdmissionPlugin {
  readonly name = 'NamespaceLifecycle';
  private readonly known = new Map<string, NamespaceState>();
  private readonly client: KubeClient;
  private readonly abort = new AbortController();
  private synced = false;
  private lastError = '';

  constructor(client: KubeClient) {
    this.client = client;
  }

  /** Lists namespaces, then watches them until stop(); resolves after the first list attempt (retried in the background on failure). */
  async start(): Promise<void> {
    const rv = await this.relist().catch((err: Error) => { this.lastError = err.message; return ''; });
    void this.watchLoop(rv);
  }

  /** Stops watching. */
  stop(): void { this.abort.abort(); }

  /** Throws (for a readiness check) until namespaces were listed once. */
  checkSynced(): void {
    if (!this.synced) throw new Error(`namespaces not listed yet${this.lastError ? `: ${this.lastError}` : ''}`);
  }

  async validate(_obj: unknown, _old: unknown, ctx: Parameters<NonNullable<AdmissionPlugin['validate']>>[2], resource: Parameters<NonNullable<AdmissionPlugin['validate']>>[3]): Promise<void> {
    if (ctx.operation !== 'CREATE' || !resource.namespaced || !ctx.namespace) return;
    let state = this.known.get(ctx.namespace);
    if (!state) state = await this.lookup(ctx.namespace);
    if (!state) throw notFound({ group: '', resource: 'namespaces' }, ctx.namespace);
    if (state.terminating) {
      const err = forbidden({ group: resource.group, resource: resource.plural }, ctx.name ?? '', `unable to create new content in namespace ${ctx.namespace} because it is being terminated`);
      throw new StatusError(err.code, err.reason, err.message, { ...err.details, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ctx.namespace} is being terminated`, field: 'metadata.namespace' }] });
    }
  }

  /** The labels of a namespace (for webhooks' namespaceSelector); undefined when it does not exist. */
  readonly labels = async (name: string): Promise<Record<string, string> | undefined> => (this.known.get(name) ?? await this.lookup(name))?.labels;

  /** The Namespace object (for admission policies' `namespaceObject`); undefined when it does not exist. */
  readonly object = async (name: string): Promise<NamespaceObject | undefined> => (this.known.get(name) ?? await this.lookup(name))?.object;

  private async lookup(name: string): Promise<NamespaceState | undefined> {
    const ns = await this.client.getOrNull<NamespaceObject>(`/api/v1/namespaces/${encodeURIComponent(name)}`);
    if (!ns) return undefined;
    const state = stateOf(ns);
    this.known.set(name, state);
    return state;
  }

  private async relist(): Promise<string> {
    const list = await this.client.request('GET', '/api/v1/namespaces');
    this.known.clear();
    for (const ns of list.items ?? []) this.remember(ns);
    this.synced = true;
    return list.metadata?.resourceVersion ?? '';
  }

  private remember(ns: NamespaceObject): void {
    if (!ns.metadata?.name) return;
    this.known.set(ns.metadata.name, stateOf(ns));
  }

  private async watchLoop(rv: string): Promise<void> {
    while (!this.abort.signal.aborted) {
      let expired = false;
      try {
        if (!this.synced) rv = await this.relist();
        await this.client.watch('/api/v1/namespaces', { resourceVersion: rv, allowWatchBookmarks: 'true', timeoutSeconds: '300' }, (event) => {
          if (event.type === 'ERROR') { expired = true; return; }
          if (event.object?.metadata?.resourceVersion) rv = event.object.metadata.resourceVersion;
          if (event.type === 'DELETED') this.known.delete(event.object?.metadata?.name);
          else if (event.type === 'ADDED' || event.type === 'MODIFIED') this.remember(event.object);
        }, this.abort.signal);
      } catch (err) {
        this.lastError = (err as Error).message;
        expired = true;
      }
      if (this.abort.signal.aborted) return;
      if (expired) {
        await new Promise((r) => setTimeout(r, 1000).unref());
        rv = await this.relist().catch(() => rv);
      }
    }
  }
}
