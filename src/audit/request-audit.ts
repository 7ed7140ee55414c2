import { parse as parseYaml } from 'yaml';
import type { AuditDecision } from './policy.ts';
import { buildEvent, completeObjectRef, responseStatusOf, withoutManagedFields, type EventBase } from './event.ts';
import { levelAtLeast, type AuditBackend, type AuditObjectRef, type AuditStage } from './types.ts';

/** What the request's handlers report to its audit record (through ./context.ts). */
export interface AuditNotes {
  /** The raw request body (decoded as the request object when the level asks for it). */
  requestBody(body: Buffer, contentType: string | undefined): void;
  /**
   * The object (or Status) written as the response; a function stands for an answer sent
   * already encoded and is called for the object only when an event records it.
   */
  responseObject(status: number, body: unknown): void;
  /** An annotation on every later event of this request (first value wins, as kube-apiserver keeps it). */
  annotate(key: string, value: string): void;
}

/**
 * The audit record of one request: emits RequestReceived at once, ResponseStarted for
 * long-running requests when their headers go out, and ResponseComplete at the end, each unless
 * the policy omits its stage, with objects as the level allows.
 */
export class RequestAudit implements AuditNotes {
  private readonly base: EventBase;
  private readonly decision: AuditDecision;
  private readonly backends: AuditBackend[];
  private objectRef: AuditObjectRef | undefined;
  private readonly annotations: Record<string, string> = {};
  private body: { bytes: Buffer; contentType?: string } | undefined;
  /** The response body; `encoded` when it was sent already encoded (never a Status), decoded only for RequestResponse events. */
  private response: { status: number; body: unknown; encoded: boolean } | undefined;
  private done = false;
  private decoded: { value: unknown } | undefined;

  constructor(base: EventBase, decision: AuditDecision, objectRef: AuditObjectRef | undefined, backends: AuditBackend[]) {
    this.base = base;
    this.decision = decision;
    this.objectRef = objectRef;
    this.backends = backends;
    this.emit('RequestReceived');
  }

  requestBody(bytes: Buffer, contentType: string | undefined): void {
    this.body = { bytes, contentType };
  }

  responseObject(status: number, body: unknown): void {
    this.response = { status, body, encoded: typeof body === 'function' };
  }

  annotate(key: string, value: string): void {
    if (!(key in this.annotations)) this.annotations[key] = value;
  }

  /** The headers of a long-running response went out with `code`. */
  responseStarted(code: number): void {
    this.emit('ResponseStarted', code);
  }

  /** The response ended with `code`: emits ResponseComplete (once). */
  complete(code: number): void {
    if (this.done) return;
    this.done = true;
    this.emit('ResponseComplete', code);
  }

  private emit(stage: AuditStage, code?: number): void {
    if (this.decision.omitStages.includes(stage)) return;
    const requestObject = this.decodedRequest();
    if (requestObject !== undefined) this.objectRef = completeObjectRef(this.objectRef, requestObject);
    const withResponse = stage === 'ResponseComplete' && this.response !== undefined;
    const event = buildEvent(this.base, stage, {
      objectRef: this.objectRef,
      responseStatus: code === undefined ? undefined : responseStatusOf(code, withResponse && !this.response!.encoded ? this.response!.body : undefined),
      requestObject: levelAtLeast(this.base.level, 'Request') ? this.trim(requestObject) : undefined,
      responseObject: withResponse && levelAtLeast(this.base.level, 'RequestResponse') ? this.trim(this.responseBody()) : undefined,
      annotations: stage === 'RequestReceived' ? undefined : { ...this.annotations },
    });
    for (const backend of this.backends) backend.process([event]);
  }

  /** The response object, an encoded answer decoded (once). */
  private responseBody(): unknown {
    const response = this.response!;
    if (response.encoded) {
      response.body = (response.body as () => unknown)();
      response.encoded = false;
    }
    return response.body;
  }

  private decodedRequest(): unknown {
    if (!this.body || this.body.bytes.length === 0) return undefined;
    if (this.decoded === undefined) {
      const text = this.body.bytes.toString('utf8');
      try {
        this.decoded = { value: /yaml/.test(this.body.contentType ?? '') ? parseYaml(text) : JSON.parse(text) };
      } catch {
        this.decoded = { value: undefined };
      }
    }
    return this.decoded.value;
  }

  private trim(obj: unknown): unknown {
    return this.decision.omitManagedFields ? withoutManagedFields(obj) : obj;
  }
}
