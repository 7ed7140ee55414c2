/**
 * The apply oracle: seeded random sequences of applies, updates and patches by several managers
 * in two versions, run on a CRD on the real kube-apiserver and on extapi with the same schema;
 * every answer and stored object (managedFields included) must be the same after normalising
 * uids, resourceVersions and times. CI runs a fixed set; `APPLY_ORACLE_SEQUENCES=2000` (and
 * `APPLY_ORACLE_FIRST_SEED`) runs more: see scripts/apply-oracle.sh. `APPLY_ORACLE_SCALE=1` adds
 * writes to the scale subresource (known differences, see generate.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import type { ControlPlane } from '../../src/testing/control-plane-state.ts';
import { generateSequence } from './generate.ts';
import { describeDifference, runSequence, type Difference } from './runner.ts';
import { startSides, type OracleSides } from './sides.ts';

const SEQUENCES = Number(process.env.APPLY_ORACLE_SEQUENCES ?? 40);
const FIRST_SEED = Number(process.env.APPLY_ORACLE_FIRST_SEED ?? 1);
const CONCURRENCY = Number(process.env.APPLY_ORACLE_CONCURRENCY ?? 4);

describe('server-side apply oracle: extapi vs a CRD on kube-apiserver', { timeout: 3_600_000 }, () => {
  let cp: ControlPlane;
  let sides: OracleSides;
  const run = randomBytes(3).toString('hex');
  const group = `o${run}.oracle.example.com`;

  before(async () => {
    cp = await getSharedControlPlane();
    sides = await startSides(cp, group);
  });
  after(async () => {
    await sides?.close();
    await cp?.stop();
  });

  it(`runs ${SEQUENCES} seeded sequences with no difference`, async () => {
    const diffs: Difference[] = [];
    const documented = new Map<string, number>();
    let steps = 0;
    let next = FIRST_SEED;
    const last = FIRST_SEED + SEQUENCES;
    const worker = async () => {
      while (next < last) {
        const seed = next++;
        const name = `s${seed}-${run}`;
        const sequence = generateSequence(seed, group, name, { scale: process.env.APPLY_ORACLE_SCALE === '1' });
        steps += sequence.length;
        diffs.push(...await runSequence(seed, sequence, name, sides.crd, sides.extapi, documented));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seeds = new Set(diffs.map((d) => d.seed));
    console.log(`apply oracle: ${SEQUENCES} sequences (seeds ${FIRST_SEED}..${last - 1}), ${steps} steps, ${diffs.length} differences in ${seeds.size} sequences; documented differences: ${JSON.stringify(Object.fromEntries(documented))}`);
    for (const d of diffs.slice(0, Number(process.env.APPLY_ORACLE_SHOW ?? 10))) {
      console.log(`seed ${d.seed} step ${d.step} (${d.what}): ${JSON.stringify(d.step_)}`);
      for (const line of describeDifference(d.crd, d.extapi)) console.log(`  ${line}`);
    }
    assert.equal(diffs.length, 0, `differences in seeds ${[...seeds].slice(0, 20).join(', ')}`);
  });
});
