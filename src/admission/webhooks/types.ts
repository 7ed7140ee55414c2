/** admissionregistration.k8s.io/v1 webhook configurations and admission.k8s.io/v1 AdmissionReview, as much as extapi reads. */

/** A metav1.LabelSelector. */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** One RuleWithOperations. */
export interface WebhookRule {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: '*' | 'Cluster' | 'Namespaced';
}

/** A WebhookClientConfig: a URL, or a Service of the cluster; caBundle verifies the webhook's certificate. */
export interface WebhookClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port?: number };
  caBundle?: string;
}

/** One webhook of a Mutating- or ValidatingWebhookConfiguration. */
export interface Webhook {
  name: string;
  clientConfig: WebhookClientConfig;
  rules?: WebhookRule[];
  failurePolicy?: 'Fail' | 'Ignore';
  matchPolicy?: 'Exact' | 'Equivalent';
  namespaceSelector?: LabelSelectorSpec;
  objectSelector?: LabelSelectorSpec;
  sideEffects?: 'None' | 'NoneOnDryRun' | 'Some' | 'Unknown';
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  reinvocationPolicy?: 'Never' | 'IfNeeded';
  matchConditions?: { name: string; expression: string }[];
}

/** A Mutating- or ValidatingWebhookConfiguration. */
export interface WebhookConfiguration {
  metadata?: { name?: string; resourceVersion?: string };
  webhooks?: Webhook[];
  [key: string]: unknown;
}

/** group/version/kind and group/version/resource as AdmissionReview writes them. */
export interface GroupVersionKind { group: string; version: string; kind: string }
/** @see GroupVersionKind */
export interface GroupVersionResource { group: string; version: string; resource: string }

/** The request of an admission.k8s.io/v1 AdmissionReview. */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind: GroupVersionKind;
  requestResource: GroupVersionResource;
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  userInfo: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  object: unknown;
  oldObject: unknown;
  dryRun: boolean;
  options: unknown;
}

/** The response of an AdmissionReview. */
export interface AdmissionResponse {
  uid?: string;
  allowed?: boolean;
  status?: { code?: number; message?: string; reason?: string; status?: string; details?: unknown };
  patch?: string;
  patchType?: string;
  auditAnnotations?: Record<string, string>;
  warnings?: string[];
}
