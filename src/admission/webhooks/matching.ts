import { matchesLabelRequirement, type LabelRequirement } from '../../apimachinery/selectors/labels.ts';
import type { LabelSelectorSpec, Webhook, WebhookRule } from './types.ts';

/** What a rule is matched against: one request as one version of one resource. */
export interface RuleAttributes {
  operation: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** Empty for cluster-scoped objects. */
  namespace: string;
}

/** True when one of the webhook's rules covers the request (operations, groups, versions, resources with subresources, scope). */
export function rulesMatch(rules: WebhookRule[] | undefined, attrs: RuleAttributes): boolean {
  return (rules ?? []).some((rule) => ruleMatches(rule, attrs));
}

function ruleMatches(rule: WebhookRule, a: RuleAttributes): boolean {
  const has = (list: string[] | undefined, value: string) => (list ?? []).some((x) => x === '*' || x === value);
  if (!has(rule.operations, a.operation) || !has(rule.apiGroups, a.group) || !has(rule.apiVersions, a.version)) return false;
  const resourceMatch = (rule.resources ?? []).some((entry) => {
    const [res, sub = ''] = entry.split('/', 2);
    return (res === '*' || res === a.resource) && (sub === '*' || sub === a.subresource);
  });
  if (!resourceMatch) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster') return a.namespace === '';
  if (scope === 'Namespaced') return a.namespace !== '';
  return true;
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
export function objectSelectorMatches(hook: Webhook, object: unknown, oldObject: unknown): boolean {
  if (!hook.objectSelector) return true;
  const labelsOf = (o: unknown) => (o as { metadata?: { labels?: Record<string, string> } } | null)?.metadata?.labels;
  return (object != null && selectorMatches(hook.objectSelector, labelsOf(object)))
    || (oldObject != null && selectorMatches(hook.objectSelector, labelsOf(oldObject)));
}
