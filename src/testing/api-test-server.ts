import type { Authorizer } from '../auth/types.ts';
import { KubeApiError, type KubeClient } from '../kube/client.ts';
import type { Resource, UserInfo } from '../resource/define-resource.ts';
import { createApiServer, type ApiServer } from '../server/server.ts';
import type { Storage } from '../storage/interface.ts';
import { createMemoryStorage } from '../storage/memory.ts';

/** A response as tests read it. */
export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body (undefined when not JSON). */
  body: any;
}

/** An in-process server on a random loopback port (plain HTTP) and a small client for it. */
export interface ApiTestServer {
  server: ApiServer;
  storage: Storage;
  url: string;
  request(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string>; contentType?: string }): Promise<TestResponse>;
  /** The same server as the CLI's KubeClient sees a cluster (errors as KubeApiError), for code that takes one. */
  kubeClient(): Pick<KubeClient, 'request'>;
  close(): Promise<void>;
}

const allowAll: Authorizer = { authorize: () => ({ decision: 'Allow' }) };

/**
 * Starts `resources` on 127.0.0.1 over plain HTTP for in-process tests: every request is made
 * as `user` (default: test-admin in system:masters) and allowed. Never use outside tests.
 */
export async function startApiTestServer(resources: Resource[], opts: { storage?: Storage; user?: UserInfo; authorizer?: Authorizer } = {}): Promise<ApiTestServer> {
  const storage = opts.storage ?? createMemoryStorage({ historyRevisions: 1000 });
  const user = opts.user ?? { username: 'test-admin', groups: ['system:masters'] };
  const server = createApiServer({
    resources, storage, authenticators: [{ authenticate: () => user }], authorizer: opts.authorizer ?? allowAll, log: () => undefined,
  });
  const address = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${address.port}`;
  const testServer: ApiTestServer = {
    server, storage, url,
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      let body: string | undefined;
      if (o.body !== undefined) {
        body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
        headers['content-type'] = o.contentType ?? headers['content-type'] ?? 'application/json';
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown;
      try { parsed = JSON.parse(text); } catch { parsed = undefined; }
      return { status: res.status, headers: res.headers, text, body: parsed };
    },
    kubeClient() {
      return {
        request: async (method, path, o = {}) => {
          const query = new URLSearchParams();
          for (const [k, v] of Object.entries(o.query ?? {})) for (const item of v === undefined ? [] : Array.isArray(v) ? v : [v]) query.append(k, item);
          const res = await testServer.request(method, query.size ? `${path}?${query}` : path, { body: o.body, contentType: o.contentType });
          if (res.status < 200 || res.status > 299) throw new KubeApiError(res.status, res.body?.message ?? `${method} ${path}: HTTP ${res.status}`, res.body?.kind === 'Status' ? res.body : undefined);
          return res.body;
        },
      };
    },
    async close() { await server.close(); await storage.close(); },
  };
  return testServer;
}
