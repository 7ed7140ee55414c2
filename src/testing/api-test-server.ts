import type { Authorizer } from '../auth/types.ts';
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
  return {
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
    async close() { await server.close(); await storage.close(); },
  };
}
