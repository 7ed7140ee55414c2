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
export function tableColumns(version: VersionDefinition): { defs: TableColumnDefinition[]; paths: string[]; types: string[] } {
  const declared = version.printerColumns && version.printerColumns.length > 0 ? version.printerColumns : [AGE_COLUMN];
  const defs = [NAME_COLUMN, ...declared.map((c) => ({
    name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0,
  }))];
  return { defs, paths: declared.map((c) => c.jsonPath), types: declared.map((c) => c.type) };
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

/**
 * apimachinery's duration.HumanDuration: how kube-apiserver renders a `date` column (`5s`,
 * `3m20s`, `2d4h`, `3y12d`); more than a second in the future is `<invalid>`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  const pair = (big: number, unit: string, small: number, smallUnit: string) => (small === 0 ? `${big}${unit}` : `${big}${unit}${small}${smallUnit}`);
  if (minutes < 10) return pair(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return pair(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return pair(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return pair(years, 'y', days % 365, 'd');
  return `${years}y`;
}

function dateCell(value: unknown, now: number): unknown {
  if (value === undefined || value === null) return null;
  const time = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(time) ? '<invalid>' : humanDuration(now - time);
}

/** One metav1.TableRow for an object (already in the request's version); `date` columns become ages. */
export function tableRow(obj: KubeObject, paths: string[], include: IncludeObject, version: 'v1' | 'v1beta1', types: string[] = []) {
  const now = Date.now();
  const cells = [obj.metadata.name, ...paths.map((p, i) => (types[i] === 'date' ? dateCell(readJsonPath(obj, p), now) : cellValue(readJsonPath(obj, p))))];
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
  const { defs, paths, types } = tableColumns(version);
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: `meta.k8s.io/${tableVersion}`, metadata: listMeta };
  if (withColumns) table.columnDefinitions = defs;
  table.rows = objs.map((o) => tableRow(o, paths, include, tableVersion, types));
  return table;
}
