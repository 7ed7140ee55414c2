/** Paths and objects shared by the parity scenarios. */
import type { ScenarioContext } from '../support/scenario.ts';

/** The wardle group's path prefix. */
export const GROUP = '/apis/wardle.example.com';

/** The flunders collection of `ctx.ns` in `version`. */
export function flunders(ctx: ScenarioContext, version = 'v1alpha1'): string {
  return `${GROUP}/${version}/namespaces/${ctx.ns}/flunders`;
}

/** The fischers collection (cluster-scoped, v1alpha1 only). */
export const FISCHERS = `${GROUP}/v1alpha1/fischers`;

/** A v1alpha1 Flunder body. */
export function alphaFlunder(name: string, spec: Record<string, unknown> = { reference: 'target', referenceType: 'Flunder' }, meta: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder', metadata: { name, ...meta }, spec };
}

/** A v1beta1 Flunder body. */
export function betaFlunder(name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'wardle.example.com/v1beta1', kind: 'Flunder', metadata: { name, ...meta }, spec };
}

/** A Fischer body. */
export function fischer(name: string, disallowedFlunders: string[] = []): Record<string, unknown> {
  return { apiVersion: 'wardle.example.com/v1alpha1', kind: 'Fischer', metadata: { name }, disallowedFlunders };
}

/** Creates `count` labelled v1alpha1 Flunders `<base>-<i>` without recording. */
export async function seedFlunders(ctx: ScenarioContext, base: string, count: number, labels: Record<string, string>): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await ctx.send({ method: 'POST', path: flunders(ctx), body: alphaFlunder(`${base}-${i}`, { reference: `r${i}`, referenceType: 'Flunder' }, { labels: { ...labels, index: String(i % 2) } }) });
    if (res.status !== 201) throw new Error(`seeding ${base}-${i}: ${res.status} ${res.text}`);
  }
}

/** Deletes the Flunders with `selector` in ctx.ns without recording. */
export async function cleanFlunders(ctx: ScenarioContext, selector: string): Promise<void> {
  await ctx.send({ method: 'DELETE', path: `${flunders(ctx)}?labelSelector=${encodeURIComponent(selector)}` });
}

/** Deletes Fischers by name without recording. */
export async function cleanFischers(ctx: ScenarioContext, names: string[]): Promise<void> {
  for (const n of names) await ctx.send({ method: 'DELETE', path: `${FISCHERS}/${n}` });
}

/** Accept header for a Table (meta.k8s.io/v1). */
export const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
/** Accept header for PartialObjectMetadata (meta.k8s.io/v1). */
export const PARTIAL = 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io';
/** Accept header for PartialObjectMetadataList (meta.k8s.io/v1). */
export const PARTIAL_LIST = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io';

/**
 * The outcome of a write where the two servers are known to decide differently (one stores, the
 * other refuses): the kind answered, the spec stored, and the refusal's message and causes. The
 * documented difference pins each of these paths, so any other change in the step still shows.
 */
export const outcome = (b: any) => ({ kind: b?.kind, name: b?.metadata?.name ?? b?.details?.name, spec: b?.spec, message: b?.message, causes: b?.details?.causes });
