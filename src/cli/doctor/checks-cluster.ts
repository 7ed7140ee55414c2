/**
 * Cluster-level checks: the APIService API (step 1), the current user's permissions (2), the
 * namespace (3), each APIService (14), listing each resource through the aggregator (15), and
 * every unavailable APIService in the cluster (they block namespace deletion cluster-wide).
 */
import { mayI } from '../deploy/preflight.ts';
import { availableCondition, describeCondition, type Condition } from '../deploy/wait.ts';
import { result, type Check, type CheckResult, type DoctorFacts } from './types.ts';

const apiEnabled: Check = {
  step: 1, title: 'APIService API enabled',
  async run(f) {
    return [f.apiRegistrationServed
      ? result('api-enabled', 1, this.title, 'pass', 'apiregistration.k8s.io/v1 is served')
      : result('api-enabled', 1, this.title, 'fail', 'apiregistration.k8s.io/v1 is not served: the aggregation layer is disabled',
        'start kube-apiserver with --runtime-config=apiregistration.k8s.io/v1=true')];
  },
};

const permissions: Check = {
  step: 2, title: 'you may manage APIServices and RBAC bindings',
  async run(f) {
    const asks = [
      { verb: 'create', group: 'apiregistration.k8s.io', resource: 'apiservices' },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'kube-system' },
    ];
    const allowed = await Promise.all(asks.map((p) => mayI(f.cluster.client, p).catch(() => false)));
    const missing = asks.filter((_, i) => !allowed[i]).map((p) => `${p.verb} ${p.resource}${p.namespace ? ` in ${p.namespace}` : ''}`);
    return [missing.length === 0
      ? result('permissions', 2, this.title, 'pass', 'may create APIServices, ClusterRoleBindings and RoleBindings in kube-system')
      : result('permissions', 2, this.title, 'warn', `you may not ${missing.join(', ')}: extapi deploy and uninstall would fail`,
        'ask a cluster admin for these permissions, or run deploy as a user who has them')];
  },
};

/**
 * The group versions (and their APIServices) a namespace condition says discovery failed for:
 * `... unable to retrieve the complete list of server APIs: wardle.example.com/v1alpha1: stale GroupVersion discovery ...`.
 */
export function blockingApiServices(conditionMessages: string): Array<{ groupVersion: string; apiService: string }> {
  const found = new Map<string, string>();
  for (const m of conditionMessages.matchAll(/\b([a-z0-9-]+(?:\.[a-z0-9-]+)+)\/(v\d+(?:(?:alpha|beta)\d+)?)\b/g)) {
    found.set(`${m[1]}/${m[2]}`, `${m[2]}.${m[1]}`);
  }
  return [...found].map(([groupVersion, apiService]) => ({ groupVersion, apiService }));
}

const namespace: Check = {
  step: 3, title: 'namespace',
  async run(f) {
    const ns = f.target.namespace;
    const id = 'namespace';
    if (f.namespace.error) return [result(id, 3, `namespace ${ns}`, 'skip', `cannot read it: ${f.namespace.error}`)];
    if (!f.namespace.obj) return [result(id, 3, `namespace ${ns}`, 'fail', 'not found', f.hints.deploy)];
    if (f.namespace.obj.status?.phase === 'Terminating') {
      const why = (f.namespace.obj.status?.conditions ?? []).filter((c: any) => c.status === 'True').map((c: any) => c.message).join('; ');
      const blocking = blockingApiServices(why);
      if (blocking.length > 0) {
        return [result(id, 3, `namespace ${ns}`, 'fail',
          `is Terminating: the namespace controller cannot list ${blocking.map((b) => b.groupVersion).join(', ')} because ${blocking.length === 1 ? 'APIService' : 'APIServices'} ${blocking.map((b) => b.apiService).join(', ')} ${blocking.length === 1 ? 'is' : 'are'} not Available (${why})`,
          `start the server behind APIService ${blocking[0].apiService} (see the APIService checks below) and the deletion completes; or remove the APIServices (\`extapi uninstall -n ${ns}\`, or kubectl delete apiservice ${blocking.map((b) => b.apiService).join(' ')}) to let it finish without them`)];
      }
      return [result(id, 3, `namespace ${ns}`, 'fail', `is Terminating${why ? `: ${why}` : ''}`,
        'wait for the deletion to finish (an unavailable APIService blocks it: see the cluster-wide check below), then rerun deploy')];
    }
    return [result(id, 3, `namespace ${ns}`, 'pass', 'Active')];
  },
};

function apiServiceResult(f: DoctorFacts, a: DoctorFacts['apiServices'][number]): CheckResult {
  const id = `apiservice/${a.name}`;
  const title = `APIService ${a.name}`;
  if (a.error) return result(id, 14, title, 'skip', `cannot read it: ${a.error}`);
  if (!a.obj) return result(id, 14, title, 'fail', 'not found', f.hints.deploy);
  const spec = a.obj.spec ?? {};
  if (spec.insecureSkipTLSVerify) {
    return result(id, 14, title, 'fail', 'sets insecureSkipTLSVerify: kube-apiserver does not verify the server it forwards credentials to', f.hints.deploy);
  }
  const svc = spec.service;
  if (!svc || svc.namespace !== f.target.namespace || svc.name !== f.target.service) {
    return result(id, 14, title, 'fail', `points at ${svc ? `${svc.namespace}/${svc.name}` : 'no Service (local)'}, not ${f.target.namespace}/${f.target.service}`,
      `another installation owns this group version; remove it (kubectl delete apiservice ${a.name}) or deploy into its namespace`);
  }
  if (!spec.caBundle) return result(id, 14, title, 'fail', 'has no caBundle', f.hints.deploy);
  const cond = availableCondition(a.obj);
  if (cond?.status === 'True') return result(id, 14, title, 'pass', 'Available');
  return result(id, 14, title, 'fail', `not Available: ${describeCondition(cond)}`, availabilityFix(f, cond));
}

/** The likely fix of an unavailable APIService, from its condition's reason and message. */
export function availabilityFix(f: Pick<DoctorFacts, 'hints'>, cond: Condition | undefined): string {
  const text = `${cond?.reason ?? ''} ${cond?.message ?? ''}`;
  const later = '; the aggregator rechecks within 30 seconds of a fix';
  if (/ServiceNotFound/.test(text)) return `recreate the Service: ${f.hints.deploy}`;
  if (/MissingEndpoints|no endpoints/i.test(text)) return 'no ready pod backs the Service: see the Deployment and endpoints checks above';
  if (/x509|certificate/i.test(text)) return `TLS trust between kube-apiserver and the server is broken: see the serving certificate check above (${f.hints.rotate})${later}`;
  if (/i\/o timeout|no route to host|context deadline|Client\.Timeout/i.test(text)) {
    return 'kube-apiserver cannot reach the server: check that the control plane can reach Service and pod IPs (kube-proxy on control-plane nodes, or kube-apiserver --enable-aggregator-routing=true; hostNetwork as a last resort)';
  }
  if (/connection refused/i.test(text)) return `nothing listens where the Service points: start the server or fix the Service port${later}`;
  if (/\b40[13]\b/.test(text)) return 'the server refused the aggregator\'s identity: check its front-proxy trust (auth-reader RoleBinding, requestheader-allowed-names)';
  return `see the failing checks above${later}`;
}

const apiServices: Check = {
  step: 14, title: 'APIServices',
  async run(f) {
    return f.apiServices.map((a) => apiServiceResult(f, a));
  },
};

const resources: Check = {
  step: 15, title: 'resources listed through the aggregator',
  async run(f) {
    const out: CheckResult[] = [];
    for (const g of f.target.groups) {
      for (const r of g.resources) {
        const version = g.versions.find((v) => r.versions.some((rv) => rv.name === v)) ?? r.storageVersion;
        const id = `resources/${r.plural}.${g.group}`;
        const title = `kubectl get ${r.plural}.${g.group}`;
        try {
          const list = await f.cluster.client.request('GET', `/apis/${g.group}/${version}/${r.plural}`, { query: { limit: '500' }, timeoutMs: 10_000 });
          const n = (list?.items ?? []).length;
          out.push(result(id, 15, title, 'pass', n === 0 ? 'No resources found' : `${n}${list?.metadata?.continue ? '+' : ''} found`));
        } catch (err) {
          out.push(result(id, 15, title, 'fail', (err as Error).message, 'see the failing checks above'));
        }
      }
    }
    return out;
  },
};

const clusterApiServices: Check = {
  step: 0, title: 'every APIService in the cluster is Available',
  async run(f) {
    const ours = new Set(f.names.apiServices);
    const list = await f.cluster.client.request('GET', '/apis/apiregistration.k8s.io/v1/apiservices');
    const broken = (list?.items ?? []).filter((a: any) => !ours.has(a.metadata.name) && availableCondition(a)?.status !== 'True');
    if (broken.length === 0) return [result('cluster-apiservices', 0, this.title, 'pass', `${(list?.items ?? []).length} APIServices, all Available (or ours, above)`)];
    return broken.map((a: any) => result(`cluster-apiservices/${a.metadata.name}`, 0, `APIService ${a.metadata.name} (not ours)`, 'fail',
      `not Available: ${describeCondition(availableCondition(a))}; while it is, namespace deletion hangs cluster-wide and discovery is incomplete`,
      `fix its server, or remove it: kubectl delete apiservice ${a.metadata.name}`));
  },
};

/** The cluster-level checks, in step order (the cluster-wide one last). */
export const clusterChecks = { apiEnabled, permissions, namespace, apiServices, resources, clusterApiServices };
