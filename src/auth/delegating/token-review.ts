import { createHash } from 'node:crypto';
import type { KubeClient } from '../../kube/client.ts';
import type { UserInfo } from '../../resource/define-resource.ts';
import { TtlCache } from '../ttl-cache.ts';
import type { Authenticator } from '../types.ts';

/** Options of the TokenReview authenticator. */
export interface TokenReviewOptions {
  /** Audiences to ask for; empty means the API server's own. */
  audiences?: string[];
  /** Cache TTL of an authenticated token (k8s.io/apiserver default 10 s). */
  positiveTtlMs?: number;
  /** Cache TTL of a rejected token (default 10 s). */
  negativeTtlMs?: number;
}

/**
 * Bearer-token authentication delegated to kube-apiserver with a TokenReview (step 12's
 * `system:auth-delegator` grants it). Results are cached by the token's SHA-256. A request
 * without a bearer token gets no opinion; a rejected token also gets no opinion (then 401).
 */
export function createTokenReviewAuthenticator(client: KubeClient, opts: TokenReviewOptions = {}): Authenticator {
  const cache = new TtlCache<UserInfo | null>();
  return {
    async authenticate(req) {
      const header = req.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match) return null;
      const token = match[1];
      const key = createHash('sha256').update(token).digest('hex');
      const cached = cache.get(key);
      if (cached !== undefined) return cached;
      const review = await client.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: opts.audiences?.length ? opts.audiences : undefined } },
      });
      const status = review?.status ?? {};
      const user: UserInfo | null = status.authenticated
        ? { username: status.user?.username ?? '', uid: status.user?.uid, groups: status.user?.groups ?? [], extra: status.user?.extra }
        : null;
      cache.set(key, user, user ? opts.positiveTtlMs ?? 10_000 : opts.negativeTtlMs ?? 10_000);
      return user;
    },
  };
}
