/**
 * `extapi/testing`: what a team needs for its own tests — an in-process server with a small
 * HTTP client (no cluster), and a real control plane (etcd + kube-apiserver built from the Go
 * module proxy, cached in ~/.cache/extapi) with its resources served behind the aggregator.
 * @packageDocumentation
 */
export { startApiTestServer, type ApiTestServer, type TestResponse } from './api-test-server.ts';
export { getSharedControlPlane, attachControlPlane, SHARED_CLUSTER_ENV } from './shared-control-plane.ts';
export { startControlPlane, type ControlPlaneOptions } from './control-plane.ts';
export type { ControlPlane, ControlPlaneState } from './control-plane-state.ts';
export type { KubectlResult, KubectlCallOptions } from './kubectl.ts';
export { serveBehindAggregator, type AggregatedServer, type AggregatedServerOptions } from './aggregated-server.ts';
