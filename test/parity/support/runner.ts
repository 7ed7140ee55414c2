/** Running a scenario on one server over one route, and comparing two servers' recordings. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeKubeconfig } from '../../../src/certs/index.ts';
import { runKubectl, type KubectlTarget } from '../../../src/testing/kubectl.ts';
import type { HttpsTarget } from './http.ts';
import { compareRecordings, observe, type Difference, type Observation, type Scenario, type ScenarioContext, type Via } from './scenario.ts';

/** One server reached over one route. */
export interface Route {
  server: 'go' | 'ts';
  via: Via;
  api: HttpsTarget;
  kubectl: KubectlTarget;
  ns: string;
  prefix: string;
}

/** Runs `scenario` on `route` and returns what it observed (a thrown error becomes a final `error` step). */
export async function record(scenario: Scenario, route: Route): Promise<Observation[]> {
  const observations: Observation[] = [];
  const ctx: ScenarioContext = {
    via: route.via, server: route.server, api: route.api, ns: route.ns, prefix: route.prefix,
    kubectl: (args, input) => runKubectl(route.kubectl, args, { input, timeoutMs: 30_000 }),
    call: async (step, req, pick, expect) => {
      const res = await route.api.request(req);
      observations.push(observe(step, res, pick, expect));
      return res;
    },
    note: (step, value, failure) => { observations.push({ step, body: JSON.parse(JSON.stringify(value ?? null)), ...(failure ? { failure } : {}) }); },
    send: (req) => route.api.request(req),
  };
  try {
    await scenario.run(ctx);
  } catch (err) {
    observations.push({ step: 'error', body: (err as Error).message });
  }
  return observations;
}

/** Runs `scenario` on both routes (Go first) and compares. */
export async function recordBoth(scenario: Scenario, go: Route, ts: Route): Promise<{ go: Observation[]; ts: Observation[]; differences: Difference[] }> {
  const g = await record(scenario, go);
  const t = await record(scenario, ts);
  return { go: g, ts: t, differences: compareRecordings(scenario.id, go.via, g, t) };
}

/** Compares recordings made separately (the aggregated route, one server registered at a time). */
export function compare(scenario: Scenario, via: Via, go: Observation[], ts: Observation[]): Difference[] {
  return compareRecordings(scenario.id, via, go, ts);
}

/** A kubeconfig that points kubectl straight at `serverUrl` with the admin client pair. */
export async function directKubeconfig(dir: string, serverUrl: string, caPem: string, admin: { cert: string; key: string }): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'direct.kubeconfig');
  await writeKubeconfig(path, { server: serverUrl, caPem, userName: 'extapi-admin', credentials: { clientCertPem: admin.cert, clientKeyPem: admin.key } });
  return path;
}
