import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { UserInfo } from '../resource/define-resource.ts';
import type { RequestInfo } from '../endpoints/request-info.ts';
import { AUDIT_LEVELS, AUDIT_STAGES, type AuditLevel, type AuditPolicy, type AuditStage, type PolicyGroupResources, type PolicyRule } from './types.ts';

/** What the policy decides for one request. */
export interface AuditDecision {
  level: AuditLevel;
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

const NO_AUDIT: AuditDecision = { level: 'None', omitStages: [], omitManagedFields: false };

/**
 * An audit Policy ready to evaluate: the first rule matching a request gives its level, its
 * omitStages joined with the policy's, and its omitManagedFields (else the policy's). No match: None.
 */
export class AuditPolicyChecker {
  readonly policy: AuditPolicy;

  constructor(policy: AuditPolicy) {
    this.policy = policy;
  }

  /** The decision for `user` doing what `info` describes. */
  decide(user: Pick<UserInfo, 'username' | 'groups'>, info: RequestInfo): AuditDecision {
    const rule = this.policy.rules.find((r) => ruleMatches(r, user, info));
    if (!rule) return NO_AUDIT;
    return {
      level: rule.level,
      omitStages: [...new Set([...(this.policy.omitStages ?? []), ...(rule.omitStages ?? [])])],
      omitManagedFields: rule.omitManagedFields ?? this.policy.omitManagedFields ?? false,
    };
  }
}

/** Reads and validates an audit.k8s.io/v1 Policy file (YAML or JSON); throws one sentence naming the problem. */
export function loadAuditPolicyFile(path: string): AuditPolicyChecker {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (err) {
    throw new Error(`cannot read the audit policy file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let doc: unknown;
  try { doc = parseYaml(text); } catch (err) {
    throw new Error(`the audit policy file ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const problems = validateAuditPolicy(doc);
  if (problems.length > 0) throw new Error(`the audit policy file ${path} is invalid: ${problems.join('; ')}`);
  return new AuditPolicyChecker(doc as AuditPolicy);
}

/** The problems of a Policy document (empty when valid), worded with field paths as kube-apiserver's validation. */
export function validateAuditPolicy(doc: unknown): string[] {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return ['it must be a Policy object'];
  const p = doc as Record<string, unknown>;
  const problems: string[] = [];
  if (p.apiVersion !== 'audit.k8s.io/v1' || p.kind !== 'Policy') problems.push(`apiVersion/kind must be audit.k8s.io/v1 Policy (got ${String(p.apiVersion)} ${String(p.kind)})`);
  problems.push(...stageProblems(p.omitStages, 'omitStages'));
  if (!Array.isArray(p.rules)) problems.push('rules: Required value: a policy needs at least one rule');
  else p.rules.forEach((rule, i) => problems.push(...ruleProblems(rule, `rules[${i}]`)));
  return problems;
}

function ruleProblems(rule: unknown, path: string): string[] {
  if (!rule || typeof rule !== 'object') return [`${path}: must be an object`];
  const r = rule as Record<string, unknown>;
  const problems: string[] = [];
  if (!AUDIT_LEVELS.includes(r.level as AuditLevel)) problems.push(`${path}.level: Unsupported value: ${JSON.stringify(r.level ?? '')}: supported values: ${AUDIT_LEVELS.map((l) => `"${l}"`).join(', ')}`);
  for (const field of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs'] as const) {
    if (r[field] !== undefined && !isStringArray(r[field])) problems.push(`${path}.${field}: must be a list of strings`);
  }
  const resources = r.resources as PolicyGroupResources[] | undefined;
  const urls = r.nonResourceURLs as string[] | undefined;
  if (resources?.length && urls?.length) problems.push(`${path}.nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs`);
  for (const [i, url] of (isStringArray(urls) ? urls : []).entries()) {
    if (!url.startsWith('/') && url !== '*') problems.push(`${path}.nonResourceURLs[${i}]: Invalid value: "${url}": non-resource URL rules must begin with a '/' character`);
    if (url.slice(0, -1).includes('*')) problems.push(`${path}.nonResourceURLs[${i}]: Invalid value: "${url}": non-resource URL wildcards ('*') must be the final character of the rule`);
  }
  if (resources !== undefined && !Array.isArray(resources)) problems.push(`${path}.resources: must be a list`);
  problems.push(...stageProblems(r.omitStages, `${path}.omitStages`));
  return problems;
}

function stageProblems(stages: unknown, path: string): string[] {
  if (stages === undefined) return [];
  if (!isStringArray(stages)) return [`${path}: must be a list of stages`];
  return stages.filter((s) => !AUDIT_STAGES.includes(s as AuditStage))
    .map((s) => `${path}: Invalid value: "${s}": allowed stages are ${AUDIT_STAGES.map((x) => `"${x}"`).join(', ')}`);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function ruleMatches(rule: PolicyRule, user: Pick<UserInfo, 'username' | 'groups'>, info: RequestInfo): boolean {
  if (rule.users?.length && !rule.users.includes(user.username)) return false;
  if (rule.userGroups?.length && !user.groups.some((g) => rule.userGroups!.includes(g))) return false;
  if (rule.verbs?.length && !rule.verbs.includes(info.verb)) return false;
  if (rule.namespaces?.length || rule.resources?.length) {
    if (!info.isResourceRequest) return false;
    if (rule.namespaces?.length && !rule.namespaces.includes(info.namespace)) return false;
    if (rule.resources?.length && !rule.resources.some((gr) => groupResourceMatches(gr, info))) return false;
  }
  if (rule.nonResourceURLs?.length) {
    if (info.isResourceRequest) return false;
    if (!rule.nonResourceURLs.some((u) => urlMatches(u, info.path))) return false;
  }
  return true;
}

function groupResourceMatches(gr: PolicyGroupResources, info: RequestInfo): boolean {
  if ((gr.group ?? '') !== info.apiGroup) return false;
  if (!gr.resources?.length) return true;
  if (gr.resourceNames?.length && !gr.resourceNames.includes(info.name)) return false;
  const combined = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  return gr.resources.some((r) => r === '*' || r === combined || r === `${info.resource}/*`
    || (info.subresource !== '' && r === `*/${info.subresource}`));
}

function urlMatches(pattern: string, path: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return pattern === path;
}
