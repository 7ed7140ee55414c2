import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRequestInfo } from '../endpoints/request-info.ts';
import { AuditPolicyChecker, validateAuditPolicy } from './policy.ts';
import type { AuditPolicy } from './types.ts';

const info = (method: string, path: string) => parseRequestInfo(method, path, new URLSearchParams());
const alice = { username: 'alice', groups: ['dev', 'system:authenticated'] };

const policy: AuditPolicy = {
  apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['RequestReceived'], omitManagedFields: true,
  rules: [
    { level: 'None', users: ['system:kube-proxy'] },
    { level: 'None', nonResourceURLs: ['/healthz*', '/version'] },
    { level: 'Metadata', resources: [{ group: 'wardle.example.com', resources: ['flunders/status'] }], omitStages: ['ResponseStarted'] },
    { level: 'Request', resources: [{ group: 'wardle.example.com', resources: ['fischers'], resourceNames: ['keep'] }], omitManagedFields: false },
    { level: 'RequestResponse', userGroups: ['dev'], verbs: ['create', 'update'], namespaces: ['team'] },
    { level: 'Metadata', resources: [{ group: 'wardle.example.com', resources: ['*/scale'] }] },
    { level: 'Request', resources: [{ group: 'wardle.example.com', resources: ['flunders/*'] }] },
  ],
};
const checker = new AuditPolicyChecker(policy);

describe('audit policy rules (first match wins, as kube-apiserver)', () => {
  it('matches users and non-resource URLs with a trailing wildcard', () => {
    assert.equal(checker.decide({ username: 'system:kube-proxy', groups: [] }, info('GET', '/apis/wardle.example.com/v1alpha1/flunders')).level, 'None');
    assert.equal(checker.decide(alice, info('GET', '/healthz/ping')).level, 'None');
    assert.equal(checker.decide(alice, info('GET', '/version')).level, 'None');
    assert.equal(checker.decide(alice, info('GET', '/versions')).level, 'None', 'no rule matches /versions: None');
  });

  it('matches resource/subresource, resourceNames, */subresource and resource/*', () => {
    const status = checker.decide(alice, info('PUT', '/apis/wardle.example.com/v1alpha1/namespaces/x/flunders/a/status'));
    assert.deepEqual(status, { level: 'Metadata', omitStages: ['RequestReceived', 'ResponseStarted'], omitManagedFields: true });
    assert.deepEqual(checker.decide(alice, info('GET', '/apis/wardle.example.com/v1alpha1/fischers/keep')), { level: 'Request', omitStages: ['RequestReceived'], omitManagedFields: false });
    assert.equal(checker.decide(alice, info('GET', '/apis/wardle.example.com/v1alpha1/fischers/other')).level, 'None');
    assert.equal(checker.decide(alice, info('PUT', '/apis/wardle.example.com/v1alpha1/namespaces/x/flunders/a/scale')).level, 'Metadata');
    assert.equal(checker.decide(alice, info('GET', '/apis/wardle.example.com/v1alpha1/namespaces/x/flunders/a')).level, 'Request', '"flunders/*" also matches the resource itself, as upstream');
  });

  it('needs every set field of a rule to match (groups, verbs, namespaces)', () => {
    const create = info('POST', '/apis/wardle.example.com/v1alpha1/namespaces/team/flunders');
    assert.equal(checker.decide(alice, create).level, 'RequestResponse');
    assert.equal(checker.decide({ username: 'bob', groups: [] }, create).level, 'Request');
    assert.equal(checker.decide(alice, info('DELETE', '/apis/wardle.example.com/v1alpha1/namespaces/team/flunders/a')).level, 'Request');
  });

  it('refuses invalid policies with field paths', () => {
    assert.deepEqual(validateAuditPolicy(policy), []);
    const problems = validateAuditPolicy({
      apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['Nope'],
      rules: [{ level: 'Everything' }, { level: 'None', resources: [{ group: '' }], nonResourceURLs: ['/x'] }, { level: 'None', nonResourceURLs: ['x', '/a*b'] }],
    });
    assert.deepEqual(problems, [
      'omitStages: Invalid value: "Nope": allowed stages are "RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"',
      'rules[0].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"',
      'rules[1].nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs',
      'rules[2].nonResourceURLs[0]: Invalid value: "x": non-resource URL rules must begin with a \'/\' character',
      'rules[2].nonResourceURLs[1]: Invalid value: "/a*b": non-resource URL wildcards (\'*\') must be the final character of the rule',
    ]);
    assert.deepEqual(validateAuditPolicy({ apiVersion: 'audit.k8s.io/v1beta1', kind: 'Policy', rules: [] }), ['apiVersion/kind must be audit.k8s.io/v1 Policy (got audit.k8s.io/v1beta1 Policy)']);
  });
});
