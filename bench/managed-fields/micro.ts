/**
 * The in-process microbenchmark of FieldManager.update: wardle's v1beta1 Flunder (the field
 * manager the server builds for it), an update that changes one label of an object carrying one
 * Update entry, as the benchmark's PUTs do. Bodies are prepared before the clock starts.
 * Rounds alternate with a reference workload so the result also reads as a load-independent ratio.
 */
import { wardleResources } from '../../examples/wardle/resources.ts';
import type { KubeObject } from '../../src/apimachinery/types.ts';
import { VersionCodec } from '../../src/endpoints/codec.ts';
import { fieldManagerOf } from '../../src/endpoints/field-managers.ts';
import { median } from '../results.ts';

/** Microseconds per FieldManager.update in each round, and of the reference work in the round after it. */
export interface MicroResult {
  rounds: number;
  iterations: number;
  microsPerUpdate: number[];
  median: number;
  /** µs per JSON round trip (parse of stringify) of the same object, each round run right after an update round. */
  referenceMicros: number[];
  /** Median of update / reference per round pair: how many JSON round trips of the object one update costs. */
  relative: number;
}

const API_VERSION = 'wardle.example.com/v1beta1';

function body(i: number): KubeObject {
  return {
    apiVersion: API_VERSION, kind: 'Flunder',
    metadata: { name: 'upd-0', namespace: 'bench-ops', labels: { app: 'bench', n: String(i) }, resourceVersion: String(1000 + i) },
    spec: { flunderReference: 'ref-upd-0', referenceType: 'Flunder' },
  } as KubeObject;
}

/**
 * Runs `rounds` rounds of `iterations` updates (after one untimed warm-up round), each followed by
 * a round of the reference work (a JSON round trip of the live object), so the ratio of the two
 * holds on a machine whose speed other work changes.
 */
export function fieldManagerMicrobench(rounds: number, iterations: number): MicroResult {
  const flunders = wardleResources.find((r) => r.kind === 'Flunder')!;
  const codecs = new Map(flunders.versions.map((v) => [`${flunders.group}/${v.name}`, new VersionCodec(flunders, v)]));
  const fm = fieldManagerOf(codecs.get(API_VERSION)!, codecs, '')!;
  const created = fm.update(undefined, body(0), 'bench');
  let live: KubeObject = { ...created, metadata: { ...created.metadata, uid: '6b1f0c7e-0000-4000-8000-000000000000', creationTimestamp: '2026-01-01T00:00:00Z' } };
  const timed = (work: () => void): number => {
    const t0 = performance.now();
    work();
    return ((performance.now() - t0) * 1000) / iterations;
  };
  const updateRound = (): number => {
    const bodies = Array.from({ length: iterations }, (_, i) => body(i + 1));
    return timed(() => { for (const next of bodies) live = fm.update(live, next, 'bench'); });
  };
  const referenceRound = (): number => {
    let sink = 0;
    const micros = timed(() => { for (let i = 0; i < iterations; i++) sink += (JSON.parse(JSON.stringify(live)) as KubeObject).metadata.name!.length; });
    if (sink === 0) throw new Error('unreachable: the reference work produced nothing');
    return micros;
  };
  updateRound();
  referenceRound();
  if (!live.metadata.managedFields?.length) throw new Error('FieldManager.update recorded no managedFields: the microbenchmark would measure nothing');
  const microsPerUpdate: number[] = [];
  const referenceMicros: number[] = [];
  for (let r = 0; r < rounds; r++) {
    microsPerUpdate.push(updateRound());
    referenceMicros.push(referenceRound());
  }
  return { rounds, iterations, microsPerUpdate, median: median(microsPerUpdate), referenceMicros, relative: median(microsPerUpdate.map((u, i) => u / referenceMicros[i])) };
}
