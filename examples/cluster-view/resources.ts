/**
 * The cluster-view sample: two resources that are not in extapi's storage.
 * - NamespaceSummary (computed, read-only): one per namespace of the cluster, with its phase and
 *   how many ConfigMaps it holds, read live through the server's kubeconfig (as metrics-server
 *   derives its data from elsewhere). get, list, watch; writes answer 405.
 * - Note (custom storage): each Note lives in a ConfigMap `note-<name>` of its namespace; the
 *   ConfigMap's resourceVersion is the Note's, so kube-apiserver's own optimistic concurrency
 *   guards every update and delete.
 */
import {
  alreadyExists, conflict, defineResource, KubeApiError, notFound, type KubeClient, type KubeObject, type ResourceBackend,
} from '../../src/index.ts';

/** The API group of the cluster-view sample. */
export const VIEW_GROUP = 'view.example.com';

interface NamespaceItem { metadata: { name: string; labels?: Record<string, string>; creationTimestamp?: string }; status?: { phase?: string } }
interface ConfigMapItem { metadata: { name: string; namespace: string; resourceVersion: string; labels?: Record<string, string>; annotations?: Record<string, string> }; data?: Record<string, string> }

/** One summary per namespace: its labels, phase and number of ConfigMaps. */
async function summarize(client: KubeClient): Promise<KubeObject[]> {
  const [namespaces, configMaps] = await Promise.all([
    client.request<{ items: NamespaceItem[] }>('GET', '/api/v1/namespaces'),
    client.request<{ items: ConfigMapItem[] }>('GET', '/api/v1/configmaps'),
  ]);
  const counts = new Map<string, number>();
  for (const cm of configMaps.items) counts.set(cm.metadata.namespace, (counts.get(cm.metadata.namespace) ?? 0) + 1);
  return namespaces.items.map((ns) => ({
    apiVersion: '', kind: '',
    metadata: { name: ns.metadata.name, labels: ns.metadata.labels, creationTimestamp: ns.metadata.creationTimestamp },
    status: { phase: ns.status?.phase ?? 'Unknown', configMaps: counts.get(ns.metadata.name) ?? 0 },
  }));
}

/** NamespaceSummary: computed every second from the cluster's namespaces and ConfigMaps. */
export function namespaceSummaries(client: () => KubeClient) {
  return defineResource({
    group: VIEW_GROUP, kind: 'NamespaceSummary', plural: 'namespacesummaries', shortNames: ['nss'], namespaced: false,
    selectableFields: ['status.phase'],
    versions: [{
      name: 'v1alpha1', storage: true,
      schema: { type: 'object', properties: { status: { type: 'object', properties: { phase: { type: 'string' }, configMaps: { type: 'integer' } } } } },
      printerColumns: [
        { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
        { name: 'ConfigMaps', type: 'integer', jsonPath: '.status.configMaps' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    }],
    computed: { intervalMs: 1000, snapshot: () => summarize(client()) },
  });
}

const NOTE_LABEL = `${VIEW_GROUP}/note`;
const META_ANNOTATION = `${VIEW_GROUP}/metadata`;
const notesGr = { group: VIEW_GROUP, resource: 'notes' };

/** The Note kept in a ConfigMap: metadata in an annotation, spec in `data.spec`, resourceVersion the ConfigMap's. */
function fromConfigMap(cm: ConfigMapItem): KubeObject {
  const metadata = JSON.parse(cm.metadata.annotations?.[META_ANNOTATION] ?? '{}') as KubeObject['metadata'];
  return {
    apiVersion: `${VIEW_GROUP}/v1alpha1`, kind: 'Note',
    metadata: { ...metadata, namespace: cm.metadata.namespace, resourceVersion: cm.metadata.resourceVersion },
    spec: JSON.parse(cm.data?.spec ?? '{}'),
  };
}

function toConfigMap(note: KubeObject): Record<string, unknown> {
  const { resourceVersion, namespace, ...metadata } = note.metadata;
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: {
      name: `note-${note.metadata.name}`, namespace, labels: { [NOTE_LABEL]: 'true' },
      annotations: { [META_ANNOTATION]: JSON.stringify(metadata) }, ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: { spec: JSON.stringify(note.spec ?? {}) },
  };
}

/** Maps kube-apiserver's answers about the ConfigMap to answers about the Note. */
function asNoteError(err: unknown, name: string): unknown {
  if (!(err instanceof KubeApiError)) return err;
  if (err.reason === 'AlreadyExists') return alreadyExists(notesGr, name);
  if (err.reason === 'NotFound') return notFound(notesGr, name);
  if (err.reason === 'Conflict') return conflict(notesGr, name, 'the object has been modified; please apply your changes to the latest version and try again');
  return err;
}

/** Custom storage of Notes in ConfigMaps (see the file comment). */
export function configMapNotes(client: () => KubeClient): ResourceBackend {
  const path = (namespace: string | undefined, name?: string) => `/api/v1${namespace ? `/namespaces/${namespace}` : ''}/configmaps${name ? `/note-${name}` : ''}`;
  return {
    async get({ namespace, name }) {
      const cm = await client().getOrNull<ConfigMapItem>(path(namespace, name));
      return cm && cm.metadata.labels?.[NOTE_LABEL] === 'true' ? fromConfigMap(cm) : null;
    },
    async list(namespace) {
      const listed = await client().request<{ items: ConfigMapItem[]; metadata: { resourceVersion: string } }>('GET', path(namespace), { query: { labelSelector: `${NOTE_LABEL}=true` } });
      return { items: listed.items.map(fromConfigMap), resourceVersion: listed.metadata.resourceVersion };
    },
    async create(note) {
      try { return fromConfigMap(await client().request('POST', path(note.metadata.namespace), { body: toConfigMap(note) })); } catch (err) { throw asNoteError(err, note.metadata.name!); }
    },
    async update(note) {
      try { return fromConfigMap(await client().request('PUT', path(note.metadata.namespace, note.metadata.name), { body: toConfigMap(note) })); } catch (err) { throw asNoteError(err, note.metadata.name!); }
    },
    async delete({ namespace, name, resourceVersion }) {
      const current = await this.get({ namespace, name });
      if (!current) throw notFound(notesGr, name);
      try {
        await client().request('DELETE', path(namespace, name), { body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion } } });
      } catch (err) { throw asNoteError(err, name); }
      return current;
    },
  };
}

/** Note: a namespaced resource with a free-text spec, stored in the cluster's ConfigMaps. */
export function notes(client: () => KubeClient) {
  return defineResource({
    group: VIEW_GROUP, kind: 'Note', plural: 'notes', namespaced: true,
    versions: [{
      name: 'v1alpha1', storage: true,
      schema: { type: 'object', properties: { spec: { type: 'object', properties: { text: { type: 'string' } } } } },
      printerColumns: [{ name: 'Text', type: 'string', jsonPath: '.spec.text' }, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
    }],
    backend: configMapNotes(client),
  });
}

/** Every resource of the sample, reading the cluster through `client` (created on first use). */
export function clusterViewResources(client: () => KubeClient) {
  return [namespaceSummaries(client), notes(client)];
}
