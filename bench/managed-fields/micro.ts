/**
 * The in-process microbenchmark of FieldManager.update: wardle's v1beta1 Flunder (the field
 * manager the server builds for it), an update that changes one label of an object carrying one
 * Update entry, as the benchmark's PUTs do. Bodies are prepared before the clock starts.
 */
import { wardleResources } from '../../examples/wardle/resources.ts';
import type { KubeObject } from '../../src/apimachinery/types.ts';
import { VersionCodec } from '../../src/endpoints/codec.ts';
import { fieldManagerOf } from '../../src/endpoints/field-managers.ts';
import { median } from '../results.ts';

/** Microseconds per FieldManager.update in each round. */
export interface MicroResult {
  rounds: number;
  iterations: number;
  microsPerUpdate: number[];
  median: number;
}

const API_VERSION = 'wardle.example.com/v1beta1';

function body(i: number): KubeObject {
  return {
    apiVersion: API_VERSION, kind: 'Flunder',
    metadata: { name: 'upd-0', namespace: 'bench-ops', labels: { app: 'bench', n: String(i) }, resourceVersion: String(1000 + i) },
    spec: { flunderReference: 'ref-upd-0', referenceType: 'Flunder' },
  } as KubeObject;
}

/** Runs `rounds` rounds of `iterations` updates (after one untimed warm-up round). */
export function fieldManagerMicrobench(rounds: number, iterations: number): MicroResult {
  const flunders = wardleResources.find((r) => r.kind === 'Flunder')!;
  const codecs = new Map(flunders.versions.map((v) => [`${flunders.group}/${v.name}`, new VersionCodec(flunders, v)]));
  const fm = fieldManagerOf(codecs.get(API_VERSION)!, codecs, '')!;
  const created = fm.update(undefined, body(0), 'bench');
  let live: KubeObject = { ...created, metadata: { ...created.metadata, uid: '6b1f0c7e-0000-4000-8000-000000000000', creationTimestamp: '2026-01-01T00:00:00Z' } };
  const round = (): number => {
    const bodies = Array.from({ length: iterations }, (_, i) => body(i + 1));
    const t0 = performance.now();
    for (const next of bodies) live = fm.update(live, next, 'bench');
    return ((performance.now() - t0) * 1000) / iterations;
  };
  round();
  if (!live.metadata.managedFields?.length) throw new Error('FieldManager.update recorded no managedFields: the microbenchmark would measure nothing');
  const microsPerUpdate = Array.from({ length: rounds }, round);
  return { rounds, iterations, microsPerUpdate, median: median(microsPerUpdate) };
}
