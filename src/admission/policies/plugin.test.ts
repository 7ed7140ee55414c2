import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flunders } from '../../../examples/wardle/resources.ts';
import type { KubeObject } from '../../apimachinery/types.ts';
import { StatusError } from '../../errors/status-error.ts';
import { KubeApiError, type KubeClient } from '../../kube/client.ts';
import type { OperationContext } from '../../resource/define-resource.ts';
import { ValidatingAdmissionPolicies } from './plugin.ts';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './types.ts';

const POLICIES = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies';
const BINDINGS = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings';

/** A cluster serving policies, bindings, core discovery and ConfigMaps (or refusing to list them). */
function fakeCluster(state: { policies: ValidatingAdmissionPolicy[]; bindings: ValidatingAdmissionPolicyBinding[]; configMaps?: unknown[] | 'forbidden' }): KubeClient {
  return {
    server: 'https://fake', contextName: 'fake',
    request: async (_m: string, path: string) => {
      if (path === POLICIES) return { items: state.policies, metadata: { resourceVersion: '1' } };
      if (path === BINDINGS) return { items: state.bindings, metadata: { resourceVersion: '1' } };
      if (path === '/api/v1/configmaps') {
        if (state.configMaps === 'forbidden') throw new KubeApiError(403, 'configmaps is forbidden: User "x" cannot list resource "configmaps" in API group "" at the cluster scope');
        return { items: state.configMaps ?? [], metadata: { resourceVersion: '1' } };
      }
      throw new KubeApiError(404, `not found: ${path}`);
    },
    getOrNull: async (path: string) => (path === '/api/v1' ? { resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true }] } : null),
    watch: (_p, _q, _on, signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())),
  } as KubeClient;
}

const rules = [{ operations: ['CREATE'], apiGroups: ['wardle.example.com'], apiVersions: ['v1alpha1'], resources: ['flunders'] }];
const policy = (name: string, spec: ValidatingAdmissionPolicy['spec']): ValidatingAdmissionPolicy => ({ metadata: { name, resourceVersion: '1' }, spec: { matchConstraints: { resourceRules: rules }, ...spec } });
const binding = (name: string, policyName: string, spec: ValidatingAdmissionPolicyBinding['spec'] = {}): ValidatingAdmissionPolicyBinding => ({ metadata: { name }, spec: { policyName, validationActions: ['Deny'], ...spec } });
/** A Flunder in wardle's storage version (v1beta1). */
const stored = (name: string, ref: string): KubeObject => ({ apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name, namespace: 'default', labels: { app: 'x' } }, spec: { flunderReference: ref, referenceType: 'Flunder' } } as KubeObject);

async function run(state: Parameters<typeof fakeCluster>[0], obj: KubeObject, ctxExtra: Partial<OperationContext> = {}) {
  const plugin = new ValidatingAdmissionPolicies(fakeCluster(state), {
    labels: async () => ({ env: 'test' }),
    object: async (name) => ({ metadata: { name, labels: { env: 'test' } }, status: { phase: 'Active' } }),
  });
  await plugin.start();
  const annotations: Record<string, string> = {};
  const ctx: OperationContext = {
    operation: 'CREATE', dryRun: false, namespace: 'default', name: obj.metadata.name, requestVersion: 'v1alpha1', lookup: async () => [], warnings: [],
    annotate: (k, v) => { annotations[k] ??= v; }, ...ctxExtra,
  };
  try {
    await plugin.validate(obj, null, ctx, flunders);
    return { error: undefined, warnings: ctx.warnings!, annotations };
  } catch (err) {
    return { error: err as StatusError, warnings: ctx.warnings!, annotations };
  } finally {
    plugin.stop();
  }
}

describe('ValidatingAdmissionPolicy plugin', () => {
  it('sees the object at the matched version, with namespaceObject and request', async () => {
    const p = policy('p', { validations: [{ expression: "object.spec.reference == 'ok' && namespaceObject.metadata.labels.env == 'test' && request.kind.version == 'v1alpha1' && request.operation == 'CREATE'", message: 'nope' }] });
    assert.equal((await run({ policies: [p], bindings: [binding('b', 'p')] }, stored('a', 'ok'))).error, undefined);
    const refused = await run({ policies: [p], bindings: [binding('b', 'p')] }, stored('a', 'bad'));
    assert.ok(refused.error instanceof StatusError);
    assert.equal(refused.error.code, 422);
    assert.equal(refused.error.message, `flunders.wardle.example.com "a" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: nope`);
  });

  it('matchPolicy Equivalent: a policy for v1beta1 sees a v1alpha1 request at v1beta1; Exact does not match', async () => {
    const beta = [{ ...rules[0], apiVersions: ['v1beta1'] }];
    const p = (matchPolicy: 'Exact' | 'Equivalent') => policy('p', { matchConstraints: { resourceRules: beta, matchPolicy }, validations: [{ expression: "request.kind.version == 'v1beta1' && has(object.spec.flunderReference) && request.requestKind.version == 'v1alpha1'", message: 'seen at v1beta1' }] });
    assert.equal((await run({ policies: [p('Equivalent')], bindings: [binding('b', 'p', { validationActions: ['Warn'] })] }, stored('a', 'x'))).warnings.length, 0);
    const negated = policy('p', { matchConstraints: { resourceRules: beta }, validations: [{ expression: "request.kind.version != 'v1beta1'", message: 'seen at v1beta1' }] });
    assert.deepEqual((await run({ policies: [negated], bindings: [binding('b', 'p', { validationActions: ['Warn'] })] }, stored('a', 'x'))).warnings,
      ["Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': seen at v1beta1"]);
    const exact = policy('p', { matchConstraints: { resourceRules: beta, matchPolicy: 'Exact' }, validations: [{ expression: 'false' }] });
    assert.equal((await run({ policies: [exact], bindings: [binding('b', 'p')] }, stored('a', 'x'))).error, undefined);
  });

  it('excludeResourceRules, resourceNames and binding matchResources narrow what a policy sees', async () => {
    const deny = { validations: [{ expression: 'false', message: 'no' }] };
    const excluded = policy('p', { matchConstraints: { resourceRules: rules, excludeResourceRules: [{ ...rules[0], resourceNames: ['spared'] }] }, ...deny });
    assert.equal((await run({ policies: [excluded], bindings: [binding('b', 'p')] }, stored('spared', 'x'))).error, undefined);
    assert.ok((await run({ policies: [excluded], bindings: [binding('b', 'p')] }, stored('other', 'x'))).error);
    const narrowBinding = binding('b', 'p', { matchResources: { objectSelector: { matchLabels: { app: 'y' } } } });
    assert.equal((await run({ policies: [policy('p', deny)], bindings: [narrowBinding] }, stored('a', 'x'))).error, undefined);
  });

  it('Audit records the validation failure and auditAnnotations are published as <policy>/<key>', async () => {
    const p = policy('p', {
      validations: [{ expression: 'true' }, { expression: "object.spec.reference != 'x'", messageExpression: "'ref ' + object.spec.reference" }],
      auditAnnotations: [{ key: 'ref', valueExpression: "'seen ' + object.spec.reference" }, { key: 'none', valueExpression: 'null' }],
    });
    const result = await run({ policies: [p], bindings: [binding('b', 'p', { validationActions: ['Audit'] })] }, stored('a', 'x'));
    assert.equal(result.error, undefined);
    assert.deepEqual(result.annotations, {
      'validation.policy.admission.k8s.io/validation_failure': '[{"message":"ref x","policy":"p","binding":"b","expressionIndex":1,"validationActions":["Audit"]}]',
      'p/ref': 'seen x',
    });
  });

  it('params: a missing param kind fails the policy under Fail and is ignored under Ignore; an unreadable one names the cause', async () => {
    const withKind = (failurePolicy: 'Fail' | 'Ignore', kind = 'Nope') => policy('p', { failurePolicy, paramKind: { apiVersion: 'v1', kind }, validations: [{ expression: 'false' }] });
    const ref = binding('b', 'p', { paramRef: { name: 'cfg', parameterNotFoundAction: 'Deny' } });
    const failed = await run({ policies: [withKind('Fail')], bindings: [ref] }, stored('a', 'x'));
    assert.equal(failed.error?.message, `flunders.wardle.example.com "a" is forbidden: ValidatingAdmissionPolicy 'p' denied request: failed to configure policy: failed to find resource referenced by paramKind: '/v1, Kind=Nope'`);
    assert.equal((await run({ policies: [withKind('Ignore')], bindings: [ref] }, stored('a', 'x'))).error, undefined);
    const unreadable = await run({ policies: [withKind('Fail', 'ConfigMap')], bindings: [ref], configMaps: 'forbidden' }, stored('a', 'x'));
    assert.match(unreadable.error?.message ?? '', /with binding 'b' denied request: failed to configure binding: paramKind kind `&ParamKind\{APIVersion:v1,Kind:ConfigMap,\}` not yet synced to use for admission \(.*configmaps is forbidden/);
    const missing = await run({ policies: [withKind('Fail', 'ConfigMap')], bindings: [ref], configMaps: [] }, stored('a', 'x'));
    assert.match(missing.error?.message ?? '', /failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction$/);
  });

  it('params by name in the request namespace, typed with the paramKind; a runtime error follows failurePolicy', async () => {
    const cm = { metadata: { name: 'cfg', namespace: 'default' }, data: { max: '3' } };
    const p = (failurePolicy: 'Fail' | 'Ignore') => policy('p', { failurePolicy, paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [
      { expression: "params.kind == 'ConfigMap' && size(object.spec.reference) <= int(params.data.max)", messageExpression: "'longer than ' + params.data.max", reason: 'Forbidden' },
      { expression: 'params.data.missing == 1' },
    ] });
    const ref = binding('b', 'p', { paramRef: { name: 'cfg' } });
    const refused = await run({ policies: [p('Fail')], bindings: [ref], configMaps: [cm] }, stored('a', 'abcdef'));
    assert.equal(refused.error?.code, 403);
    assert.equal(refused.error?.reason, 'Forbidden');
    assert.match(refused.error?.message ?? '', /denied request: longer than 3$/);
    const errored = await run({ policies: [p('Fail')], bindings: [ref], configMaps: [cm] }, stored('a', 'ab'));
    assert.equal(errored.error?.code, 422);
    assert.match(errored.error?.message ?? '', /denied request: expression 'params.data.missing == 1' resulted in error: no such key: missing$/);
    assert.equal((await run({ policies: [p('Ignore')], bindings: [ref], configMaps: [cm] }, stored('a', 'ab'))).error, undefined);
  });
});
