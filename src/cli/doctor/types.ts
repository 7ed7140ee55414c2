/**
 * The doctor's vocabulary: the facts gathered once from the cluster (and the server), the
 * result of one check, and a check itself.
 */
import type { Cluster } from '../cluster.ts';
import type { ObjectNames, Target } from '../target.ts';
import type { PeerCertificateResult, ProbeCredentials } from '../probe/tls-probe.ts';

/** How one check ended. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** The result of one check, as printed and as `--output json` emits it. */
export interface CheckResult {
  /** Stable identifier, e.g. `auth-reader`, `apiservice/v1alpha1.wardle.example.com`. */
  id: string;
  /** The setup step (1-15) it verifies, or 0 for cluster-wide checks. */
  step: number;
  title: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** How to fix it (failures and warnings). */
  fix?: string;
}

/** An object read from the cluster: the object, null when absent, or why it could not be read. */
export interface Fetched {
  obj: any | null;
  error?: string;
}

/** Where the server can be reached from here, and why we think so. */
export interface Endpoint {
  host: string;
  port: number;
  source: 'ExternalName Service' | 'APIService annotation' | '--address';
}

/** Everything the checks look at, gathered once. */
export interface DoctorFacts {
  cluster: Cluster;
  target: Target;
  names: ObjectNames;
  /** Commands to put into fixes. */
  hints: { deploy: string; rotate: string; certDir?: string };
  apiRegistrationServed: boolean;
  namespace: Fetched;
  service: Fetched;
  serviceAccount: Fetched;
  secret: Fetched;
  deployment: Fetched;
  apiServices: Array<{ name: string } & Fetched>;
  /** The caBundle of the APIServices (PEM), when they carry one. */
  caBundlePem?: string;
  /** True when the Service is an ExternalName (server outside the cluster). */
  external: boolean;
  endpoint?: Endpoint;
  /** The certificate the server presented (when reachable from here). */
  peer?: PeerCertificateResult;
  credentials: ProbeCredentials;
}

/** One check: reads the facts (and may query further), returns one or more results. */
export interface Check {
  title: string;
  step: number;
  /** Reads objects in the namespace: skipped when the namespace does not exist. */
  namespaced?: boolean;
  run(f: DoctorFacts): Promise<CheckResult[]>;
}

/** Shorthand constructor of a result. */
export function result(id: string, step: number, title: string, status: CheckStatus, detail: string, fix?: string): CheckResult {
  return fix === undefined ? { id, step, title, status, detail } : { id, step, title, status, detail, fix };
}
