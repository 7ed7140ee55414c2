import type { KubeClient } from '../../kube/client.ts';
import { DEFAULT_REQUEST_HEADERS, type RequestHeaderConfig } from '../request-header.ts';

/** What `kube-system/extension-apiserver-authentication` tells an extension server. */
export interface DelegatedAuthenticationConfig {
  /** client-ca-file: the CA of client certificates kube-apiserver accepts. */
  clientCaPem?: string;
  /** The front-proxy settings; undefined when the ConfigMap has no requestheader-client-ca-file. */
  requestHeader?: RequestHeaderConfig;
  /** The ConfigMap's resourceVersion. */
  resourceVersion: string;
}

/** Where the configuration is read from (tests may point at a ConfigMap of their own). */
export interface ConfigMapRef {
  namespace: string;
  name: string;
}

/** The ConfigMap kube-apiserver publishes for extension servers. */
export const EXTENSION_APISERVER_AUTHENTICATION: ConfigMapRef = { namespace: 'kube-system', name: 'extension-apiserver-authentication' };

/** Parses the ConfigMap's data (JSON-array strings for the lists), as k8s.io/apiserver reads it. */
export function parseAuthenticationConfigMap(data: Record<string, string> | undefined, resourceVersion = ''): DelegatedAuthenticationConfig {
  const d = data ?? {};
  const list = (key: string, fallback: string[]): string[] => {
    if (!d[key]) return fallback;
    try { const v = JSON.parse(d[key]); return Array.isArray(v) ? v.map(String) : fallback; } catch { return fallback; }
  };
  const config: DelegatedAuthenticationConfig = { resourceVersion };
  if (d['client-ca-file']) config.clientCaPem = d['client-ca-file'];
  if (d['requestheader-client-ca-file']) {
    config.requestHeader = {
      caPem: d['requestheader-client-ca-file'],
      allowedNames: list('requestheader-allowed-names', []),
      usernameHeaders: list('requestheader-username-headers', DEFAULT_REQUEST_HEADERS.usernameHeaders),
      uidHeaders: list('requestheader-uid-headers', DEFAULT_REQUEST_HEADERS.uidHeaders),
      groupHeaders: list('requestheader-group-headers', DEFAULT_REQUEST_HEADERS.groupHeaders),
      extraHeaderPrefixes: list('requestheader-extra-headers-prefix', DEFAULT_REQUEST_HEADERS.extraHeaderPrefixes),
    };
  }
  return config;
}

/**
 * Reads the authentication ConfigMap at start and keeps it current with a watch (re-listing
 * after the watch ends or fails), so a changed CA or allowed-names list applies without a restart.
 */
export class AuthenticationConfigSource {
  private config?: DelegatedAuthenticationConfig;
  private readonly client: KubeClient;
  private readonly ref: ConfigMapRef;
  private readonly abort = new AbortController();
  private lastError = '';

  constructor(client: KubeClient, ref: ConfigMapRef = EXTENSION_APISERVER_AUTHENTICATION) {
    this.client = client;
    this.ref = ref;
  }

  /** The current configuration, or undefined until the first successful read. */
  current(): DelegatedAuthenticationConfig | undefined { return this.config; }

  /** Throws (for a readiness check) until the configuration was read once. */
  checkLoaded(): void {
    if (!this.config) throw new Error(`${this.ref.namespace}/${this.ref.name} not read yet${this.lastError ? `: ${this.lastError}` : ''}`);
  }

  /** Starts reading and watching; resolves after the first read attempt (success or not). */
  async start(): Promise<void> {
    await this.load().catch((err) => { this.lastError = (err as Error).message; });
    void this.loop();
  }

  /** Stops the watch. */
  stop(): void { this.abort.abort(); }

  private async load(): Promise<string> {
    const cm = await this.client.request('GET', `/api/v1/namespaces/${this.ref.namespace}/configmaps/${this.ref.name}`);
    this.config = parseAuthenticationConfigMap(cm.data, cm.metadata?.resourceVersion ?? '');
    this.lastError = '';
    return cm.metadata?.resourceVersion ?? '';
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const rv = await this.load();
        await this.client.watch(`/api/v1/namespaces/${this.ref.namespace}/configmaps`,
          { fieldSelector: `metadata.name=${this.ref.name}`, resourceVersion: rv, timeoutSeconds: '300' },
          (event) => {
            if (event.type === 'ADDED' || event.type === 'MODIFIED') {
              this.config = parseAuthenticationConfigMap(event.object?.data, event.object?.metadata?.resourceVersion ?? '');
            }
          }, this.abort.signal);
      } catch (err) {
        this.lastError = (err as Error).message;
      }
      if (!this.abort.signal.aborted) await new Promise((r) => setTimeout(r, 1000).unref());
    }
  }
}
