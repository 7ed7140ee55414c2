import type { HttpRequest, HttpResponse } from '../endpoints/http.ts';
import type { AuditNotes } from './request-audit.ts';

const byMessage = new WeakMap<HttpRequest | HttpResponse, AuditNotes>();

/** Ties a request and its response to their audit record, so handlers can report to it without passing it along. */
export function attachAudit(req: HttpRequest, res: HttpResponse, notes: AuditNotes): void {
  byMessage.set(req, notes);
  byMessage.set(res, notes);
}

/** The audit record of a request or response, when the request is audited. */
export function auditOf(message: HttpRequest | HttpResponse): AuditNotes | undefined {
  return byMessage.get(message);
}
