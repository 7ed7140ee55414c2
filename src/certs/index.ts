/**
 * extapi's small PKI: CAs, serving and client certificates, PEM, certificate facts and chain
 * checks, and kubeconfig files. Built on `@peculiar/x509` and `node:crypto`.
 * @packageDocumentation
 */
export * from './pem.ts';
export * from './keys.ts';
export * from './issue.ts';
export * from './inspect.ts';
export * from './kubeconfig.ts';
