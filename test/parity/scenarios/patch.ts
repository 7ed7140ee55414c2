/** PATCH in every format: JSON patch, merge patch, strategic merge patch, apply; and their errors. */
import type { Scenario, ScenarioContext } from '../support/scenario.ts';
import { alphaFlunder, cleanFischers, cleanFlunders, FISCHERS, fischer, flunders, outcome } from './fixtures.ts';

const JSON_PATCH = 'application/json-patch+json';
const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';

function patch(ctx: ScenarioContext, step: string, type: string, body: unknown, path = `${flunders(ctx)}/pt-a`, query = '', pick?: (b: any) => unknown) {
  return ctx.call(step, { method: 'PATCH', path: path + query, headers: { 'content-type': type }, body }, pick);
}

/** The patch scenarios. */
export const patchScenarios: Scenario[] = [
  {
    id: 'patch',
    title: 'json, merge and strategic merge patches of a Flunder and a Fischer',
    async run(ctx) {
      await ctx.send({ method: 'POST', path: flunders(ctx), body: alphaFlunder('pt-a', { reference: 'one', referenceType: 'Flunder' }, { labels: { parity: 'pt', keep: 'yes' } }) });
      await patch(ctx, 'merge spec', MERGE, { spec: { reference: 'two' } });
      await patch(ctx, 'merge remove label', MERGE, { metadata: { labels: { keep: null } } });
      await patch(ctx, 'json replace', JSON_PATCH, [{ op: 'replace', path: '/spec/reference', value: 'three' }]);
      await patch(ctx, 'json add label', JSON_PATCH, [{ op: 'add', path: '/metadata/labels/added', value: 'x' }]);
      await patch(ctx, 'json test fails', JSON_PATCH, [{ op: 'test', path: '/spec/reference', value: 'nope' }]);
      await patch(ctx, 'json remove missing', JSON_PATCH, [{ op: 'remove', path: '/spec/nothing' }]);
      await patch(ctx, 'json not a list', JSON_PATCH, { op: 'replace' });
      await patch(ctx, 'strategic spec', STRATEGIC, { spec: { reference: 'four' } });
      await patch(ctx, 'strategic finalizers merge', STRATEGIC, { metadata: { finalizers: ['a.example.com/x'] } });
      await patch(ctx, 'strategic finalizers delete', STRATEGIC, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.example.com/x'] } });
      await ctx.call('get', { path: `${flunders(ctx)}/pt-a` });
      await patch(ctx, 'merge invalid result', MERGE, { spec: { referenceType: 'Nope' } }, undefined, '', outcome);
      await patch(ctx, 'merge with stale resourceVersion', MERGE, { metadata: { resourceVersion: '1' }, spec: { reference: 'five' } });
      await patch(ctx, 'merge change name', MERGE, { metadata: { name: 'pt-other' } });
      await patch(ctx, 'merge malformed', MERGE, '{"spec": ');
      await patch(ctx, 'merge not found', MERGE, { spec: {} }, `${flunders(ctx)}/pt-missing`);
      await patch(ctx, 'unsupported patch type', 'application/xml', '<x/>');
      await ctx.send({ method: 'POST', path: FISCHERS, body: fischer(`${ctx.prefix}-pt`, ['a']) });
      await patch(ctx, 'fischer merge list', MERGE, { disallowedFlunders: ['b', 'c'] }, `${FISCHERS}/${ctx.prefix}-pt`);
      await patch(ctx, 'fischer strategic list', STRATEGIC, { disallowedFlunders: ['d'] }, `${FISCHERS}/${ctx.prefix}-pt`);
      await cleanFischers(ctx, [`${ctx.prefix}-pt`]);
      await cleanFlunders(ctx, 'parity=pt');
    },
  },
  {
    id: 'apply',
    title: 'server-side apply (application/apply-patch+yaml): create by apply, re-apply, a conflict between managers, force',
    async run(ctx) {
      const path = `${flunders(ctx)}/ap-a`;
      const doc = (reference: string) => JSON.stringify(alphaFlunder('ap-a', { reference, referenceType: 'Flunder' }, { labels: { parity: 'ap' } }));
      await patch(ctx, 'apply without fieldManager', APPLY, doc('one'), path);
      await patch(ctx, 'apply create', APPLY, doc('one'), path, '?fieldManager=first');
      await patch(ctx, 'apply same manager', APPLY, doc('two'), path, '?fieldManager=first');
      await patch(ctx, 'apply other manager conflict', APPLY, doc('three'), path, '?fieldManager=second');
      await patch(ctx, 'apply force', APPLY, doc('three'), path, '?fieldManager=second&force=true');
      await ctx.call('get', { path }, (b) => ({ spec: b?.spec, managers: (b?.metadata?.managedFields ?? []).map((m: any) => `${m.manager}/${m.operation}`) }), 200);
      await cleanFlunders(ctx, 'parity=ap');
    },
  },
];
