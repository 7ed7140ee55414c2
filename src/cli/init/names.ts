/** Names a new project and its resources derive from, checked the way Kubernetes checks them. */
import { usageError } from '../errors.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;
const VERSION = /^v\d+((alpha|beta)\d+)?$/;

/** An npm package name for a new project (lower case, dashes); throws a usage error otherwise. */
export function checkProjectName(name: string): string {
  if (!DNS_LABEL.test(name) || name.length > 63) {
    throw usageError(`project name "${name}" must be lower-case letters, digits and dashes (e.g. my-api)`);
  }
  return name;
}

/** An API group: a DNS subdomain with at least one dot, as APIService names need (`example.acme.io`). */
export function checkGroup(group: string): string {
  const labels = group.split('.');
  if (labels.length < 2 || group.length > 253 || !labels.every((l) => DNS_LABEL.test(l))) {
    throw usageError(`--group "${group}" must be a lower-case DNS name with a dot, e.g. example.acme.io`);
  }
  return group;
}

/** A Kind: UpperCamelCase letters and digits (`Widget`). */
export function checkKind(kind: string): string {
  if (!KIND.test(kind)) throw usageError(`kind "${kind}" must be UpperCamelCase letters and digits, e.g. Widget`);
  return kind;
}

/** A Kubernetes-style version name (`v1`, `v1alpha1`, `v2beta3`). */
export function checkVersion(version: string): string {
  if (!VERSION.test(version)) throw usageError(`--version "${version}" must look like v1, v1alpha1 or v1beta2`);
  return version;
}

/** The lower-case plural of a Kind, as kubebuilder forms it (`Widget` → `widgets`, `Policy` → `policies`). */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

/** The identifier a resource gets in src/resources.ts: its plural in lowerCamelCase. */
export function identifierOf(kind: string): string {
  const plural = pluralOf(kind);
  return plural.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
