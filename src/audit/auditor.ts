import { randomUUID } from 'node:crypto';
import { onResponseClosed, type HttpRequest, type HttpResponse } from '../endpoints/http.ts';
import type { RequestInfo } from '../endpoints/request-info.ts';
import type { UserInfo } from '../resource/define-resource.ts';
import { attachAudit } from './context.ts';
import { microTimeNow, objectRefOf, sourceIPs } from './event.ts';
import type { AuditPolicyChecker } from './policy.ts';
import { RequestAudit } from './request-audit.ts';
import type { AuditBackend } from './types.ts';

/** The header carrying the audit ID: set by the first server of a chain (the aggregator), echoed in responses. */
export const AUDIT_ID_HEADER = 'audit-id';

/**
 * The server's audit: decides each request's level by the policy and records it to every backend.
 * The audit ID is the `Audit-ID` request header when the aggregator sent one (so its log and ours
 * join), else a fresh UUID; it is echoed in the response either way.
 */
export class Auditor {
  private readonly policy: AuditPolicyChecker;
  private readonly backends: AuditBackend[];

  constructor(policy: AuditPolicyChecker, backends: AuditBackend[]) {
    this.policy = policy;
    this.backends = backends;
  }

  /**
   * Starts the record of an authenticated request (undefined at level None). Handlers report
   * bodies and responses through auditOf(req/res); the record completes when the response closes.
   */
  begin(req: HttpRequest, res: HttpResponse, info: RequestInfo, user: UserInfo, longRunning: boolean): RequestAudit | undefined {
    const auditID = this.auditIdOf(req, res);
    const decision = this.policy.decide(user, info);
    if (decision.level === 'None') return undefined;
    const audit = new RequestAudit({
      level: decision.level, auditID, requestURI: req.url ?? '/', verb: info.verb, user, sourceIPs: sourceIPs(req),
      userAgent: headerText(req.headers['user-agent']), requestReceivedTimestamp: microTimeNow(),
    }, decision, objectRefOf(info), this.backends);
    attachAudit(req, res, audit);
    if (longRunning) onHeadersSent(res, () => audit.responseStarted(res.statusCode));
    onResponseClosed(res, () => audit.complete(res.statusCode));
    return audit;
  }

  /** Records a request refused by authentication (401), with no user, as kube-apiserver does. */
  failedAuthentication(req: HttpRequest, res: HttpResponse, info: RequestInfo): void {
    const audit = this.begin(req, res, info, { username: '', groups: [] }, false);
    audit?.responseObject(401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  }

  /** Flushes and closes every backend. */
  async shutdown(): Promise<void> {
    await Promise.all(this.backends.map((b) => b.shutdown()));
  }

  private auditIdOf(req: HttpRequest, res: HttpResponse): string {
    const given = headerText(req.headers[AUDIT_ID_HEADER]);
    const id = given || randomUUID();
    if (!res.headersSent) res.setHeader('Audit-ID', id);
    return id;
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Calls `fn` once, right before the response's headers are written. */
function onHeadersSent(res: HttpResponse, fn: () => void): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => unknown;
  let called = false;
  (res as { writeHead: (...args: unknown[]) => unknown }).writeHead = (...args: unknown[]) => {
    const result = writeHead(...args);
    if (!called) { called = true; fn(); }
    return result;
  };
}
