/**
 * Parity with k8s.io/sample-apiserver: one scenario list (test/parity/scenarios) runs against the
 * Go original (v0.36.3, its own etcd) and our wardle (delegated mode, `EXTAPI_PARITY_STORAGE`:
 * memory by default), directly over HTTPS as the cluster admin and through kube-apiserver's
 * aggregator (one server registered at a time: both claim wardle.example.com). Status codes,
 * Status reasons, content types, warnings and normalised bodies must be equal, except for the
 * differences listed in test/parity/known-differences.ts, which docs/parity.md renders.
 * `EXTAPI_PARITY_REPORT=<file>` writes every recording and difference as JSON.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../src/testing/binaries.ts';
import { getSharedControlPlane } from '../../src/testing/shared-control-plane.ts';
import { KNOWN_DIFFERENCES } from './known-differences.ts';
import { renderDifferencesSection, replaceSection } from './render-doc.ts';
import { SCENARIOS } from './scenarios/index.ts';
import { setUpParity, type ParityEnvironment } from './support/environment.ts';
import { classify, describeDifference, validateKnownDifferences } from './support/known.ts';
import { compare, record, recordBoth } from './support/runner.ts';
import { absoluteFailures, type Difference, type Observation, type Via } from './support/scenario.ts';

const RUN_ID = Math.random().toString(36).slice(2, 7);
const used = new Set<string>();
const report: Array<{ scenario: string; via: Via; go: Observation[]; ts: Observation[]; differences: Difference[] }> = [];

function check(scenario: string, via: Via, go: Observation[], ts: Observation[], differences: Difference[]): void {
  report.push({ scenario, via, go, ts, differences });
  const failures = [...absoluteFailures('go', go), ...absoluteFailures('ts', ts)];
  assert.deepEqual(failures, [], 'steps that failed on their own (a failure on both servers is not a match)');
  const { unexplained, used: hits } = classify(differences, KNOWN_DIFFERENCES);
  for (const id of hits) used.add(id);
  assert.equal(unexplained.length, 0, `undocumented differences (fix them, or add them to test/parity/known-differences.ts):\n${unexplained.map(describeDifference).join('\n')}`);
}

let env: ParityEnvironment;

before(async () => { env = await setUpParity(await getSharedControlPlane(), RUN_ID); });

after(async () => {
  await env?.teardown();
  if (process.env.EXTAPI_PARITY_REPORT) await writeFile(process.env.EXTAPI_PARITY_REPORT, JSON.stringify(report, null, 1));
  await (await getSharedControlPlane()).stop();
});

describe('parity with sample-apiserver, direct to each server', () => {
  for (const scenario of SCENARIOS.filter((s) => !s.via || s.via.includes('direct'))) {
    it(`${scenario.id}: ${scenario.title}`, async () => {
      const r = await recordBoth(scenario, env.route('go', 'direct'), env.route('ts', 'direct'));
      check(scenario.id, 'direct', r.go, r.ts, r.differences);
    });
  }
});

describe('parity with sample-apiserver, through the aggregator (one server registered at a time)', () => {
  const scenarios = SCENARIOS.filter((s) => !s.via || s.via.includes('aggregated'));
  const recordings = new Map<string, { go: Observation[]; ts: Observation[] }>();

  before(async () => {
    for (const server of ['go', 'ts'] as const) {
      await env.register(server);
      for (const s of scenarios) {
        const entry = recordings.get(s.id) ?? { go: [], ts: [] };
        entry[server] = await record(s, env.route(server, 'aggregated'));
        recordings.set(s.id, entry);
      }
    }
  });

  for (const scenario of scenarios) {
    it(`${scenario.id}: ${scenario.title}`, () => {
      const { go, ts } = recordings.get(scenario.id)!;
      check(scenario.id, 'aggregated', go, ts, compare(scenario, 'aggregated', go, ts));
    });
  }
});

describe('the documented differences', () => {
  it('name JSON paths, never whole steps', () => {
    assert.deepEqual(validateKnownDifferences(KNOWN_DIFFERENCES), []);
  });

  it('every entry of known-differences.ts still matches an observed difference', () => {
    const stale = KNOWN_DIFFERENCES.filter((k) => !used.has(k.id)).map((k) => k.id);
    assert.deepEqual(stale, [], 'these differences no longer occur: delete them from test/parity/known-differences.ts and run `node --import tsx test/parity/render-doc.ts`');
  });

  it('docs/parity.md renders exactly that list', async () => {
    const doc = await readFile(`${REPO_ROOT}/docs/parity.md`, 'utf8');
    assert.equal(doc, replaceSection(doc, renderDifferencesSection(KNOWN_DIFFERENCES)), 'run `node --import tsx test/parity/render-doc.ts` to update docs/parity.md');
  });
});
