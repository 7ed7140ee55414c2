/**
 * The parameter objects of admission policies: a policy's `paramKind` is resolved through
 * kube-apiserver's discovery to a resource, whose objects are then kept by an informer (one per
 * kind, started on first use, as upstream's policy source starts param informers). The server
 * needs get/list/watch on each param resource (see docs/admission-policies.md).
 */
import { KubeApiError, type KubeClient } from '../../kube/client.ts';
import { Informer, type InformedObject } from '../../kube/informer.ts';
import { selectorMatches } from '../webhooks/matching.ts';
import type { ParamKind, ParamRef } from './types.ts';

/** A resolved param kind: where its objects are and whether they are namespaced. */
interface ParamResource {
  informer: Informer<InformedObject>;
  namespaced: boolean;
  apiVersion: string;
  kind: string;
}

/** A configuration error of a policy or binding (upstream's addConfigError path). */
export class PolicyConfigurationError extends Error {}

/** GroupVersionKind.String() of Go: `group/version, Kind=Kind` (core: `/v1, Kind=ConfigMap`). */
function gvkString(kind: ParamKind): string {
  const [group, version] = (kind.apiVersion ?? '').includes('/') ? kind.apiVersion!.split('/', 2) : ['', kind.apiVersion ?? ''];
  return `${group}/${version}, Kind=${kind.kind ?? ''}`;
}

/** The generated String() of a v1.ParamKind, as CollectParams prints it. */
function paramKindString(kind: ParamKind): string {
  return `&ParamKind{APIVersion:${kind.apiVersion ?? ''},Kind:${kind.kind ?? ''},}`;
}

/** Reads param objects for policies; informers are shared by every policy of the same paramKind. */
export class ParamSource {
  private readonly client: KubeClient;
  private readonly resources = new Map<string, Promise<ParamResource>>();

  constructor(client: KubeClient) {
    this.client = client;
  }

  /** Stops every param informer. */
  stop(): void {
    for (const r of this.resources.values()) void r.then((p) => p.informer.stop(), () => undefined);
    this.resources.clear();
  }

  /**
   * The params a binding selects (upstream's CollectParams): `[null]` when the policy has no
   * paramKind or the binding no paramRef, the named object or the selected objects otherwise, `[]`
   * when none is found and the binding allows that. Throws {@link PolicyConfigurationError}
   * with upstream's message for a kind that cannot be resolved or read, a namespaced paramRef
   * without namespace on a cluster-scoped request, and a missing param under `Deny`.
   */
  async collect(paramKind: ParamKind | undefined, paramRef: ParamRef | undefined, requestNamespace: string): Promise<(InformedObject | null)[]> {
    if (!paramKind || !paramRef) return [null];
    const resource = await this.resolve(paramKind);
    let namespace = '';
    if (resource.namespaced) {
      namespace = paramRef.namespace || requestNamespace;
      if (!namespace) throw new PolicyConfigurationError('cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
    }
    try {
      resource.informer.checkSynced();
    } catch (err) {
      // Upstream's words, then why (typically: this server may not list the param resource).
      throw new PolicyConfigurationError(`paramKind kind \`${paramKindString(paramKind)}\` not yet synced to use for admission (${(err as Error).message})`);
    }
    if (paramRef.namespace && !resource.namespaced) throw new PolicyConfigurationError('paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
    const inScope = resource.informer.list().filter((o) => (o.metadata?.namespace ?? '') === namespace);
    let params: InformedObject[];
    if (paramRef.name) {
      if (paramRef.selector) throw new PolicyConfigurationError('paramRef.name and paramRef.selector are mutually exclusive');
      params = inScope.filter((o) => o.metadata?.name === paramRef.name);
    } else if (paramRef.selector) {
      params = inScope.filter((o) => selectorMatches(paramRef.selector, (o.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {}));
    } else {
      throw new PolicyConfigurationError('one of name or selector must be provided');
    }
    if (params.length === 0 && paramRef.parameterNotFoundAction === 'Deny') {
      throw new PolicyConfigurationError('no params found for policy binding with `Deny` parameterNotFoundAction');
    }
    return params.map((p) => ({ ...p, apiVersion: resource.apiVersion, kind: resource.kind }));
  }

  /**
   * The resource of `paramKind`, with its informer started (first list awaited); a kind that
   * discovery does not know is upstream's "failed to find resource referenced by paramKind".
   */
  resolve(paramKind: ParamKind): Promise<ParamResource> {
    const key = `${paramKind.apiVersion}|${paramKind.kind}`;
    let pending = this.resources.get(key);
    if (!pending) {
      pending = this.discover(paramKind);
      this.resources.set(key, pending);
      pending.catch(() => this.resources.delete(key));
    }
    return pending;
  }

  private async discover(paramKind: ParamKind): Promise<ParamResource> {
    const apiVersion = paramKind.apiVersion ?? '';
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const notFound = () => new PolicyConfigurationError(`failed to find resource referenced by paramKind: '${gvkString(paramKind)}'`);
    let list: { resources?: { name: string; kind: string; namespaced: boolean }[] } | null;
    try {
      list = apiVersion ? await this.client.getOrNull(path) : null;
    } catch (err) {
      if (err instanceof KubeApiError) throw notFound();
      throw err;
    }
    const found = list?.resources?.find((r) => r.kind === paramKind.kind && !r.name.includes('/'));
    if (!found) throw notFound();
    const informer = new Informer<InformedObject>(this.client, `${path}/${found.name}`);
    await informer.start();
    return { informer, namespaced: found.namespaced, apiVersion, kind: found.kind };
  }
}
