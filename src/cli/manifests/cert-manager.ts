/**
 * Steps 4-6 with cert-manager instead of extapi's own CA: a self-signed Issuer that makes the
 * CA Certificate, a CA Issuer backed by it, and the serving Certificate whose Secret the
 * Deployment mounts. cainjector copies the CA into each APIService (see apiservice.ts).
 */
import { servingNames } from '../certs/cert-files.ts';
import { commonLabels, type StepObject, type ManifestSpec } from './types.ts';

const CM = 'cert-manager.io/v1';

/** The cert-manager objects (Issuers and Certificates), in apply order. */
export function certManagerObjects(spec: ManifestSpec, days: number): StepObject[] {
  const ns = spec.target.namespace;
  const svc = spec.target.service;
  const labels = commonLabels(spec);
  const meta = (name: string) => ({ name, namespace: ns, labels });
  const selfSigned = `${svc}-selfsigned`;
  const caName = `${svc}-ca`;
  const key = { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' };
  return [
    { step: 4, object: { apiVersion: CM, kind: 'Issuer', metadata: meta(selfSigned), spec: { selfSigned: {} } } },
    {
      step: 4, object: {
        apiVersion: CM, kind: 'Certificate', metadata: meta(caName),
        spec: {
          isCA: true, commonName: `${svc}.${ns} CA`, secretName: caName, duration: `${10 * 365 * 24}h`,
          privateKey: key, issuerRef: { name: selfSigned, kind: 'Issuer', group: 'cert-manager.io' },
        },
      },
    },
    { step: 4, object: { apiVersion: CM, kind: 'Issuer', metadata: meta(caName), spec: { ca: { secretName: caName } } } },
    {
      step: 5, object: {
        apiVersion: CM, kind: 'Certificate', metadata: meta(spec.names.secret),
        spec: {
          secretName: spec.names.secret, dnsNames: servingNames(ns, svc).dnsNames,
          duration: `${days * 24}h`, renewBefore: `${Math.min(30, Math.floor(days / 3)) * 24}h`,
          privateKey: key, usages: ['server auth', 'digital signature'],
          issuerRef: { name: caName, kind: 'Issuer', group: 'cert-manager.io' },
        },
      },
    },
  ];
}
