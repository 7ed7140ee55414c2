/**
 * ValidatingAdmissionPolicy through the real aggregator. kube-apiserver proxies requests for
 * wardle's Flunders without running its own admission, so a policy bound to them is enforced only
 * because extapi runs it; the CRD twin's answers come from kube-apiserver's own plugin. The same
 * policy + binding + param (a PolicyParam custom resource) apply to both; kubectl shows the same refusal and warning,
 * and seeded random configurations (params, messageExpression, reason, matchConditions,
 * validationActions, failurePolicy, paramRef by name or selector, a missing param under Deny)
 * give the same status code, reason, message, causes and warnings.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import { directCall, type DirectResponse } from './support/https-client.ts';
import { flunderCrdTwinYaml, flunderDeprecationWarning } from './support/flunder-crd-twin.ts';
import { registrationYaml, serverRbacYaml, startWardle, waitAvailable, type WardleProcess } from './support/wardle-server.ts';
import { seededFloats } from '../fuzz/random.ts';

const RUN = Math.random().toString(36).slice(2, 7);
const NS = `policies-e2e-${RUN}`;
const SERVER_USER = `wardle-policies-${RUN}`;
const CRD_GROUP = `policies-${RUN}.example.com`;
const OURS = 'wardle.example.com';
const PREFIX = `e2e-${RUN}`;
const SEED = Number(process.env.EXTAPI_POLICY_SEED ?? 20261129);
const DEPRECATED = `Warning: ${flunderDeprecationWarning(OURS)}\n`;

/** One configuration: a policy, its binding and its param ConfigMaps. */
interface PolicyCase {
  tag: string;
  reason?: string;
  message: 'messageExpression' | 'message' | 'none' | 'brokenMessageExpression';
  actions: ('Deny' | 'Warn' | 'Audit')[];
  param: 'name' | 'selector' | 'missing-deny';
  paramNamespace: boolean;
  maxLength: number;
  matchCondition: boolean;
  failurePolicy: 'Fail' | 'Ignore';
}

/**
 * The param kind: a CRD, not a ConfigMap. kube-apiserver 1.36.3 stops its shared ConfigMap
 * informer for good when the last policy with that paramKind is deleted (policy_source.go starts
 * the shared factory with the policy's stop channel), so ConfigMap params of later policies are
 * never found again in that process; a CRD param gets a fresh dynamic informer each time.
 */
const PARAM_CRD_YAML = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: policyparams.${CRD_GROUP}}
spec:
  group: ${CRD_GROUP}
  scope: Namespaced
  names: {plural: policyparams, singular: policyparam, kind: PolicyParam, listKind: PolicyParamList}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {maxLength: {type: integer}, tag: {type: string}}}}
`;

/** The YAML of a case: policy `<prefix>-<tag>`, binding `<prefix>-<tag>-binding`, PolicyParams params-<tag> (and a decoy). */
function caseYaml(c: PolicyCase): string {
  const policy = `${PREFIX}-${c.tag}`;
  const message = {
    messageExpression: `messageExpression: "'reference ' + variables.ref + ' is longer than ' + string(params.maxLength)"`,
    message: 'message: "reference too long"',
    none: '',
    brokenMessageExpression: 'messageExpression: "object.spec.nothing + \'x\'"\n    message: "fallback message"',
  }[c.message];
  const paramRef = c.param === 'selector'
    ? `selector: {matchLabels: {param: "${c.tag}"}}`
    : `name: ${c.param === 'missing-deny' ? `absent-${c.tag}` : `params-${c.tag}`}`;
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${policy}}
spec:
  failurePolicy: ${c.failurePolicy}
  paramKind: {apiVersion: ${CRD_GROUP}/v1, kind: PolicyParam}
  matchConstraints:
    resourceRules: [{operations: [CREATE, UPDATE], apiGroups: [${OURS}, ${CRD_GROUP}], apiVersions: ["*"], resources: [flunders]}]
    namespaceSelector: {matchLabels: {e2e: "${RUN}"}}
${c.matchCondition ? `  matchConditions: [{name: not-skipped, expression: "!has(object.metadata.labels) || !('skip' in object.metadata.labels)"}]\n` : ''}  variables: [{name: ref, expression: "has(object.spec.reference) ? object.spec.reference : ''"}]
  validations:
  - expression: "object.metadata.name != 'probe' || params.tag != '${c.tag}'"
    message: "probe ${c.tag}"
  - expression: "size(variables.ref) <= params.maxLength"
    ${message}
${c.reason ? `    reason: ${c.reason}\n` : ''}  - expression: "variables.ref != 'ab'"
  - expression: "!has(object.metadata.annotations) || object.metadata.annotations.boom == 'yes'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${policy}-binding}
spec:
  policyName: ${policy}
  validationActions: [${c.actions.join(', ')}]
  paramRef: {${paramRef}, ${c.paramNamespace ? `namespace: ${NS}, ` : ''}parameterNotFoundAction: ${c.param === 'missing-deny' ? 'Deny' : 'Allow'}}
---
apiVersion: ${CRD_GROUP}/v1
kind: PolicyParam
metadata: {name: params-${c.tag}, namespace: ${NS}, labels: {param: "${c.tag}"}}
maxLength: ${c.maxLength}
tag: "${c.tag}"
---
apiVersion: ${CRD_GROUP}/v1
kind: PolicyParam
metadata: {name: decoy-${c.tag}, namespace: ${NS}, labels: {param: "other"}}
maxLength: 0
tag: decoy
`;
}

interface Answer { code: number; reason?: string; message?: string; causes?: unknown; warnings: string[] }

describe('ValidatingAdmissionPolicy through the aggregator, against the CRD twin', () => {
  let cp: ControlPlane;
  let wardle: WardleProcess;
  let pki: Record<string, string>;

  const kubectlApply = async (yaml: string) => {
    const res = await cp.kubectl(['apply', '-f', '-'], { input: yaml });
    assert.equal(res.code, 0, res.stderr);
  };
  const removeCase = async () => {
    const names = (await cp.kubectl(['get', 'validatingadmissionpolicies,validatingadmissionpolicybindings', '-o', 'name'])).stdout.split('\n').filter((n) => n.includes(PREFIX));
    if (names.length) await cp.kubectl(['delete', ...names, '--ignore-not-found']);
    await cp.kubectl(['delete', `policyparams.${CRD_GROUP}`, '-n', NS, '--all', '--ignore-not-found']);
  };

  const call = (group: string, body: unknown, query = '') => directCall(`${cp.url}/apis/${group}/v1alpha1/namespaces/${NS}/flunders${query}`,
    { ca: cp.caPem, cert: pki['admin.crt'], key: pki['admin.key'], method: 'POST', body });
  const flunder = (group: string, name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
    ({ apiVersion: `${group}/v1alpha1`, kind: 'Flunder', metadata: { name, namespace: NS, ...metadata }, spec });
  const answer = (res: DirectResponse, group: string): Answer => {
    const norm = (s: string) => s.split(group).join('GROUP');
    const header = res.headers.warning;
    const warnings = (Array.isArray(header) ? header : header ? [header] : []).map(norm);
    if (res.status >= 400) return { code: res.status, reason: res.body?.reason, message: norm(res.body?.message ?? ''), causes: JSON.parse(norm(JSON.stringify(res.body?.details ?? null))), warnings };
    return { code: res.status, warnings };
  };

  /**
   * Waits until both servers apply case `c`: a probe object is refused or warned about with the
   * case's probe message (or, for a missing param under Deny, the binding's configuration error)
   * and nothing names the previous case any more.
   */
  const waitApplied = async (c: PolicyCase, previous?: string) => {
    const binding = `'${PREFIX}-${c.tag}-binding'`;
    const marker = c.param === 'missing-deny' ? `${binding} denied request: failed to configure binding: no params found` : `probe ${c.tag}`;
    const deadline = Date.now() + 60_000;
    let last = '';
    for (const group of [CRD_GROUP, OURS]) {
      for (;;) {
        const res = await call(group, flunder(group, 'probe', { reference: 'p', referenceType: 'Flunder' }), '?dryRun=All');
        last = `${res.status} ${res.text} ${JSON.stringify(res.headers.warning ?? '')}`;
        if (last.includes(marker) && (!previous || !last.includes(`${PREFIX}-${previous}`))) break;
        assert.ok(Date.now() < deadline, `${group} did not apply policy case ${JSON.stringify(c)}: ${last}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  };

  before(async () => {
    cp = await getSharedControlPlane();
    const dir = join(cp.dir, 'pki');
    pki = Object.fromEntries(await Promise.all(['admin.crt', 'admin.key'].map(async (f) => [f, await readFile(join(dir, f), 'utf8')])));
    // The server reads the policies (its ClusterRole, as `extapi manifests` writes it) and the param kind: granted separately, as docs/admission-policies.md says.
    await kubectlApply(`${serverRbacYaml(SERVER_USER, SERVER_USER)}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${SERVER_USER}:policy-params}
rules: [{apiGroups: [${CRD_GROUP}], resources: [policyparams], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${SERVER_USER}:policy-params}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${SERVER_USER}:policy-params}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${SERVER_USER}}]
`);
    wardle = await startWardle({ kubeconfig: await cp.mintKubeconfig(SERVER_USER), serviceDnsName: `api.${NS}.svc` });
    await kubectlApply(registrationYaml(NS, 'api', wardle.port, wardle.ca.certPem) + `---\n${flunderCrdTwinYaml(CRD_GROUP)}---\n${PARAM_CRD_YAML}`);
    assert.equal((await cp.kubectl(['label', 'namespace', NS, `e2e=${RUN}`])).code, 0);
    await waitAvailable(cp);
    assert.equal((await cp.kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/flunders.${CRD_GROUP}`, `crd/policyparams.${CRD_GROUP}`])).code, 0);
  });

  after(async () => {
    await removeCase().catch(() => undefined);
    await cp?.kubectl(['delete', 'apiservice', `v1alpha1.${OURS}`, `v1beta1.${OURS}`, '--ignore-not-found']);
    await cp?.kubectl(['delete', 'crd', `flunders.${CRD_GROUP}`, `policyparams.${CRD_GROUP}`, '--ignore-not-found', '--wait=false']);
    await cp?.kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
    await cp?.kubectl(['delete', 'clusterrole,clusterrolebinding', SERVER_USER, `${SERVER_USER}:auth-delegator`, `${SERVER_USER}:policy-params`, '--ignore-not-found']);
    await wardle?.stop();
    await (await getSharedControlPlane()).stop();
  });

  const base: Omit<PolicyCase, 'tag' | 'actions'> = { message: 'messageExpression', param: 'name', paramNamespace: true, maxLength: 5, matchCondition: false, failurePolicy: 'Fail' };
  const kubectlCreate = (group: string, name: string, reference: string) => cp.kubectl(['create', '-f', '-'], { input: JSON.stringify(flunder(group, name, { reference, referenceType: 'Flunder' })) });

  it('a policy with a param denies a Flunder: kubectl shows the CRD twin\'s refusal', async () => {
    const c: PolicyCase = { ...base, tag: 'deny', actions: ['Deny'] };
    await kubectlApply(caseYaml(c));
    await waitApplied(c);
    const ours = await kubectlCreate(OURS, 'too-long', 'abcdefgh');
    const theirs = await kubectlCreate(CRD_GROUP, 'too-long', 'abcdefgh');
    assert.notEqual(ours.code, 0);
    assert.equal(ours.stderr.trim(), `${DEPRECATED}The flunders "too-long" is invalid: : ValidatingAdmissionPolicy '${PREFIX}-deny' with binding '${PREFIX}-deny-binding' denied request: reference abcdefgh is longer than 5`);
    assert.equal(ours.stderr.split(OURS).join('G'), theirs.stderr.split(CRD_GROUP).join('G'));
    assert.equal((await cp.kubectl(['get', `flunders.${OURS}`, 'too-long', '-n', NS])).code, 1, 'nothing was stored');
    const fits = await kubectlCreate(OURS, 'fits', 'abc');
    assert.equal(fits.code, 0, fits.stderr);
  });

  it('the Warn action: kubectl shows the CRD twin\'s warning and the Flunder is stored', async () => {
    await removeCase();
    const c: PolicyCase = { ...base, tag: 'warn', actions: ['Warn'] };
    await kubectlApply(caseYaml(c));
    await waitApplied(c, 'deny');
    const ours = await kubectlCreate(OURS, 'warned', 'abcdefgh');
    const theirs = await kubectlCreate(CRD_GROUP, 'warned', 'abcdefgh');
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stderr.trim(), `${DEPRECATED}Warning: Validation failed for ValidatingAdmissionPolicy '${PREFIX}-warn' with binding '${PREFIX}-warn-binding': reference abcdefgh is longer than 5`);
    assert.equal(ours.stderr.split(OURS).join('G'), theirs.stderr.split(CRD_GROUP).join('G'));
    const stored = await cp.kubectl(['get', `flunders.v1alpha1.${OURS}`, 'warned', '-n', NS, '-o', 'jsonpath={.spec.reference}']);
    assert.equal(stored.stdout, 'abcdefgh');
  });

  it(`seeded random configurations and objects (seed ${SEED}) get the CRD twin's answers`, async () => {
    const rand = seededFloats(SEED);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)];
    const seen = new Set<string>();
    let previous = 'warn';
    /** Two scripted cases first (a Forbidden and a RequestEntityTooLarge refusal), then random ones. */
    const scripted: Partial<PolicyCase>[] = [
      { reason: 'Forbidden', message: 'message', actions: ['Deny'], param: 'name', maxLength: 2, matchCondition: true, failurePolicy: 'Fail' },
      { reason: 'RequestEntityTooLarge', message: 'none', actions: ['Deny', 'Audit'], param: 'selector', maxLength: 4, matchCondition: false, failurePolicy: 'Ignore' },
    ];
    for (let k = 0; k < 12; k++) {
      const c: PolicyCase = {
        tag: `r${k}`,
        reason: pick([undefined, 'Forbidden', 'Invalid', 'RequestEntityTooLarge']),
        message: pick(['messageExpression', 'message', 'none', 'brokenMessageExpression'] as const),
        actions: pick([['Deny'], ['Warn'], ['Deny', 'Audit'], ['Warn', 'Audit']] as PolicyCase['actions'][]),
        param: pick(['name', 'name', 'name', 'selector', 'selector', 'missing-deny'] as const),
        paramNamespace: rand() < 0.5,
        maxLength: pick([2, 4, 6]),
        matchCondition: rand() < 0.5,
        failurePolicy: pick(['Fail', 'Ignore'] as const),
      };
      Object.assign(c, scripted[k] ?? {});
      // A missing param under Ignore changes nothing a probe could see; such a case is kept to Fail.
      if (c.param === 'missing-deny') c.failurePolicy = 'Fail';
      await removeCase();
      await kubectlApply(caseYaml(c));
      await waitApplied(c, previous);
      previous = c.tag;
      for (let i = 0; i < 6; i++) {
        const name = `c${k}-${i}`;
        // Wardle's own validation: a reference needs referenceType Flunder (kept valid, so admission decides).
        const reference = pick([undefined, 'ab', 'abcde', 'abcdefgh']);
        const spec: Record<string, unknown> = reference ? { reference, referenceType: 'Flunder' } : {};
        const metadata: Record<string, unknown> = {};
        if (rand() < 0.4) metadata.labels = pick([{ skip: 'true' }, { other: 'x' }]);
        if (rand() < 0.4) metadata.annotations = pick([{ boom: 'yes' }, { boom: 'no' }, { other: 'x' }]);
        const theirs = answer(await call(CRD_GROUP, flunder(CRD_GROUP, name, spec, metadata)), CRD_GROUP);
        const ours = answer(await call(OURS, flunder(OURS, name, spec, metadata)), OURS);
        assert.deepEqual(ours, theirs, `case ${JSON.stringify(c)}, object ${JSON.stringify({ spec, metadata })}: extapi answered differently from kube-apiserver's CRD`);
        if (process.env.EXTAPI_POLICY_DEBUG) console.log(k, i, JSON.stringify(c), JSON.stringify({ spec, metadata }), JSON.stringify(ours));
        const outcome = `${ours.code} ${ours.reason ?? ''} ${ours.message ?? ''} ${ours.warnings.join(' | ').replace(/299 - "[^"]*is deprecated[^"]*"(, )?/, '')}`;
        seen.add(outcome.replace(`"${name}"`, '"<name>"').replace(new RegExp(`${PREFIX}-r\\d+`, 'g'), '<policy>'));
      }
    }
    const outcomes = [...seen].join('\n');
    console.log(`[admission-policies] distinct answers:\n${outcomes}`);
    for (const expected of [/^201 /m, /^422 Invalid .*denied request/m, /^403 Forbidden .*denied request: reference too long/m, /^413 RequestEntityTooLarge .*denied request: failed expression/m, /Validation failed for ValidatingAdmissionPolicy/, /failed expression: variables\.ref != 'ab'/, /resulted in error: no such key: boom/]) {
      assert.match(outcomes, expected, 'the seeded cases cover this outcome');
    }
  });
});
