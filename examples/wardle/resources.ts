import { defineResource, field, forbidden, type FieldError, type KubeObject, type StreamDefinition, type Strategy } from '../../src/index.ts';

/** The API group of the wardle sample, as k8s.io/sample-apiserver names it. */
export const WARDLE_GROUP = 'wardle.example.com';

const metaFields = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };

/** extapi extension (not in sample-apiserver): replicas for the scale subresource, as a CRD declares them. */
const replicasField = { replicas: { type: 'integer', minimum: 0, description: 'Desired replicas (extapi extension: served through flunders/scale).' } };
const flunderStatus = {
  type: 'object',
  properties: {
    replicas: { type: 'integer', description: 'Observed replicas (extapi extension: flunders/scale status.replicas).' },
    selector: { type: 'string', description: 'Label selector of the replicas (extapi extension: flunders/scale status.selector).' },
  },
};

const v1alpha1FlunderSchema = {
  type: 'object',
  properties: {
    ...metaFields,
    spec: {
      type: 'object',
      properties: {
        reference: { type: 'string', description: 'A name of another flunder or fischer, depending on the reference type.' },
        referenceType: { type: 'string', description: 'The reference type, defaults to "Flunder" if reference is set.' },
        ...replicasField,
      },
    },
    status: flunderStatus,
  },
};

/** The descriptions are sample-apiserver's (its OpenAPI, from the Go doc comments). */
const v1beta1FlunderSchema = {
  type: 'object',
  description: 'Flunder is an example type with a spec and a status.',
  properties: {
    ...metaFields,
    spec: {
      type: 'object',
      description: 'FlunderSpec is the specification of a Flunder.',
      properties: {
        flunderReference: { type: 'string', description: 'A name of another flunder, mutually exclusive to the FischerReference.' },
        fischerReference: { type: 'string', description: 'A name of a fischer, mutually exclusive to the FlunderReference.' },
        referenceType: { type: 'string', description: 'The reference type.' },
        ...replicasField,
      },
    },
    status: { ...flunderStatus, description: 'FlunderStatus is the status of a Flunder.' },
  },
};

/**
 * wardle's v1alpha1 as sample-apiserver marks it (`+k8s:prerelease-lifecycle-gen:introduced=1.0`,
 * `removed=1.10`: deprecated from 1.3), with kube-apiserver's text for such a built-in version.
 */
function deprecatedAsUpstream(kind: string) {
  return { deprecated: true, deprecationWarning: `${WARDLE_GROUP}/v1alpha1 ${kind} is deprecated in v1.3+, unavailable in v1.10+` } as const;
}

const FLUNDER_LIST_DESCRIPTION = 'FlunderList is a list of Flunder objects.';

type Spec = Record<string, string | undefined> & { replicas?: number };

/** v1alpha1 → v1beta1 (the storage version), as sample-apiserver converts. */
function alphaToBeta(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Spec;
  const out: Spec = {};
  if (spec.referenceType) out.referenceType = spec.referenceType;
  if (spec.replicas !== undefined) out.replicas = spec.replicas;
  if (spec.reference) {
    if (spec.referenceType === 'Fischer') out.fischerReference = spec.reference;
    else out.flunderReference = spec.reference;
  }
  return { ...obj, spec: out };
}

/** v1beta1 → v1alpha1. */
function betaToAlpha(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Spec;
  const out: Spec = {};
  if (spec.flunderReference) { out.reference = spec.flunderReference; out.referenceType = 'Flunder'; }
  else if (spec.fischerReference) { out.reference = spec.fischerReference; out.referenceType = 'Fischer'; }
  else if (spec.referenceType) out.referenceType = spec.referenceType;
  if (spec.replicas !== undefined) out.replicas = spec.replicas;
  return { ...obj, spec: out };
}

/** sample-apiserver's ValidateFlunderSpec, on the storage (v1beta1) form. */
export function validateFlunderSpec(obj: KubeObject): FieldError[] {
  const s = (obj.spec ?? {}) as Spec;
  const errors: FieldError[] = [];
  const bad = (name: string, value: string | undefined, why: string) => errors.push(field.invalid(`spec.${name}`, value ?? '', why));
  if (s.flunderReference && s.fischerReference) bad('fischerReference', s.fischerReference, 'cannot be set with flunderReference at the same time');
  else if (s.flunderReference && s.referenceType !== 'Flunder') bad('flunderReference', s.flunderReference, 'cannot be set if referenceType is not Flunder');
  else if (s.fischerReference && s.referenceType !== 'Fischer') bad('fischerReference', s.fischerReference, 'cannot be set if referenceType is not Fischer');
  else if (!s.fischerReference && s.referenceType === 'Fischer') bad('fischerReference', s.fischerReference, 'cannot be empty if referenceType is Fischer');
  else if (!s.flunderReference && s.referenceType === 'Flunder') bad('flunderReference', s.flunderReference, 'cannot be empty if referenceType is Flunder');
  if (s.referenceType && s.referenceType !== 'Flunder' && s.referenceType !== 'Fischer') bad('referenceType', s.referenceType, 'must be Flunder or Fischer');
  return errors;
}

const flunderStrategy: Strategy = {
  prepareForCreate(obj) { defaultReferenceType(obj); },
  prepareForUpdate(obj) { defaultReferenceType(obj); },
  validate: (obj) => validateFlunderSpec(obj),
  /** BanFlunder: a Flunder may not take a name any Fischer disallows (CREATE only, as upstream). */
  async validateAdmission(obj, _old, ctx) {
    if (ctx.operation !== 'CREATE') return;
    const fischers = await ctx.lookup({ group: WARDLE_GROUP, plural: 'fischers' });
    const name = obj.metadata.name ?? '';
    if (fischers.some((f) => ((f.disallowedFlunders as string[] | undefined) ?? []).includes(name))) {
      throw forbidden({ group: WARDLE_GROUP, resource: 'flunders' }, name, 'this name may not be used, please change the resource name');
    }
  },
};

function defaultReferenceType(obj: KubeObject): void {
  const spec = obj.spec as Spec | undefined;
  if (spec && !spec.referenceType && spec.flunderReference) spec.referenceType = 'Flunder';
}

const printerColumns = [
  { name: 'Reference-Type', type: 'string' as const, jsonPath: '.spec.referenceType' },
  { name: 'Age', type: 'date' as const, jsonPath: '.metadata.creationTimestamp' },
];

/** One line of a flunder's log: when, which version, what it references and how many replicas it wants. */
function logLine(obj: KubeObject): string {
  const spec = (obj.spec ?? {}) as Spec;
  const reference = spec.flunderReference ?? spec.fischerReference ?? '';
  return `${new Date().toISOString()} resourceVersion=${obj.metadata.resourceVersion} referenceType=${spec.referenceType ?? ''} reference=${reference} replicas=${spec.replicas ?? 0}\n`;
}

/**
 * flunders/log (extapi extension, like pods/log): the flunder's current state as one line; with
 * `?follow=true` a new line each time it changes, until the client leaves or the flunder is deleted.
 */
const flunderLog: StreamDefinition = {
  async *stream({ object, current, query, signal }) {
    yield logLine(object);
    if (query.get('follow') !== 'true') return;
    let seen = object.metadata.resourceVersion;
    while (!signal.aborted) {
      await new Promise((resolve) => { const t = setTimeout(resolve, 250); signal.addEventListener('abort', () => { clearTimeout(t); resolve(undefined); }, { once: true }); });
      let now: KubeObject;
      try { now = await current(); } catch { return; }
      if (now.metadata.resourceVersion !== seen) { seen = now.metadata.resourceVersion; yield logLine(now); }
    }
  },
};

/**
 * Flunder: namespaced, served as v1alpha1 and v1beta1 (stored as v1beta1). Beyond sample-apiserver:
 * status, scale (like a CRD's) and log subresources.
 */
export const flunders = defineResource({
  group: WARDLE_GROUP, kind: 'Flunder', plural: 'flunders', singular: 'flunder', namespaced: true,
  shortNames: ['fl'], categories: ['wardle'], strategy: flunderStrategy,
  subresources: {
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
    streams: { log: flunderLog },
  },
  selectableFields: ['spec.referenceType'],
  versions: [
    { name: 'v1beta1', storage: true, schema: v1beta1FlunderSchema, listDescription: FLUNDER_LIST_DESCRIPTION, printerColumns: [...printerColumns,
      { name: 'Flunder-Reference', type: 'string', jsonPath: '.spec.flunderReference', priority: 1 },
      { name: 'Fischer-Reference', type: 'string', jsonPath: '.spec.fischerReference', priority: 1 }] },
    { name: 'v1alpha1', schema: v1alpha1FlunderSchema, listDescription: FLUNDER_LIST_DESCRIPTION, toStorage: alphaToBeta, fromStorage: betaToAlpha, ...deprecatedAsUpstream('Flunder'),
      printerColumns: [...printerColumns, { name: 'Reference', type: 'string', jsonPath: '.spec.reference', priority: 1 }] },
  ],
});

/** Fischer: cluster-scoped, v1alpha1, with the list of disallowed Flunder names. */
export const fischers = defineResource({
  group: WARDLE_GROUP, kind: 'Fischer', plural: 'fischers', singular: 'fischer', namespaced: false, shortNames: ['fi'], categories: ['wardle'],
  versions: [{
    name: 'v1alpha1', storage: true, ...deprecatedAsUpstream('Fischer'),
    schema: { type: 'object', properties: { ...metaFields, disallowedFlunders: { type: 'array', description: 'DisallowedFlunders holds a list of Flunder.Names that are disallowed.', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' } } },
    printerColumns: [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
    listDescription: 'FischerList is a list of Fischer objects.',
  }],
});

/** Every resource of the wardle sample. */
export const wardleResources = [flunders, fischers];
