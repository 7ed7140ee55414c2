import { matchesLabelRequirement, type LabelRequirement } from '../../apimachinery/selectors/labels.ts';
import { StatusError } from '../../errors/status-error.ts';
import { servedVersions } from '../../resource/versions.ts';
import type { AdmissionAttributes } from './review.ts';
import type { LabelSelectorSpec, WebhookRule } from './types.ts';

/** A rule that may also name objects (a policy's NamedRuleWithOperations; webhooks' rules name none). */
export type NamedWebhookRule = WebhookRule & { resourceNames?: string[] };

/** Namespace labels for namespaceSelector; undefined when the namespace is unknown. */
export type NamespaceLabels = (namespace: string) => Promise<Record<string, string> | undefined>;

/** What a rule is matched against: one request as one version of one resource. */
export interface RuleAttributes {
  operation: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** Empty for cluster-scoped objects. */
  namespace: string;
  /** The object's name ('' when the server generates it), for resourceNames. */
  name: string;
}

/** True when one of the webhook's rules covers the request (operations, groups, versions, resources with subresources, scope). */
export function rulesMatch(rules: NamedWebhookRule[] | undefined, attrs: RuleAttributes): boolean {
  return (rules ?? []).some((rule) => ruleMatches(rule, attrs));
}

function ruleMatches(rule: NamedWebhookRule, a: RuleAttributes): boolean {
  const has = (list: string[] | undefined, value: string) => (list ?? []).some((x) => x === '*' || x === value);
  if (!has(rule.operations, a.operation) || !has(rule.apiGroups, a.group) || !has(rule.apiVersions, a.version)) return false;
  const resourceMatch = (rule.resources ?? []).some((entry) => {
    const [res, sub = ''] = entry.split('/', 2);
    return (res === '*' || res === a.resource) && (sub === '*' || sub === a.subresource);
  });
  if (!resourceMatch) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && a.namespace !== '') return false;
  if (scope === 'Namespaced' && a.namespace === '') return false;
  return !rule.resourceNames?.length || rule.resourceNames.includes(a.name);
}

/**
 * The version at which `rules` cover the request: the request's own, or (matchPolicy Equivalent,
 * the default) another served version of the same resource; undefined when none matches.
 */
export function matchingVersion(rules: NamedWebhookRule[] | undefined, matchPolicy: 'Exact' | 'Equivalent' | undefined, attrs: AdmissionAttributes): string | undefined {
  const { resource, ctx } = attrs;
  const base = { operation: ctx.operation, group: resource.group, resource: resource.plural, subresource: ctx.subresource ?? '', namespace: resource.namespaced ? ctx.namespace ?? '' : '', name: ctx.name ?? '' };
  if (rulesMatch(rules, { ...base, version: attrs.requestVersion })) return attrs.requestVersion;
  if (matchPolicy === 'Exact') return undefined;
  return servedVersions(resource).map((v) => v.name).find((v) => v !== attrs.requestVersion && rulesMatch(rules, { ...base, version: v }));
}

/**
 * A namespaceSelector against the request's namespace: always true for cluster-scoped requests
 * and empty selectors; a namespace that does not exist is kube-apiserver's 404.
 */
export async function namespaceSelectorMatches(selector: LabelSelectorSpec | undefined, attrs: AdmissionAttributes, namespaceLabels: NamespaceLabels): Promise<boolean> {
  if (!selector || (!selector.matchLabels && !selector.matchExpressions?.length)) return true;
  if (!attrs.resource.namespaced || !attrs.ctx.namespace) return true;
  const labels = await namespaceLabels(attrs.ctx.namespace);
  if (labels === undefined) throw new StatusError(404, 'NotFound', `namespaces "${attrs.ctx.namespace}" not found`, { name: attrs.ctx.namespace, kind: 'namespaces' });
  return selectorMatches(selector, labels);
}

/** A metav1.LabelSelector as requirements; an invalid operator matches nothing, as upstream refuses such a selector. */
export function selectorMatches(selector: LabelSelectorSpec | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const requirements: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, operator: '=', values: [value] }));
  for (const e of selector.matchExpressions ?? []) {
    const operator = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[e.operator];
    if (!operator) return false;
    requirements.push({ key: e.key, operator, values: [...(e.values ?? [])].sort() });
  }
  return requirements.every((r) => matchesLabelRequirement(r, labels));
}

/**
 * The webhook's objectSelector against the new object's labels or, failing that, the old
 * object's (either may match), as upstream.
 */
export function objectSelectorMatches(hook: { objectSelector?: LabelSelectorSpec }, object: unknown, oldObject: unknown): boolean {
  if (!hook.objectSelector) return true;
  const labelsOf = (o: unknown) => (o as { metadata?: { labels?: Record<string, string> } } | null)?.metadata?.labels;
  return (object != null && selectorMatches(hook.objectSelector, labelsOf(object)))
    || (oldObject != null && selectorMatches(hook.objectSelector, labelsOf(oldObject)));
}
