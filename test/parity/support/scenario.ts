/**
 * The parity scenario model: a scenario is a sequence of requests run the same way against both
 * servers; each request's outcome is recorded as an {@link Observation} (status, Status reason,
 * content type, warnings, normalised body), and the two recordings are compared step by step.
 */
import type { KubectlResult } from '../../../src/testing/kubectl.ts';
import type { HttpRequest, HttpResponse, HttpsTarget } from './http.ts';
import { diffValues, normalize, normalizeKubectlText, normalizeMessage, type ValueDifference } from './normalize.ts';

/** How a request reaches the server: straight to it, or through kube-apiserver's aggregator. */
export type Via = 'direct' | 'aggregated';

/** What one step observed, normalised. */
export interface Observation {
  step: string;
  status?: number;
  reason?: string;
  contentType?: string;
  warnings?: string[];
  /** Deprecation warnings (`<group>/<version> <Kind> is deprecated ...`), apart from the others. */
  deprecation?: string[];
  body?: unknown;
  /**
   * Why this step failed on its own, whatever the other server did (an absolute check): a 5xx,
   * an unexpected status, a kubectl that failed. Never compared: any failure fails the scenario.
   */
  failure?: string;
}

/** What a scenario runs with. */
export interface ScenarioContext {
  readonly via: Via;
  readonly server: 'go' | 'ts';
  readonly api: HttpsTarget;
  /** A namespace that exists in the cluster, for this run and route. */
  readonly ns: string;
  /** A prefix for cluster-scoped names (Fischers), unique to this run and route. */
  readonly prefix: string;
  /** kubectl pointed at this server (directly or through the aggregator), admin identity, own cache dir. */
  kubectl(args: string[], input?: string): Promise<KubectlResult>;
  /**
   * Sends `req` and records the outcome as step `step` (`pick` narrows the recorded body). With
   * `expect`, any other status is a failure of this server, even if the other answers the same.
   */
  call(step: string, req: HttpRequest, pick?: ((body: any, res: HttpResponse) => unknown) | undefined, expect?: number): Promise<HttpResponse>;
  /** Records an arbitrary value as step `step`; `failure` (when set) fails the scenario on this server. */
  note(step: string, value: unknown, failure?: string): void;
  /** Sends `req` without recording (setup and cleanup). */
  send(req: HttpRequest): Promise<HttpResponse>;
}

/** One scenario of the list. */
export interface Scenario {
  id: string;
  title: string;
  /** Routes it runs on (default both). */
  via?: Via[];
  run(ctx: ScenarioContext): Promise<void>;
}

/** A difference found by comparing the recordings of one scenario: `<scenario>/<step>:<path>`. */
export interface Difference extends ValueDifference {
  key: string;
  via: Via;
}

/** Turns a response into an observation; a 5xx, or a status other than `expect`, is a failure. */
export function observe(step: string, res: HttpResponse, pick?: (body: any, res: HttpResponse) => unknown, expect?: number): Observation {
  const contentType = String(res.headers['content-type'] ?? '').split(';')[0] || undefined;
  const all = splitWarnings(res.headers.warning);
  const deprecation = all.filter((w) => / is deprecated in /.test(w));
  const warnings = all.filter((w) => !/ is deprecated in /.test(w));
  const raw = res.body ?? (res.text ? normalizeMessage(res.text.trim()) : undefined);
  const reason = res.body?.kind === 'Status' ? res.body.reason ?? '' : undefined;
  const body = pick ? pick(res.body, res) : raw;
  const failure = res.status >= 500 ? `HTTP ${res.status}: ${JSON.stringify(res.body ?? res.text)?.slice(0, 300)}`
    : expect !== undefined && res.status !== expect ? `expected HTTP ${expect}, got ${res.status}: ${JSON.stringify(res.body ?? res.text)?.slice(0, 300)}` : undefined;
  return {
    step, status: res.status, reason, contentType, warnings: warnings.length ? warnings : undefined,
    deprecation: deprecation.length ? deprecation : undefined, body: normalize(body), ...(failure ? { failure } : {}),
  };
}

/**
 * The absolute failures of one server's recording: steps that failed on their own (5xx,
 * unexpected status, kubectl failure) and a scenario that stopped with an error (a connection
 * error, a thrown exception). A step that fails on both servers is a failure, not a match.
 */
export function absoluteFailures(server: string, observations: Observation[]): string[] {
  return observations.flatMap((o) => {
    if (o.step === 'error') return [`${server}: the scenario stopped: ${String(o.body)}`];
    return o.failure ? [`${server} ${o.step}: ${o.failure}`] : [];
  });
}

/** Individual `Warning` header values (Node joins repeated headers with ", "). */
function splitWarnings(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  return (Array.isArray(header) ? header : [header]).flatMap((h) => h.split(/,\s*(?=\d{3} )/)).map(normalizeMessage);
}

/** Records kubectl's outcome with ages normalised. */
export function observeKubectl(step: string, res: KubectlResult): Observation {
  return { step, status: res.code, body: { stdout: normalizeKubectlText(res.stdout), stderr: normalizeKubectlText(normalizeMessage(res.stderr)) } };
}

/** Compares two recordings of scenario `id` step by step. */
export function compareRecordings(id: string, via: Via, go: Observation[], ts: Observation[]): Difference[] {
  const out: Difference[] = [];
  const steps = Math.max(go.length, ts.length);
  for (let i = 0; i < steps; i++) {
    const g = go[i];
    const t = ts[i];
    const step = g?.step ?? t?.step ?? String(i);
    if (g && t && g.step !== t.step) {
      out.push({ key: `${id}/${step}:step`, via, path: 'step', go: g.step, ts: t.step });
      continue;
    }
    const { step: _g, failure: _gf, ...gRest } = g ?? { step };
    const { step: _t, failure: _tf, ...tRest } = t ?? { step };
    for (const d of diffValues(gRest, tRest)) out.push({ ...d, key: `${id}/${step}:${d.path}`, via });
  }
  return out;
}
