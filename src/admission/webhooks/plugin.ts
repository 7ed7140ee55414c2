import type { KubeObject } from '../../apimachinery/types.ts';
import { applyJsonPatch } from '../../patch/json-patch.ts';
import { badRequest, forbidden, internalError, StatusError } from '../../errors/status-error.ts';
import type { KubeClient } from '../../kube/client.ts';
import { Informer } from '../../kube/informer.ts';
import type { OperationContext, Resource } from '../../resource/define-resource.ts';
import type { VersionCodec } from '../../endpoints/codec.ts';
import type { AdmissionPlugin } from '../types.ts';
import { callWebhook, WebhookCallError } from './call.ts';
import { matchingVersion, namespaceSelectorMatches, objectSelectorMatches, type NamespaceLabels } from './matching.ts';
import { admissionAttributes, admissionCodec, admissionRequest, asSent, type AdmissionAttributes } from './review.ts';
import type { AdmissionRequest, AdmissionResponse, Webhook, WebhookConfiguration } from './types.ts';
import { AdmissionExpression, aggregateErrors, CompositedVariables, evaluateMatchConditions } from '../cel-expressions.ts';
import { toCelValue } from '../../cel/index.ts';

const MUTATING = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const VALIDATING = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

export type { NamespaceLabels } from './matching.ts';

/** A webhook chosen for one request, and the version it sees the resource at. */
interface Invocation {
  hook: Webhook;
  version: string;
}

/**
 * MutatingAdmissionWebhook and ValidatingAdmissionWebhook for an extension server's resources,
 * called as kube-apiserver calls them for a CRD: configurations from a watch of the cluster,
 * rules with subresources and scope, matchPolicy Equivalent (another served version, converted),
 * namespace and object selectors, AdmissionReview v1, timeouts, failurePolicy, mutating order
 * (configurations by name, webhooks in order) with reinvocationPolicy IfNeeded, JSONPatch
 * responses validated again by the schema, deny messages and warnings as upstream words them.
 */
export class AdmissionWebhooks implements AdmissionPlugin {
  readonly name = 'AdmissionWebhooks';
  private readonly mutating: Informer<WebhookConfiguration>;
  private readonly validating: Informer<WebhookConfiguration>;
  private readonly client: KubeClient;
  private readonly namespaceLabels: NamespaceLabels;
  private readonly conditions = new Map<string, { name: string; expression: AdmissionExpression }[]>();

  constructor(client: KubeClient, namespaceLabels: NamespaceLabels) {
    this.client = client;
    this.namespaceLabels = namespaceLabels;
    this.mutating = new Informer(client, MUTATING);
    this.validating = new Informer(client, VALIDATING);
  }

  /** Lists and watches both configuration kinds. */
  async start(): Promise<void> {
    await Promise.all([this.mutating.start(), this.validating.start()]);
  }

  /** Stops the watches. */
  stop(): void { this.mutating.stop(); this.validating.stop(); }

  /** Throws until both configuration kinds were listed (readiness). */
  checkSynced(): void { this.mutating.checkSynced(); this.validating.checkSynced(); }

  async admit(obj: KubeObject, old: KubeObject | null, ctx: OperationContext, resource: Resource): Promise<void> {
    const attrs = admissionAttributes(ctx, resource);
    const hooks = await this.matching(this.mutating, attrs, obj, old);
    if (hooks.length === 0) return;
    let current = obj;
    const changedAfter = new Map<Invocation, boolean>();
    for (const inv of hooks) {
      const next = await this.mutateOnce(inv, attrs, current, old);
      if (next !== current) { for (const k of changedAfter.keys()) changedAfter.set(k, true); current = next; }
      if (inv.hook.reinvocationPolicy === 'IfNeeded') changedAfter.set(inv, false);
    }
    for (const [inv, changed] of changedAfter) if (changed) current = await this.mutateOnce(inv, attrs, current, old);
    if (current !== obj) replaceContents(obj, current);
  }

  async validate(obj: KubeObject, old: KubeObject | null, ctx: OperationContext, resource: Resource): Promise<void> {
    const attrs = admissionAttributes(ctx, resource);
    const object = ctx.operation === 'DELETE' ? null : obj;
    const hooks = await this.matching(this.validating, attrs, object, old);
    const outcomes = await Promise.allSettled(hooks.map((inv) => this.call(inv, attrs, object, old, false)));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Calls one mutating webhook; returns the patched object (storage version), or `current` itself when unchanged. */
  private async mutateOnce(inv: Invocation, attrs: AdmissionAttributes, current: KubeObject, old: KubeObject | null): Promise<KubeObject> {
    const response = await this.call(inv, attrs, current, old, true);
    if (!response?.patch) return current;
    const codec = this.codec(attrs.resource, inv.version);
    const sent = clientView(asSent(codec, current), attrs.ctx, true);
    let patched: KubeObject;
    try {
      const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
      patched = applyJsonPatch(sent, ops);
    } catch (err) {
      throw internalError((err as Error).message);
    }
    restoreServerFields(patched, current);
    const requestCodec = this.codec(attrs.resource, attrs.requestVersion);
    requestCodec.validate(requestCodec.fromStorage(codec.toStorage(patched)), attrs.ctx.subresource, old === null ? undefined : requestCodec.fromStorage(old));
    const next = codec.toStorage(patched);
    return JSON.stringify(next) === JSON.stringify(current) ? current : next;
  }

  /**
   * One call with its failure policy: a call error under Ignore gives undefined, under Fail a 500
   * worded as upstream; a refusal throws `admission webhook "x" denied the request: ...`.
   */
  private async call(inv: Invocation, attrs: AdmissionAttributes, object: KubeObject | null, old: KubeObject | null, mutating: boolean): Promise<AdmissionResponse | undefined> {
    const { hook } = inv;
    const codec = this.codec(attrs.resource, inv.version);
    const toVersion = (o: KubeObject | null, isNew: boolean) => (o ? (isNew ? clientView(asSent(codec, o), attrs.ctx, mutating) : asSent(codec, o)) : null);
    const request = admissionRequest(attrs, inv.version, toVersion(object, true), toVersion(old, false));
    if (hook.matchConditions?.length && !this.conditionsMatch(hook, request, attrs)) return undefined;
    if (attrs.ctx.dryRun && hook.sideEffects !== 'None' && hook.sideEffects !== 'NoneOnDryRun') {
      throw badRequest(`admission webhook "${hook.name}" does not support dry run`);
    }
    let response: AdmissionResponse;
    try {
      response = await callWebhook(hook.clientConfig, request, Math.min(hook.timeoutSeconds ?? 10, 30) * 1000, this.client);
    } catch (err) {
      if (!(err instanceof WebhookCallError)) throw err;
      if (hook.failurePolicy === 'Ignore') return undefined;
      throw internalError(`failed calling webhook "${hook.name}": ${err.message}`);
    }
    for (const w of response.warnings ?? []) attrs.ctx.warnings?.push(w);
    if (!response.allowed) throw denied(hook.name, response.status);
    return response;
  }

  /** The webhooks of `source` that apply, in upstream order (configurations by name, webhooks in order). */
  private async matching(source: Informer<WebhookConfiguration>, attrs: AdmissionAttributes, object: KubeObject | null, old: KubeObject | null): Promise<Invocation[]> {
    const configs = source.list().sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    const chosen: Invocation[] = [];
    for (const hook of configs.flatMap((c) => c.webhooks ?? [])) {
      const version = matchingVersion(hook.rules, hook.matchPolicy, attrs);
      if (!version) continue;
      if (!objectSelectorMatches(hook, object, old)) continue;
      if (!(await namespaceSelectorMatches(hook.namespaceSelector, attrs, this.namespaceLabels))) continue;
      chosen.push({ hook, version });
    }
    return chosen;
  }

  /**
   * The webhook's matchConditions (CEL) as upstream's matcher: any false → the webhook is
   * skipped; errors → under Fail a 403 `<resource> "<name>" is forbidden: <errors>`, under
   * Ignore the webhook is skipped.
   */
  private conditionsMatch(hook: Webhook, review: AdmissionRequest, attrs: AdmissionAttributes): boolean {
    const key = JSON.stringify(hook.matchConditions);
    let conditions = this.conditions.get(key);
    if (!conditions) {
      conditions = hook.matchConditions!.map((c) => ({ name: c.name, expression: new AdmissionExpression(c.expression) }));
      this.conditions.set(key, conditions);
    }
    const { uid: _uid, object, oldObject, ...request } = review;
    const activation = new CompositedVariables().activation({ object: toCelValue(object), oldObject: toCelValue(oldObject), request: toCelValue(request) });
    const outcome = evaluateMatchConditions(conditions, activation);
    if (!('errors' in outcome)) return outcome.matches;
    if (hook.failurePolicy === 'Ignore') return false;
    throw forbidden({ group: attrs.resource.group, resource: attrs.resource.plural }, attrs.ctx.name ?? '', aggregateErrors(outcome.errors));
  }

  private codec(resource: Resource, version: string): VersionCodec {
    return admissionCodec(resource, version);
  }
}

/** kube-apiserver's refusal: `admission webhook "x" denied the request: <message>`, at least 400, Failure. */
function denied(name: string, status: AdmissionResponse['status']): StatusError {
  const prefix = `admission webhook "${name}" denied the request`;
  const message = status?.message ? `${prefix}: ${status.message}` : status?.reason ? `${prefix}: ${status.reason}` : `${prefix} without explanation`;
  const code = !status?.code || status.code < 400 ? 400 : status.code;
  return new StatusError(code, (status?.reason ?? '') as never, message, (status?.details ?? undefined) as never);
}

/** A CREATE's object as a mutating webhook sees it at kube-apiserver: before the server sets uid, creationTimestamp and generation. */
function clientView(obj: KubeObject, ctx: OperationContext, mutating: boolean): KubeObject {
  if (ctx.operation !== 'CREATE' || !mutating) return obj;
  const { uid: _u, creationTimestamp: _c, generation: _g, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function restoreServerFields(patched: KubeObject, current: KubeObject): void {
  for (const k of ['uid', 'creationTimestamp', 'generation', 'resourceVersion'] as const) {
    if (current.metadata[k] !== undefined && patched.metadata[k] === undefined) (patched.metadata as Record<string, unknown>)[k] = current.metadata[k];
  }
}

function replaceContents(target: KubeObject, source: KubeObject): void {
  for (const key of Object.keys(target)) delete (target as Record<string, unknown>)[key];
  Object.assign(target, source);
}
