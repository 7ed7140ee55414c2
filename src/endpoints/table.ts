import type { KubeObject } from '../apimachinery/types.ts';
import type { PrinterColumn, VersionDefinition } from '../resource/define-resource.ts';
import { badRequest } from '../errors/status-error.ts';

/** metav1.TableColumnDefinition. */
export interface TableColumnDefinition {
  name: string; type: string; format: string; description: string; priority: number;
}

/** What `includeObject` asks each row to carry. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Reads `includeObject` (default Metadata); other values answer 400. */
export function parseIncludeObject(value: string | null): IncludeObject {
  if (value === null || value === '') return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw badRequest(`includeObject: Unsupported value: "${value}": supported values: "Metadata", "None", "Object"`);
}

const NAME_COLUMN: TableColumnDefinition = {
  name: 'Name', type: 'string', format: 'name', priority: 0,
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
};
const AGE_COLUMN: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** The columns of a version: Name, the declared printer columns (Age when none are declared). */
export function tableColumns(version: VersionDefinition): { defs: TableColumnDefinition[]; paths: string[] } {
  const declared = version.printerColumns && version.printerColumns.length > 0 ? version.printerColumns : [AGE_COLUMN];
  const defs = [NAME_COLUMN, ...declared.map((c) => ({
    name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0,
  }))];
  return { defs, paths: declared.map((c) => c.jsonPath) };
}

/** The value at a simple JSONPath (`.a.b[0].c`), or undefined. */
export function readJsonPath(obj: unknown, path: string): unknown {
  const parts = path.replace(/^\./, '').split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '');
  let value: unknown = obj;
  for (const part of parts) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** metav1.PartialObjectMetadata of an object. */
export function partialObjectMetadata(obj: KubeObject, version: 'v1' | 'v1beta1'): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

/** One metav1.TableRow for an object (already in the request's version). */
export function tableRow(obj: KubeObject, paths: string[], include: IncludeObject, version: 'v1' | 'v1beta1') {
  const cells = [obj.metadata.name, ...paths.map((p) => cellValue(readJsonPath(obj, p)))];
  const row: Record<string, unknown> = { cells };
  if (include === 'Object') row.object = obj;
  else if (include === 'Metadata') row.object = partialObjectMetadata(obj, version);
  return row;
}

function cellValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

/** A metav1.Table of objects (already in the request's version). */
export function buildTable(objs: KubeObject[], version: VersionDefinition, tableVersion: 'v1' | 'v1beta1', include: IncludeObject, listMeta: Record<string, unknown>, withColumns = true) {
  const { defs, paths } = tableColumns(version);
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: `meta.k8s.io/${tableVersion}`, metadata: listMeta };
  if (withColumns) table.columnDefinitions = defs;
  table.rows = objs.map((o) => tableRow(o, paths, include, tableVersion));
  return table;
}
