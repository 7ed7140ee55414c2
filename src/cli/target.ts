/**
 * What is being set up: the server's resources (from `--server-module`, default the wardle
 * example), grouped into API groups with their versions in Kubernetes priority order, and the
 * names of every object the setup creates.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Resource } from '../resource/define-resource.ts';
import { compareKubeVersions, servedVersions } from '../resource/versions.ts';
import { ActionableError, usageError } from './errors.ts';
import type { TargetFlags } from './flags.ts';

/** One API group served by the server. */
export interface GroupPlan {
  group: string;
  /** Served versions, preferred (highest priority) first. */
  versions: string[];
  resources: Resource[];
}

/** The server being set up and where. */
export interface Target {
  namespace: string;
  service: string;
  serviceAccount: string;
  groups: GroupPlan[];
  /** Every resource, all groups. */
  resources: Resource[];
}

/** The names of the objects a setup creates (cluster-scoped ones carry namespace and SA). */
export interface ObjectNames {
  secret: string;
  deployment: string;
  pvc: string;
  pdb: string;
  clusterRole: string;
  clusterRoleBinding: string;
  authDelegatorBinding: string;
  authReaderBinding: string;
  /** The Service's DNS name, and the TLS ServerName the aggregator uses. */
  serviceDnsName: string;
  /** `system:serviceaccount:<ns>:<sa>`. */
  serviceAccountUser: string;
  /** APIService names, `<version>.<group>`, preferred version first, per group. */
  apiServices: string[];
}

/** Derives every object name from the target. */
export function objectNames(t: Pick<Target, 'namespace' | 'service' | 'serviceAccount' | 'groups'>): ObjectNames {
  const base = `${t.namespace}:${t.serviceAccount}`;
  return {
    secret: `${t.service}-serving-cert`,
    deployment: t.service,
    pvc: `${t.service}-data`,
    pdb: t.service,
    clusterRole: base,
    clusterRoleBinding: base,
    authDelegatorBinding: `${base}:auth-delegator`,
    authReaderBinding: `${base}:auth-reader`,
    serviceDnsName: `${t.service}.${t.namespace}.svc`,
    serviceAccountUser: `system:serviceaccount:${t.namespace}:${t.serviceAccount}`,
    apiServices: t.groups.flatMap((g) => g.versions.map((v) => `${v}.${g.group}`)),
  };
}

/** Groups resources by API group, versions sorted by {@link compareKubeVersions}. */
export function planGroups(resources: Resource[]): GroupPlan[] {
  const byGroup = new Map<string, GroupPlan>();
  for (const r of resources) {
    const plan = byGroup.get(r.group) ?? { group: r.group, versions: [], resources: [] };
    plan.resources.push(r);
    for (const v of servedVersions(r)) if (!plan.versions.includes(v.name)) plan.versions.push(v.name);
    byGroup.set(r.group, plan);
  }
  for (const plan of byGroup.values()) plan.versions.sort(compareKubeVersions);
  return [...byGroup.values()];
}

function isResource(x: unknown): x is Resource {
  const r = x as Resource | null;
  return !!r && typeof r.group === 'string' && typeof r.plural === 'string' && Array.isArray(r.versions) && typeof r.namespaced === 'boolean';
}

/** Where a generated project (`extapi init`) keeps its resources; the default `--server-module` when present. */
export const PROJECT_RESOURCES_MODULE = 'src/resources.ts';

/**
 * Imports a server module. A TypeScript module that Node cannot load by itself is loaded through
 * the project's own tsx (resolved from `cwd`), as `npm start` runs it.
 */
async function importServerModule(file: string, cwd: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  try {
    return await import(url) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  }
  let tsxLoader: string;
  try {
    // tsx/esm registers tsx's hooks when imported (what `node --import tsx/esm` does); its
    // tsx/esm/api resolves to the CommonJS build from here, whose register() cannot find its hooks
    tsxLoader = createRequire(join(cwd, 'package.json')).resolve('tsx/esm');
  } catch {
    throw usageError(`--server-module ${file} is TypeScript and tsx is not installed here; run \`npm install -D tsx\` or give a built .js module`);
  }
  await import(pathToFileURL(tsxLoader).href);
  // Node keeps the failed import of `url` in its module map: the same URL would fail again even
  // with tsx's hooks registered, so the module is imported under a query that makes it a new entry
  return await import(`${url}?tsx`) as Record<string, unknown>;
}

/**
 * Loads the resources of the server: the module's `resources` export or default export (an
 * array of Resource); without a path, `src/resources.ts` of the working directory when it
 * exists (a project made by `extapi init`), else the wardle example's.
 */
export async function loadServerResources(modulePath: string | undefined, cwd: string): Promise<Resource[]> {
  if (!modulePath && existsSync(join(cwd, PROJECT_RESOURCES_MODULE))) modulePath = PROJECT_RESOURCES_MODULE;
  if (!modulePath) return (await import('../../examples/wardle/resources.ts')).wardleResources;
  const file = resolve(cwd, modulePath);
  if (!existsSync(file)) throw usageError(`--server-module ${modulePath} does not exist; give the path of a module exporting \`resources\``);
  let mod: Record<string, unknown>;
  try {
    mod = await importServerModule(file, cwd);
  } catch (err) {
    if (err instanceof ActionableError) throw err;
    throw new ActionableError(`cannot load --server-module ${modulePath}: ${(err as Error).message.split('\n')[0]}; fix the module so that it imports cleanly`, { cause: err });
  }
  const list = Array.isArray(mod.resources) ? mod.resources : Array.isArray(mod.default) ? mod.default : undefined;
  if (!list || list.length === 0 || !list.every(isResource)) {
    throw usageError(`--server-module ${modulePath} must export \`resources\` (or a default export): a non-empty array of defineResource() results`);
  }
  return list;
}

/** Resolves the target from its flags: loads the resources, applies `--group`. */
export async function resolveTarget(flags: TargetFlags, cwd: string): Promise<Target> {
  let resources = await loadServerResources(flags.serverModule, cwd);
  if (flags.group) {
    const all = [...new Set(resources.map((r) => r.group))];
    resources = resources.filter((r) => r.group === flags.group);
    if (resources.length === 0) throw usageError(`the server serves no resource in group "${flags.group}"; it serves ${all.join(', ')}`);
  }
  return {
    namespace: flags.namespace, service: flags.service, serviceAccount: flags.serviceAccount,
    groups: planGroups(resources), resources,
  };
}
