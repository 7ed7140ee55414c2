import type { KubeClient } from './client.ts';

/** A cluster object as an informer keeps it. */
export interface InformedObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  [key: string]: unknown;
}

/**
 * A list-then-watch cache of one collection of kube-apiserver (e.g.
 * `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations`): relists when the
 * watch ends with an error or expires, keyed by namespace/name. `onChange` runs after every change.
 */
export class Informer<T extends InformedObject> {
  private readonly items = new Map<string, T>();
  private readonly client: KubeClient;
  private readonly path: string;
  private readonly abort = new AbortController();
  private readonly onChange: () => void;
  private synced = false;
  private lastError = '';

  constructor(client: KubeClient, path: string, onChange: () => void = () => undefined) {
    this.client = client;
    this.path = path;
    this.onChange = onChange;
  }

  /** Lists, then watches until stop(); resolves after the first list attempt (retried in the background on failure). */
  async start(): Promise<void> {
    const rv = await this.relist().catch((err: Error) => { this.lastError = err.message; return ''; });
    void this.watchLoop(rv);
  }

  /** Stops watching. */
  stop(): void { this.abort.abort(); }

  /** Throws (for a readiness check) until the collection was listed once. */
  checkSynced(): void {
    if (!this.synced) throw new Error(`${this.path} not listed yet${this.lastError ? `: ${this.lastError}` : ''}`);
  }

  /** Every object known now. */
  list(): T[] { return [...this.items.values()]; }

  private key(obj: T): string {
    return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
  }

  private async relist(): Promise<string> {
    const list = await this.client.request<{ items?: T[]; metadata?: { resourceVersion?: string } }>('GET', this.path);
    this.items.clear();
    for (const item of list.items ?? []) this.items.set(this.key(item), item);
    this.synced = true;
    this.onChange();
    return list.metadata?.resourceVersion ?? '';
  }

  private async watchLoop(rv: string): Promise<void> {
    while (!this.abort.signal.aborted) {
      let expired = false;
      try {
        if (!this.synced) rv = await this.relist();
        await this.client.watch(this.path, { resourceVersion: rv, allowWatchBookmarks: 'true', timeoutSeconds: '300' }, (event) => {
          if (event.type === 'ERROR') { expired = true; return; }
          const obj = event.object as T;
          if (obj?.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
          if (event.type === 'DELETED') this.items.delete(this.key(obj));
          else if (event.type === 'ADDED' || event.type === 'MODIFIED') this.items.set(this.key(obj), obj);
          else return;
          this.onChange();
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
