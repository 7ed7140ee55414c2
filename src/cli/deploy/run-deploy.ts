/**
 * `extapi deploy`, step by step: preflight (1-2), certificates (4-5), server-side apply of
 * every object in order (3, 6-14), the server serving (8), each APIService Available (14),
 * and the resources listed through the aggregator (15). A failure after some objects were
 * applied says exactly which ones were.
 */
import type { Checklist, StepHandle } from '../checklist.ts';
import type { Cluster } from '../cluster.ts';
import type { EnsuredCertificates } from '../certs/cert-files.ts';
import { describeCert } from '../certs/cert-options.ts';
import { ActionableError, toActionableError } from '../errors.ts';
import { serverSideApply, type ApplyOutcome } from '../kube/apply.ts';
import { displayName } from '../kube/rest-mapping.ts';
import { buildManifests } from '../manifests/build.ts';
import type { ManifestSpec, StepObject } from '../manifests/types.ts';
import { fetchPeerCertificate } from '../probe/tls-probe.ts';
import { waitUntilNamespaceUsable } from './namespace-deletion.ts';
import { checkApiRegistration, checkCertManager, describePermissions, missingPermissions } from './preflight.ts';
import { waitForApiService, waitForDeployment, waitForKubectlReady } from './wait.ts';

/** What deploy works with. */
export interface DeployContext {
  cluster: Cluster;
  spec: ManifestSpec;
  /** The certificate files (absent with cert-manager). */
  certs?: EnsuredCertificates;
  /** Wait for the server, the APIServices and list the resources (steps 8, 14, 15). */
  wait: boolean;
  timeoutMs: number;
  checklist: Checklist;
}

/** What deploy did. */
export interface DeployResult {
  outcomes: Array<{ name: string; outcome: ApplyOutcome }>;
  /** True when every object was already as declared. */
  unchanged: boolean;
}

/** Runs the whole deploy; throws ActionableError (naming what was applied) on failure. */
export async function runDeploy(ctx: DeployContext): Promise<DeployResult> {
  const objects = buildManifests(ctx.spec);
  await preflight(ctx, objects);
  await namespaceUsable(ctx);
  reportCertificates(ctx);
  const outcomes = await applyAll(ctx, objects);
  const applied = summarize(outcomes);
  if (ctx.wait) {
    const deadline = Date.now() + ctx.timeoutMs;
    await guard(applied, () => waitServing(ctx, deadline));
    await guard(applied, () => waitApiServices(ctx, deadline));
    await guard(applied, () => waitKubectlReady(ctx, deadline));
    await guard(applied, () => listResources(ctx));
  }
  const unchanged = outcomes.every((o) => o.outcome === 'unchanged');
  ctx.checklist.note(unchanged
    ? `Nothing changed: all ${outcomes.length} objects were already as declared.`
    : `Applied ${outcomes.length} objects: ${applied}.`);
  return { outcomes, unchanged };
}

function summarize(outcomes: DeployResult['outcomes']): string {
  const count = (o: ApplyOutcome) => outcomes.filter((x) => x.outcome === o).length;
  return `${count('created')} created, ${count('configured')} configured, ${count('unchanged')} unchanged`;
}

/** Runs `fn`; a failure gains a line saying that every object was applied. */
async function guard(applied: string, fn: () => Promise<void>): Promise<void> {
  try { await fn(); } catch (err) {
    const e = toActionableError(err);
    throw new ActionableError(e.message, { exitCode: e.exitCode, cause: e.cause, details: [...e.details, `every object was applied (${applied}); fix the cause and rerun \`extapi deploy\`, or remove them with \`extapi uninstall\``] });
  }
}

async function step<T>(list: Checklist, label: string, title: string, fn: (s: StepHandle) => Promise<T>): Promise<T> {
  const s = list.start(label, title);
  try { return await fn(s); } catch (err) { s.done('fail', toActionableError(err).message); throw err; }
}

async function preflight(ctx: DeployContext, objects: StepObject[]): Promise<void> {
  const { client } = ctx.cluster;
  await step(ctx.checklist, '1', 'APIService API enabled', async (s) => {
    await checkApiRegistration(client);
    if (ctx.spec.tls.kind === 'cert-manager') await checkCertManager(client);
    s.done('pass', `apiregistration.k8s.io/v1${ctx.spec.tls.kind === 'cert-manager' ? ' and cert-manager.io/v1 are' : ' is'} served`);
  });
  await step(ctx.checklist, '2', 'permissions to create every object', async (s) => {
    const missing = await missingPermissions(client, objects.map((o) => o.object));
    if (missing.length > 0) {
      const who = (await ctx.cluster.whoami()) || 'the current user';
      throw new ActionableError(`${who} may not ${describePermissions(missing)}; ask a cluster admin for these permissions (nothing was applied)`);
    }
    s.done('pass', `may create and patch all ${objects.length} objects`);
  });
}

/** Step 3's precondition: a namespace being deleted is waited for (with a line saying so), or refused. */
async function namespaceUsable(ctx: DeployContext): Promise<void> {
  const ns = ctx.spec.target.namespace;
  let handle: StepHandle | undefined;
  const outcome = await waitUntilNamespaceUsable(ctx.cluster.client, ns, {
    wait: ctx.wait, deadline: Date.now() + ctx.timeoutMs,
    onWait: (m) => { if (handle) handle.update(m); else handle = ctx.checklist.start('3', m); },
  }).catch((err: unknown) => {
    handle?.done('fail', (err as Error).message);
    throw err;
  });
  if (outcome === 'deleted') handle?.done('pass', `namespace ${ns} deleted; it is created again below`);
}

function reportCertificates(ctx: DeployContext): void {
  const list = ctx.checklist;
  if (!ctx.certs) {
    list.start('4', 'CA').done('pass', 'issued by cert-manager (Issuer + CA Certificate below)');
    return;
  }
  const { ca, serving, paths } = ctx.certs;
  list.start('4', 'CA').done('pass', `${ca.status} ${paths.caCrt}`);
  list.start('5', 'serving certificate').done('pass', `${serving.status}: ${describeCert(serving.facts)}`);
}

async function applyAll(ctx: DeployContext, objects: StepObject[]): Promise<DeployResult['outcomes']> {
  const outcomes: DeployResult['outcomes'] = [];
  for (const o of objects) {
    const name = displayName(o.object);
    const s = ctx.checklist.start(String(o.step), name);
    try {
      const r = await serverSideApply(ctx.cluster.client, o.object);
      outcomes.push({ name, outcome: r.outcome });
      s.done('pass', r.outcome);
    } catch (err) {
      const e = toActionableError(err, ctx.cluster.errorContext);
      s.done('fail', e.message);
      const done = outcomes.map((x) => `${x.name} (${x.outcome})`);
      throw new ActionableError(`applying ${name} failed: ${e.message}`, {
        cause: err,
        details: done.length === 0 ? ['nothing was applied'] : [`applied before the failure: ${done.join(', ')}`, 'rerun `extapi deploy` once fixed (it is idempotent), or remove them with `extapi uninstall`'],
      });
    }
  }
  return outcomes;
}

async function waitServing(ctx: DeployContext, deadline: number): Promise<void> {
  const { spec } = ctx;
  if (!spec.external) {
    await step(ctx.checklist, '8', `Deployment ${spec.target.namespace}/${spec.names.deployment} available`, async (s) => {
      const r = await waitForDeployment(ctx.cluster.client, spec.target.namespace, spec.names.deployment, deadline, (m) => s.update(m));
      if (!r.ok) throw new ActionableError(`the Deployment has no available replica after ${ctx.timeoutMs / 1000}s: ${r.message}; see \`kubectl -n ${spec.target.namespace} describe pods\``);
      s.done('pass', r.message);
    });
    return;
  }
  const { host, port } = spec.external;
  const caBundlePem = ctx.certs?.caBundlePem ?? '';
  await step(ctx.checklist, '8', `server at ${host}:${port} serves TLS as ${spec.names.serviceDnsName}`, async (s) => {
    for (;;) {
      const r = await fetchPeerCertificate({ host, port, serverName: spec.names.serviceDnsName, caBundlePem });
      if (r.ok && r.authorized) { s.done('pass', 'certificate verified against the caBundle'); return; }
      const why = r.ok ? `its certificate fails verification: ${r.authorizationError}` : `${r.code}: ${r.error}`;
      if (Date.now() >= deadline) throw new ActionableError(`the server at ${host}:${port} is not serving a valid certificate (${why}); start it with --tls-cert-dir ${ctx.certs?.paths.dir ?? '<cert dir>'}, then run \`extapi doctor\``);
      s.update(why);
      await new Promise((res) => setTimeout(res, 500));
    }
  });
}

async function waitApiServices(ctx: DeployContext, deadline: number): Promise<void> {
  for (const name of ctx.spec.names.apiServices) {
    await step(ctx.checklist, '14', `APIService ${name} Available`, async (s) => {
      const r = await waitForApiService(ctx.cluster.client, name, deadline, (m) => s.update(m));
      if (!r.ok) throw new ActionableError(`APIService ${name} is not Available after ${ctx.timeoutMs / 1000}s: ${r.message}; run \`extapi doctor -n ${ctx.spec.target.namespace}\` for the cause and its fix`);
      s.done('pass', 'Available');
    });
  }
}

async function waitKubectlReady(ctx: DeployContext, deadline: number): Promise<void> {
  await step(ctx.checklist, '14', 'discovery and OpenAPI v3 published through kube-apiserver (what kubectl reads)', async (s) => {
    const r = await waitForKubectlReady(ctx.cluster.client, ctx.spec.target.groups, deadline, (m) => s.update(m));
    if (!r.ok) throw new ActionableError(`kube-apiserver has not published what kubectl needs after ${ctx.timeoutMs / 1000}s: ${r.message}; run \`extapi doctor -n ${ctx.spec.target.namespace}\` for the cause`);
    s.done('pass', r.message);
  });
}

async function listResources(ctx: DeployContext): Promise<void> {
  for (const g of ctx.spec.target.groups) {
    for (const r of g.resources) {
      const version = g.versions.find((v) => r.versions.some((rv) => rv.name === v)) ?? r.storageVersion;
      await step(ctx.checklist, '15', `kubectl get ${r.plural}.${g.group}${r.namespaced ? ' -A' : ''}`, async (s) => {
        const list = await ctx.cluster.client.request('GET', `/apis/${g.group}/${version}/${r.plural}`, { query: { limit: '500' } });
        const n = (list?.items ?? []).length;
        s.done('pass', n === 0 ? 'No resources found' : `${n}${list?.metadata?.continue ? '+' : ''} found`);
      });
    }
  }
}
