/**
 * Workload and serving checks: the Deployment, Service and its endpoints (step 7), and the
 * server itself (8): reachable over TLS as the aggregator connects, discovery within the
 * aggregator's 5 s budget, OpenAPI v3 served.
 */
import { describeTrouble, diagnosePods } from '../kube/pod-trouble.ts';
import { CERT_MOUNT } from '../manifests/types.ts';
import { probeGet } from '../probe/tls-probe.ts';
import { result, type Check, type CheckResult, type DoctorFacts } from './types.ts';

/** The aggregator's budget for the availability check (and discovery), ms. */
export const AGGREGATOR_BUDGET_MS = 5000;
const SLOW_MS = 1000;

async function deploymentResult(f: DoctorFacts): Promise<CheckResult> {
  const title = `Deployment ${f.target.namespace}/${f.names.deployment}`;
  if (f.external) return result('deployment', 7, title, 'skip', 'the server runs outside the cluster (ExternalName Service)');
  if (f.deployment.error) return result('deployment', 7, title, 'skip', `cannot read it: ${f.deployment.error}`);
  const d = f.deployment.obj;
  if (!d) return result('deployment', 7, title, 'fail', 'not found', f.hints.deploy);
  const pod = d.spec?.template?.spec ?? {};
  const mountsSecret = (pod.volumes ?? []).some((v: any) => v.secret?.secretName === f.names.secret);
  const args: string[] = (pod.containers ?? []).flatMap((c: any) => [...(c.args ?? []), ...(c.command ?? [])]);
  if (!mountsSecret) return result('deployment', 7, title, 'fail', `does not mount Secret ${f.names.secret}`, f.hints.deploy);
  if (!args.some((a) => a.startsWith('--tls-cert-dir'))) return result('deployment', 7, title, 'warn', `does not pass --tls-cert-dir (${CERT_MOUNT})`, f.hints.deploy);
  const available = d.status?.availableReplicas ?? 0;
  const wanted = d.spec?.replicas ?? 1;
  if (available === 0) {
    const trouble = await diagnosePods(f.cluster.client, f.target.namespace, d.spec?.selector?.matchLabels ?? {});
    if (trouble) return result('deployment', 7, title, 'fail', `0/${wanted} replicas available: ${describeTrouble(trouble)}`, trouble.fix);
    return result('deployment', 7, title, 'fail', `0/${wanted} replicas available`, `kubectl -n ${f.target.namespace} describe pods -l app.kubernetes.io/name=${f.target.service}`);
  }
  return result('deployment', 7, title, available < wanted ? 'warn' : 'pass', `${available}/${wanted} replicas available`);
}

function serviceResult(f: DoctorFacts): CheckResult {
  const title = `Service ${f.target.namespace}/${f.target.service}`;
  if (f.service.error) return result('service', 7, title, 'skip', `cannot read it: ${f.service.error}`);
  if (!f.service.obj) {
    return result('service', 7, title, 'fail', 'not found: the APIServices point at it, so the aggregator has nowhere to send requests', f.hints.deploy);
  }
  const spec = f.service.obj.spec ?? {};
  if (spec.type === 'ExternalName') return result('service', 7, title, 'pass', `ExternalName → ${spec.externalName}`);
  const port = f.apiServices.map((a) => a.obj?.spec?.service?.port).find(Boolean) ?? 443;
  if (!(spec.ports ?? []).some((p: any) => p.port === port)) return result('service', 7, title, 'fail', `has no port ${port}, the port the APIServices use`, f.hints.deploy);
  return result('service', 7, title, 'pass', `${spec.type ?? 'ClusterIP'} port ${port}`);
}

async function endpointsResult(f: DoctorFacts): Promise<CheckResult> {
  const title = `endpoints of Service ${f.target.service}`;
  if (!f.service.obj) return result('endpoints', 7, title, 'skip', 'no Service');
  if (f.external) return result('endpoints', 7, title, 'skip', 'ExternalName Service: no endpoints, the server is reached by name (see the server check)');
  const slices = await f.cluster.client.request('GET', `/apis/discovery.k8s.io/v1/namespaces/${f.target.namespace}/endpointslices`, {
    query: { labelSelector: `kubernetes.io/service-name=${f.target.service}` },
  });
  const ready = (slices?.items ?? []).flatMap((s: any) => s.endpoints ?? []).filter((e: any) => e.conditions?.ready !== false);
  if (ready.length === 0) {
    const mismatch = await selectorMismatch(f);
    if (mismatch) return mismatch;
    return result('endpoints', 7, title, 'fail', 'no ready endpoint: no pod matches the Service selector or none is ready',
      `kubectl -n ${f.target.namespace} get pods -l app.kubernetes.io/name=${f.target.service}; kubectl -n ${f.target.namespace} describe pods`);
  }
  return result('endpoints', 7, title, 'pass', `${ready.length} ready endpoint${ready.length === 1 ? '' : 's'}`);
}

/** A Service whose selector matches none of the Deployment's pods (while the Deployment has pods). */
async function selectorMismatch(f: DoctorFacts): Promise<CheckResult | undefined> {
  const selector: Record<string, string> = f.service.obj?.spec?.selector ?? {};
  const podLabels: Record<string, string> = f.deployment.obj?.spec?.template?.metadata?.labels ?? {};
  if (!f.deployment.obj || Object.keys(selector).length === 0) return undefined;
  const labelSelector = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await f.cluster.client.request('GET', `/api/v1/namespaces/${f.target.namespace}/pods`, { query: { labelSelector } });
  if ((pods?.items ?? []).length > 0) return undefined;
  const differs = Object.entries(selector).filter(([k, v]) => podLabels[k] !== v).map(([k, v]) => `${k}=${v}`);
  return result('endpoints', 7, `endpoints of Service ${f.target.service}`, 'fail',
    `the Service selects no pod: its selector ${labelSelector} matches none of the Deployment's pods${differs.length ? ` (they are not labelled ${differs.join(', ')})` : ''}`,
    'restore the Service selector: rerun `extapi deploy`');
}

const workload: Check = {
  step: 7, title: 'Deployment, Service and endpoints', namespaced: true,
  async run(f) { return [await deploymentResult(f), serviceResult(f), await endpointsResult(f)]; },
};

function unreachable(f: DoctorFacts, code: string, error: string): CheckResult {
  const { host, port } = f.endpoint!;
  const title = `server at ${host}:${port}`;
  if (code === 'ECONNREFUSED') {
    return result('server', 8, title, 'fail', `nothing is listening at ${host}:${port} (connection refused): the server is not running`,
      `start the server, e.g. node <server>.ts --secure-port ${port} --tls-cert-dir ${f.hints.certDir ?? '<cert dir>'} --kubeconfig <kubeconfig>`);
  }
  return result('server', 8, title, 'fail', `cannot connect (${code}): ${error}`, `check that ${host}:${port} is reachable from kube-apiserver and from here`);
}

/** How to reach the server as the aggregator does (ServerName, caBundle), with a budget beyond the aggregator's. */
function probeTarget(f: DoctorFacts) {
  return { host: f.endpoint!.host, port: f.endpoint!.port, serverName: f.names.serviceDnsName, caBundlePem: f.caBundlePem ?? '', timeoutMs: AGGREGATOR_BUDGET_MS + 1000 };
}

async function directProbe(f: DoctorFacts): Promise<CheckResult[]> {
  const { host, port } = f.endpoint!;
  if (f.peer && !f.peer.ok) return [unreachable(f, f.peer.code, f.peer.error)];
  const target = probeTarget(f);
  const out: CheckResult[] = [];
  for (const g of f.target.groups) {
    const path = `/apis/${g.group}/${g.versions[0]}`;
    const r = await probeGet(target, path, f.credentials);
    const title = `GET ${path} at ${host}:${port} as the aggregator connects`;
    if (!r.ok) {
      out.push(result('server', 8, title, 'fail', `TLS/HTTP failure (${r.code}): ${r.error}`, 'see the serving certificate check above'));
    } else if (r.status >= 300) {
      out.push(result('server', 8, title, r.status === 401 || r.status === 403 ? 'warn' : 'fail', `answered ${r.status}: ${r.body.slice(0, 200)}`,
        'the server could not authenticate or authorize your kubeconfig user: check its auth-delegator binding and client-ca trust'));
    } else {
      out.push(latencyResult('server', title, r.ms));
    }
  }
  return out;
}

/** Judges a discovery answer time against the aggregator's budget: fail at 5 s, warn from 1 s. */
export function latencyResult(id: string, title: string, ms: number): CheckResult {
  if (ms >= AGGREGATOR_BUDGET_MS) {
    return result(id, 8, title, 'fail', `answered in ${ms} ms, beyond the aggregator's ${AGGREGATOR_BUDGET_MS / 1000} s budget: it will mark the APIService unavailable`,
      'make discovery cheap: it must not wait on storage or remote calls');
  }
  return result(id, 8, title, ms >= SLOW_MS ? 'warn' : 'pass', `answered in ${ms} ms${ms >= SLOW_MS ? ' (slow; the aggregator gives up at 5 s)' : ''}`);
}

const OPENAPI_FIX = 'the server must serve /openapi/v3 listing its group versions (kube-apiserver merges it; kubectl explain and server-side apply need it)';

/** The server's own `/openapi/v3` index, probed directly: does it list every served group version? */
async function directOpenApi(f: DoctorFacts): Promise<CheckResult | undefined> {
  if (!f.endpoint || !f.peer?.ok) return undefined;
  const title = `OpenAPI v3 served by ${f.endpoint.host}:${f.endpoint.port}`;
  const r = await probeGet(probeTarget(f), '/openapi/v3', f.credentials);
  if (!r.ok || r.status !== 200) return result('openapi-server', 8, title, 'fail', `GET /openapi/v3 ${r.ok ? `answered ${r.status}` : `failed: ${r.error}`}`, OPENAPI_FIX);
  let paths: string[] = [];
  try { paths = Object.keys(JSON.parse(r.body)?.paths ?? {}); } catch { /* not JSON: reported below */ }
  const gvs = f.target.groups.flatMap((g) => g.versions.map((v) => `apis/${g.group}/${v}`));
  const missing = gvs.filter((gv) => !paths.includes(gv));
  if (missing.length > 0) return result('openapi-server', 8, title, 'fail', `the index lists no ${missing.join(', ')}`, OPENAPI_FIX);
  return result('openapi-server', 8, title, 'pass', `lists ${gvs.join(', ')}`);
}

/** OpenAPI v3 of one group version through kube-apiserver; a gap is only a warning when the server itself serves it. */
async function openApiResult(f: DoctorFacts, gv: string, servedDirectly: boolean): Promise<CheckResult> {
  const title = `OpenAPI v3 of ${gv} through kube-apiserver`;
  let detail: string;
  try {
    const doc = await f.cluster.client.request('GET', `/openapi/v3/apis/${gv}`, { timeoutMs: 10_000 });
    const paths = Object.keys(doc?.paths ?? {}).length;
    if (paths > 0) return result('openapi', 8, title, 'pass', `${paths} paths`);
    detail = 'served with no paths';
  } catch (err) {
    detail = `not served: ${(err as Error).message}`;
  }
  if (servedDirectly) {
    return result('openapi', 8, title, 'warn', `${detail}; the server serves it, kube-apiserver has not merged it yet`,
      'nothing to do if the server just became Available: kube-apiserver refetches OpenAPI about every minute');
  }
  return result('openapi', 8, title, 'fail', detail, `${OPENAPI_FIX}; if the server just became Available, kube-apiserver refetches within about a minute`);
}

async function viaAggregator(f: DoctorFacts, servedDirectly: boolean): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const g of f.target.groups) {
    const gv = `${g.group}/${g.versions[0]}`;
    const started = performance.now();
    try {
      await f.cluster.client.request('GET', `/apis/${gv}`, { timeoutMs: AGGREGATOR_BUDGET_MS * 2 });
      out.push(latencyResult('discovery', `discovery of ${gv} through kube-apiserver`, Math.round(performance.now() - started)));
    } catch (err) {
      out.push(result('discovery', 8, `discovery of ${gv} through kube-apiserver`, 'fail', (err as Error).message, 'see the APIService checks below'));
    }
    for (const version of g.versions) out.push(await openApiResult(f, `${g.group}/${version}`, servedDirectly));
  }
  return out;
}

const serving: Check = {
  step: 8, title: 'server answers',
  async run(f) {
    const direct = f.endpoint ? await directProbe(f) : [result('server', 8, 'server reachable from here', 'skip',
      'the Service routes to pods, not reachable from here; pass --address host:port after kubectl port-forward to probe it directly')];
    const openapi = await directOpenApi(f);
    if (openapi) direct.push(openapi);
    if (direct.some((r) => r.id === 'server' && r.status === 'fail')) {
      return [...direct, result('discovery', 8, 'discovery and OpenAPI through kube-apiserver', 'skip', 'the server does not answer (above): fix that first')];
    }
    const ready = f.apiServices.some((a) => a.obj?.status?.conditions?.some((c: any) => c.type === 'Available' && c.status === 'True'));
    return ready ? [...direct, ...await viaAggregator(f, openapi?.status === 'pass')] : direct;
  },
};

/** The workload and serving checks, in step order. */
export const servingChecks = { workload, serving };
