import type { KubeObject } from '../../apimachinery/types.ts';
import { forbidden, StatusError } from '../../errors/status-error.ts';
import type { KubeClient } from '../../kube/client.ts';
import { Informer, type InformedObject } from '../../kube/informer.ts';
import type { OperationContext, Resource } from '../../resource/define-resource.ts';
import { toCelValue } from '../../cel/index.ts';
import type { NamespaceObject } from '../namespace-lifecycle.ts';
import type { AdmissionPlugin } from '../types.ts';
import { matchingVersion, namespaceSelectorMatches, objectSelectorMatches, type NamespaceLabels } from '../webhooks/matching.ts';
import { admissionAttributes, admissionCodec, admissionRequest, asSent, type AdmissionAttributes } from '../webhooks/review.ts';
import { ParamSource, PolicyConfigurationError } from './params.ts';
import type { MatchResources, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './types.ts';
import { CompiledPolicy, type ValidateResult } from './validator.ts';

const POLICIES = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies';
const BINDINGS = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings';
/** kube-apiserver's cut of one audit annotation value. */
const MAX_AUDIT_ANNOTATION_VALUE = 10 * 1024;

/** The cluster's namespaces, as the policies read them (labels for selectors, the object for `namespaceObject`). */
export interface PolicyNamespaces {
  labels: NamespaceLabels;
  object(name: string): Promise<NamespaceObject | undefined>;
}

/** A refusal collected while the policies run; the first one becomes the answer. */
interface Denial {
  policy: string;
  binding?: string;
  message: string;
  reason?: string;
}

/** The HTTP code of a policy's `reason`, as upstream's reasonToCode. */
function reasonToCode(reason: string): number {
  return ({ Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413 } as Record<string, number>)[reason] ?? 422;
}

/**
 * ValidatingAdmissionPolicy for an extension server's resources, as kube-apiserver runs it for
 * a CRD: policies and bindings from watches of the cluster, matchConstraints and binding
 * matchResources (rules with subresources and resourceNames, excludeResourceRules, selectors,
 * matchPolicy Equivalent), params from informers of the paramKind, matchConditions, variables,
 * validations with message/messageExpression/reason, validationActions Deny/Warn/Audit, audit
 * annotations into the request's audit events, failurePolicy for errors, upstream's wording.
 */
export class ValidatingAdmissionPolicies implements AdmissionPlugin {
  readonly name = 'ValidatingAdmissionPolicy';
  private readonly policies: Informer<ValidatingAdmissionPolicy>;
  private readonly bindings: Informer<ValidatingAdmissionPolicyBinding>;
  private readonly params: ParamSource;
  private readonly namespaces: PolicyNamespaces;
  private readonly compiled = new Map<string, { version: string; policy: CompiledPolicy }>();

  constructor(client: KubeClient, namespaces: PolicyNamespaces) {
    this.policies = new Informer(client, POLICIES);
    this.bindings = new Informer(client, BINDINGS);
    this.params = new ParamSource(client);
    this.namespaces = namespaces;
  }

  /** Lists and watches policies and bindings. */
  async start(): Promise<void> {
    await Promise.all([this.policies.start(), this.bindings.start()]);
  }

  /** Stops every watch. */
  stop(): void { this.policies.stop(); this.bindings.stop(); this.params.stop(); }

  /** Throws until policies and bindings were listed (readiness). */
  checkSynced(): void { this.policies.checkSynced(); this.bindings.checkSynced(); }

  async validate(obj: KubeObject, old: KubeObject | null, ctx: OperationContext, resource: Resource): Promise<void> {
    const policies = this.policies.list().sort(byName);
    if (policies.length === 0) return;
    const attrs = admissionAttributes(ctx, resource);
    const object = ctx.operation === 'DELETE' ? null : obj;
    const oldObject = ctx.operation === 'CREATE' ? null : old;
    const denials: Denial[] = [];
    const bindings = this.bindings.list().sort(byName);
    for (const policy of policies) {
      const name = policy.metadata?.name ?? '';
      const version = await this.matches(policy.spec?.matchConstraints, attrs, object, oldObject).catch(() => undefined);
      if (!version) continue;
      const configError = (err: unknown, binding?: string) => {
        if (!(err instanceof PolicyConfigurationError)) throw err;
        if (policy.spec?.failurePolicy === 'Ignore') return;
        denials.push({ policy: name, binding, message: `failed to configure ${binding === undefined ? 'policy' : 'binding'}: ${err.message}` });
      };
      if (policy.spec?.paramKind) {
        try { await this.params.resolve(policy.spec.paramKind); } catch (err) { configError(err); continue; }
      }
      const annotations = new Map<string, string[]>();
      for (const binding of bindings.filter((b) => b.spec?.policyName === name)) {
        const bindingName = binding.metadata?.name ?? '';
        let matched: boolean;
        try {
          matched = !binding.spec?.matchResources || (await this.matches(binding.spec.matchResources, attrs, object, oldObject)) !== undefined;
        } catch (err) {
          configError(new PolicyConfigurationError((err as Error).message), bindingName);
          continue;
        }
        if (!matched) continue;
        let params: (InformedObject | null)[];
        try { params = await this.params.collect(policy.spec?.paramKind, binding.spec?.paramRef, ctx.namespace ?? ''); } catch (err) { configError(err, bindingName); continue; }
        if (params.length === 0) continue;
        const namespaceObject = resource.namespaced && ctx.namespace ? await this.namespaces.object(ctx.namespace) : undefined;
        const base = this.celInput(attrs, version, object, oldObject, namespaceObject);
        for (const param of params) {
          const result = this.compiledFor(policy).validate({ ...base, params: param === null ? null : toCelValue(param) });
          this.act(result, policy, binding, ctx, denials, annotations);
        }
      }
      for (const [key, values] of annotations) ctx.annotate?.(`${name}/${key}`, values.join(', '));
    }
    if (denials.length) throw denial(denials[0], attrs);
  }

  /** What a binding does with one result: Deny/Warn/Audit per failed validation; audit annotations collected. */
  private act(result: ValidateResult, policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding, ctx: OperationContext, denials: Denial[], annotations: Map<string, string[]>): void {
    const policyName = policy.metadata?.name ?? '';
    const bindingName = binding.metadata?.name ?? '';
    const actions = binding.spec?.validationActions ?? [];
    result.decisions.forEach((decision, index) => {
      if (decision.action !== 'deny') return;
      for (const action of actions) {
        if (action === 'Deny') denials.push({ policy: policyName, binding: bindingName, message: decision.message, reason: decision.reason });
        else if (action === 'Warn') addWarning(ctx, `Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${decision.message}`);
        else if (action === 'Audit') {
          ctx.annotate?.('validation.policy.admission.k8s.io/validation_failure', JSON.stringify([{ message: decision.message, policy: binding.spec?.policyName ?? '', binding: bindingName, expressionIndex: index, validationActions: actions }]));
        }
      }
    });
    for (const a of result.auditAnnotations) {
      if (a.action === 'publish') {
        const values = annotations.get(a.key) ?? [];
        const value = a.value.slice(0, MAX_AUDIT_ANNOTATION_VALUE);
        if (!values.includes(value)) values.push(value);
        annotations.set(a.key, values);
      } else if (a.action === 'error') {
        denials.push({ policy: policyName, binding: bindingName, message: a.message });
      }
    }
  }

  /** The CEL values of one request at the matched version (object, oldObject, request, namespaceObject). */
  private celInput(attrs: AdmissionAttributes, version: string, object: KubeObject | null, oldObject: KubeObject | null, namespaceObject: NamespaceObject | undefined) {
    const codec = admissionCodec(attrs.resource, version);
    const request: Record<string, unknown> = { ...admissionRequest(attrs, version, null, null) };
    delete request.uid;
    delete request.object;
    delete request.oldObject;
    return {
      object: object ? toCelValue(asSent(codec, object)) : null,
      oldObject: oldObject ? toCelValue(asSent(codec, oldObject)) : null,
      request: toCelValue(request),
      namespaceObject: namespaceObject ? toCelValue(namespaceView(namespaceObject)) : null,
    };
  }

  /** matchConstraints or a binding's matchResources: the version they match the request at, or undefined. */
  private async matches(match: MatchResources | undefined, attrs: AdmissionAttributes, object: KubeObject | null, old: KubeObject | null): Promise<string | undefined> {
    if (!match) return undefined;
    if (!(await namespaceSelectorMatches(match.namespaceSelector, attrs, this.namespaces.labels))) return undefined;
    if (!objectSelectorMatches(match, object, old)) return undefined;
    const policy = match.matchPolicy ?? 'Equivalent';
    if (match.excludeResourceRules?.length && matchingVersion(match.excludeResourceRules, policy, attrs)) return undefined;
    if (!match.resourceRules?.length) return attrs.requestVersion;
    return matchingVersion(match.resourceRules, policy, attrs);
  }

  private compiledFor(policy: ValidatingAdmissionPolicy): CompiledPolicy {
    const name = policy.metadata?.name ?? '';
    const version = policy.metadata?.resourceVersion ?? '';
    let entry = this.compiled.get(name);
    if (entry?.version !== version) {
      entry = { version, policy: new CompiledPolicy(policy) };
      this.compiled.set(name, entry);
    }
    return entry.policy;
  }
}

/** A warning for the client, once (kube-apiserver's warning recorder drops repeats). */
function addWarning(ctx: OperationContext, text: string): void {
  if (ctx.warnings && !ctx.warnings.includes(text)) ctx.warnings.push(text);
}

function byName(a: { metadata?: { name?: string } }, b: { metadata?: { name?: string } }): number {
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** The Namespace as `namespaceObject` shows it: metadata without managedFields and ownerReferences, spec, status. */
function namespaceView(ns: NamespaceObject): NamespaceObject {
  const { managedFields: _m, ownerReferences: _o, ...metadata } = ns.metadata ?? {};
  return { metadata, spec: ns.spec, status: ns.status };
}

/**
 * kube-apiserver's refusal: admission.NewForbidden's `<resource> "<name>" is forbidden:
 * ValidatingAdmissionPolicy '<p>' with binding '<b>' denied request: <message>`, with the
 * decision's reason (Invalid unless given) and its code, the message repeated as a cause.
 */
function denial(d: Denial, attrs: AdmissionAttributes): StatusError {
  const text = d.binding !== undefined
    ? `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`
    : `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`;
  const base = forbidden({ group: attrs.resource.group, resource: attrs.resource.plural }, attrs.ctx.name ?? '', text);
  const reason = d.reason || 'Invalid';
  return new StatusError(reasonToCode(reason), reason as never, base.message, { ...base.details, causes: [{ message: text }] });
}
