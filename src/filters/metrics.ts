import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestInfo } from '../endpoints/request-info.ts';

/** The Prometheus metrics of one server, named as kube-apiserver names them. */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<string>;
  private readonly durations: Histogram<string>;
  readonly inflight: Gauge<string>;
  readonly watchers: Gauge<string>;
  /** Open long-running requests (watches, connect subresources such as a followed log). */
  readonly longRunning: Gauge<string>;
  readonly storageObjects: Gauge<string>;

  /** `sources` are read at scrape time for the gauges. */
  constructor(sources: { inflight?: () => { readOnly: number; mutating: number }; storageObjects?: () => Promise<Record<string, number>> } = {}) {
    const registers = [this.registry];
    const labelNames = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component', 'code'];
    this.requests = new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.', labelNames, registers });
    this.durations = new Histogram({
      name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource, scope and component.',
      labelNames: labelNames.filter((l) => l !== 'code'), buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60], registers,
    });
    this.inflight = new Gauge({ name: 'apiserver_current_inflight_requests', help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.', labelNames: ['request_kind'], registers,
      collect() {
        const current = sources.inflight?.();
        if (current) { this.set({ request_kind: 'readOnly' }, current.readOnly); this.set({ request_kind: 'mutating' }, current.mutating); }
      } });
    this.watchers = new Gauge({ name: 'apiserver_registered_watchers', help: 'Number of currently registered watchers for a given resources', labelNames: ['group', 'version', 'kind'], registers });
    this.longRunning = new Gauge({ name: 'apiserver_longrunning_requests', help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.', labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'], registers });
    this.storageObjects = new Gauge({ name: 'apiserver_storage_objects', help: 'Number of stored objects at the time of last check split by kind.', labelNames: ['resource'], registers,
      async collect() {
        const counts = await sources.storageObjects?.();
        for (const [resource, n] of Object.entries(counts ?? {})) this.set({ resource }, n);
      } });
  }

  /** Records one finished request. */
  observe(info: RequestInfo, code: number, seconds: number): void {
    const labels = {
      verb: info.verb.toUpperCase() === info.verb ? info.verb : kubeVerb(info), group: info.apiGroup, version: info.apiVersion,
      resource: info.resource, subresource: info.subresource, component: 'apiserver',
      scope: !info.isResourceRequest ? '' : info.name ? 'resource' : info.namespace ? 'namespace' : 'cluster',
    };
    this.requests.inc({ ...labels, code: String(code) });
    if (info.verb !== 'watch') this.durations.observe(labels, seconds);
  }
}

function kubeVerb(info: RequestInfo): string {
  const verbs: Record<string, string> = { get: 'GET', list: 'LIST', watch: 'WATCH', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETE' };
  return verbs[info.verb] ?? info.verb.toUpperCase();
}
