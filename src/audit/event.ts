import type { HttpRequest } from '../endpoints/http.ts';
import type { RequestInfo } from '../endpoints/request-info.ts';
import type { UserInfo } from '../resource/define-resource.ts';
import type { AuditEvent, AuditLevel, AuditObjectRef, AuditResponseStatus, AuditStage } from './types.ts';

const EPOCH_MICROS = BigInt(Math.round(performance.timeOrigin * 1000));

/** Now as a metav1.MicroTime (RFC 3339, six fractional digits, UTC), as audit timestamps are written. */
export function microTimeNow(): string {
  const micros = EPOCH_MICROS + BigInt(Math.round(performance.now() * 1000));
  const millis = Number(micros / 1000n);
  const iso = new Date(millis).toISOString();
  return `${iso.slice(0, 19)}.${String(micros % 1_000_000n).padStart(6, '0')}Z`;
}

/**
 * The client addresses of a request as kube-apiserver lists them: X-Forwarded-For entries, then
 * X-Real-Ip, then the connection's peer unless it is already last.
 */
export function sourceIPs(req: HttpRequest): string[] {
  const ips: string[] = [];
  const forwarded = req.headers['x-forwarded-for'];
  for (const part of (Array.isArray(forwarded) ? forwarded.join(',') : forwarded ?? '').split(',')) {
    const ip = part.trim();
    if (ip && isIp(ip)) ips.push(ip);
  }
  const real = String(req.headers['x-real-ip'] ?? '').trim();
  if (real && isIp(real) && !ips.includes(real)) ips.push(real);
  const peer = stripV4Mapped(req.socket?.remoteAddress ?? '');
  if (peer && ips[ips.length - 1] !== peer) ips.push(peer);
  return ips;
}

function isIp(text: string): boolean {
  return /^[\d.]+$/.test(text) || /^[0-9a-fA-F:]+(%.+)?$/.test(text) && text.includes(':');
}

function stripV4Mapped(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** The objectRef of a resource request (group, version, resource, namespace, name, subresource); undefined otherwise. */
export function objectRefOf(info: RequestInfo): AuditObjectRef | undefined {
  if (!info.isResourceRequest) return undefined;
  const ref: AuditObjectRef = { resource: info.resource };
  if (info.namespace) ref.namespace = info.namespace;
  if (info.name) ref.name = info.name;
  ref.apiGroup = info.apiGroup || undefined;
  ref.apiVersion = info.apiVersion;
  if (info.subresource) ref.subresource = info.subresource;
  return dropUndefined(ref);
}

/** Fills the name, namespace, uid and resourceVersion an objectRef lacks from a request object's metadata. */
export function completeObjectRef(ref: AuditObjectRef | undefined, obj: unknown): AuditObjectRef | undefined {
  if (!ref || !obj || typeof obj !== 'object') return ref;
  const meta = (obj as { metadata?: Record<string, unknown> }).metadata;
  if (!meta || typeof meta !== 'object') return ref;
  const pick = (k: string) => (typeof meta[k] === 'string' && meta[k] ? (meta[k] as string) : undefined);
  return dropUndefined({
    resource: ref.resource, namespace: ref.namespace ?? pick('namespace'), name: ref.name ?? pick('name'),
    uid: ref.uid ?? pick('uid'), apiGroup: ref.apiGroup, apiVersion: ref.apiVersion,
    resourceVersion: ref.resourceVersion ?? pick('resourceVersion'), subresource: ref.subresource,
  });
}

/** `responseStatus` for a response with `code`, keeping the bounded fields of a Status body when the body is one. */
export function responseStatusOf(code: number, body: unknown): AuditResponseStatus {
  const status = body as { kind?: string; status?: string; message?: string; reason?: string; details?: unknown; code?: number } | undefined;
  if (status?.kind !== 'Status') return { metadata: {}, code };
  return dropUndefined({ metadata: {}, status: status.status, message: status.message, reason: status.reason, details: status.details, code: status.code ?? code });
}

/** Removes metadata.managedFields from an object or from each item of a list (copies; the input is not changed). */
export function withoutManagedFields(obj: unknown): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  const o = obj as { metadata?: Record<string, unknown>; items?: unknown[] };
  let out: Record<string, unknown> = o as Record<string, unknown>;
  if (o.metadata && 'managedFields' in o.metadata) {
    const { managedFields: _dropped, ...metadata } = o.metadata;
    out = { ...out, metadata };
  }
  if (Array.isArray(o.items)) out = { ...out, items: o.items.map(withoutManagedFields) };
  return out;
}

/** The fixed part of every event of one request. */
export interface EventBase {
  level: AuditLevel;
  auditID: string;
  requestURI: string;
  verb: string;
  user: Partial<UserInfo>;
  sourceIPs: string[];
  userAgent?: string;
  requestReceivedTimestamp: string;
}

/** One event in kube-apiserver's field order; empty optional parts are left out as Go's omitempty does. */
export function buildEvent(base: EventBase, stage: AuditStage, parts: {
  objectRef?: AuditObjectRef; responseStatus?: AuditResponseStatus; requestObject?: unknown; responseObject?: unknown;
  annotations?: Record<string, string>;
}): AuditEvent {
  return dropUndefined({
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: base.level, auditID: base.auditID, stage,
    requestURI: base.requestURI, verb: base.verb, user: userOf(base.user), impersonatedUser: undefined,
    sourceIPs: base.sourceIPs.length ? base.sourceIPs : undefined, userAgent: base.userAgent || undefined,
    objectRef: parts.objectRef, responseStatus: parts.responseStatus,
    requestObject: parts.requestObject, responseObject: parts.responseObject,
    requestReceivedTimestamp: base.requestReceivedTimestamp, stageTimestamp: microTimeNow(),
    annotations: parts.annotations && Object.keys(parts.annotations).length ? parts.annotations : undefined,
  }) as AuditEvent;
}

function userOf(user: Partial<UserInfo>): Partial<UserInfo> {
  return dropUndefined({
    username: user.username || undefined, uid: user.uid || undefined,
    groups: user.groups?.length ? user.groups : undefined,
    extra: user.extra && Object.keys(user.extra).length ? user.extra : undefined,
  });
}

function dropUndefined<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as (keyof T)[]) if (obj[key] === undefined) delete obj[key];
  return obj;
}
