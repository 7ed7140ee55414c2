/**
 * Kubernetes-compatible validation of names and ObjectMeta, worded as kube-apiserver words it.
 * @module
 */
export * from './field-errors.ts';
export * from './go-format.ts';
export * from './names.ts';
export * from './meta-fields.ts';
export * from './object-meta.ts';
export * from './meta-types.ts';
