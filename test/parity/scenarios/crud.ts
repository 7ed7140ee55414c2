/** Create, get, update, delete, conversion between versions, defaulting, conflicts and BanFlunder. */
import type { Scenario } from '../support/scenario.ts';
import { alphaFlunder, betaFlunder, outcome, cleanFischers, cleanFlunders, FISCHERS, fischer, flunders } from './fixtures.ts';

/** The write-path scenarios. */
export const crudScenarios: Scenario[] = [
  {
    id: 'create-get',
    title: 'create and get a Flunder in v1alpha1, read it in v1beta1; the same the other way round; a Fischer',
    async run(ctx) {
      await ctx.call('create v1alpha1', { method: 'POST', path: flunders(ctx), body: alphaFlunder('cg-alpha', { reference: 'cg-target', referenceType: 'Flunder' }, { labels: { parity: 'cg' } }) }, undefined, 201);
      await ctx.call('get v1alpha1', { path: `${flunders(ctx)}/cg-alpha` }, undefined, 200);
      await ctx.call('get as v1beta1', { path: `${flunders(ctx, 'v1beta1')}/cg-alpha` }, undefined, 200);
      await ctx.call('create v1beta1', { method: 'POST', path: flunders(ctx, 'v1beta1'), body: betaFlunder('cg-beta', { fischerReference: 'cg-fischer', referenceType: 'Fischer' }, { labels: { parity: 'cg' } }) }, undefined, 201);
      await ctx.call('get as v1alpha1', { path: `${flunders(ctx)}/cg-beta` }, undefined, 200);
      await ctx.call('create fischer', { method: 'POST', path: FISCHERS, body: fischer(`${ctx.prefix}-cg`, ['a', 'b']) }, undefined, 201);
      await ctx.call('get fischer', { path: `${FISCHERS}/${ctx.prefix}-cg` }, undefined, 200);
      await ctx.call('create generateName', { method: 'POST', path: flunders(ctx), body: alphaFlunder('', { reference: 'x' }, { name: undefined, generateName: 'cg-gen-', labels: { parity: 'cg' } }) }, undefined, 201);
      await ctx.call('create exists', { method: 'POST', path: flunders(ctx), body: alphaFlunder('cg-alpha') }, undefined, 409);
      await cleanFlunders(ctx, 'parity=cg');
      await cleanFischers(ctx, [`${ctx.prefix}-cg`]);
    },
  },
  {
    id: 'defaulting',
    title: 'v1alpha1 referenceType defaults to Flunder when reference is set; v1beta1 has no defaulter upstream; lossy v1alpha1 conversion',
    async run(ctx) {
      await ctx.call('v1alpha1 reference only', { method: 'POST', path: flunders(ctx), body: alphaFlunder('df-a', { reference: 'x' }, { labels: { parity: 'df' } }) });
      await ctx.call('v1alpha1 empty spec', { method: 'POST', path: flunders(ctx), body: alphaFlunder('df-b', {}, { labels: { parity: 'df' } }) });
      await ctx.call('v1beta1 flunderReference only', { method: 'POST', path: flunders(ctx, 'v1beta1'), body: betaFlunder('df-c', { flunderReference: 'x' }, { labels: { parity: 'df' } }) }, outcome);
      await ctx.call('v1alpha1 unknown referenceType', { method: 'POST', path: flunders(ctx), body: alphaFlunder('df-d', { reference: 'x', referenceType: 'Other' }, { labels: { parity: 'df' } }) }, outcome);
      await ctx.call('v1alpha1 Fischer type without reference', { method: 'POST', path: flunders(ctx), body: alphaFlunder('df-e', { referenceType: 'Fischer' }, { labels: { parity: 'df' } }) });
      await cleanFlunders(ctx, 'parity=df');
    },
  },
  {
    id: 'invalid',
    title: 'invalid objects: spec validation, bad names, labels, mismatched namespace, wrong kind, malformed JSON',
    async run(ctx) {
      const post = (step: string, body: unknown, version = 'v1alpha1', pick?: (b: any) => unknown) => ctx.call(step, { method: 'POST', path: flunders(ctx, version), body }, pick);
      await post('both references', betaFlunder('iv-a', { flunderReference: 'x', fischerReference: 'y', referenceType: 'Flunder' }), 'v1beta1');
      await post('flunderReference with Fischer type', betaFlunder('iv-b', { flunderReference: 'x', referenceType: 'Fischer' }), 'v1beta1');
      await post('bad referenceType', betaFlunder('iv-c', { referenceType: 'Nope' }), 'v1beta1');
      await post('uppercase name', alphaFlunder('Bad_Name'), 'v1alpha1', outcome);
      await post('no name', alphaFlunder('', {}, { name: undefined }));
      await post('bad label', alphaFlunder('iv-d', {}, { labels: { 'bad key!': 'v' } }));
      await post('other namespace in body', alphaFlunder('iv-e', {}, { namespace: 'somewhere-else' }));
      await post('wrong kind', { apiVersion: 'wardle.example.com/v1alpha1', kind: 'Fischer', metadata: { name: 'iv-f' } });
      await post('wrong apiVersion', { apiVersion: 'wardle.example.com/v9', kind: 'Flunder', metadata: { name: 'iv-g' } });
      await post('spec not an object', { apiVersion: 'wardle.example.com/v1alpha1', kind: 'Flunder', metadata: { name: 'iv-h' }, spec: 'text' }, 'v1alpha1', outcome);
      await post('malformed JSON', '{"apiVersion": "wardle.example.com/v1alpha1", "kind": "Flunder", "metadata": {');
      await ctx.call('missing namespace', { method: 'POST', path: flunders({ ...ctx, ns: `${ctx.ns}-missing` }), body: alphaFlunder('iv-i') });
      await cleanFlunders(ctx, '');
    },
  },
  {
    id: 'update',
    title: 'update (PUT): with the current resourceVersion, stale (conflict), without one, a missing object, a renamed body, an invalid spec, generation',
    async run(ctx) {
      const path = `${flunders(ctx)}/up-a`;
      const created = await ctx.call('create', { method: 'POST', path: flunders(ctx), body: alphaFlunder('up-a', { reference: 'one', referenceType: 'Flunder' }, { labels: { parity: 'up' } }) });
      const latest = async (version = 'v1alpha1') => (await ctx.send({ path: `${flunders(ctx, version)}/up-a` })).body;
      const put = (step: string, body: unknown, to = path, pick?: (b: any) => unknown) => ctx.call(step, { method: 'PUT', path: to, body }, pick);
      await put('update', { ...created.body, spec: { reference: 'two', referenceType: 'Flunder' } });
      await put('stale resourceVersion', { ...created.body, spec: { reference: 'three', referenceType: 'Flunder' } });
      const current = await latest();
      await put('no resourceVersion', { ...current, metadata: { ...current.metadata, resourceVersion: undefined }, spec: { reference: 'four', referenceType: 'Flunder' } });
      await put('missing object', alphaFlunder('up-missing'), `${flunders(ctx)}/up-missing`);
      await put('name mismatch', { ...(await latest()), metadata: { ...(await latest()).metadata, name: 'up-other' } });
      const beta = await latest('v1beta1');
      await put('invalid spec (v1beta1)', { ...beta, spec: { flunderReference: 'x', fischerReference: 'y', referenceType: 'Flunder' } }, `${flunders(ctx, 'v1beta1')}/up-a`, outcome);
      const now = await latest();
      await put('metadata only', { ...now, metadata: { ...now.metadata, labels: { parity: 'up', extra: 'yes' } } });
      await ctx.call('get', { path });
      await ctx.call('fischer update missing', { method: 'PUT', path: `${FISCHERS}/${ctx.prefix}-none`, body: fischer(`${ctx.prefix}-none`) });
      await cleanFlunders(ctx, 'parity=up');
    },
  },
  {
    id: 'delete',
    title: 'delete: the answer, not found, preconditions, finalizers (deletionTimestamp, then gone), propagationPolicy',
    async run(ctx) {
      const make = (name: string, meta: Record<string, unknown> = {}) => ctx.call(`create ${name}`, { method: 'POST', path: flunders(ctx), body: alphaFlunder(name, { reference: 'x' }, { labels: { parity: 'dl' }, ...meta }) });
      await make('dl-a');
      await ctx.call('delete', { method: 'DELETE', path: `${flunders(ctx)}/dl-a` });
      await ctx.call('get deleted', { path: `${flunders(ctx)}/dl-a` });
      await ctx.call('delete again', { method: 'DELETE', path: `${flunders(ctx)}/dl-a` });
      await make('dl-b');
      await ctx.call('delete uid precondition', { method: 'DELETE', path: `${flunders(ctx)}/dl-b`, body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: '00000000-0000-0000-0000-000000000000' } } });
      await ctx.call('delete resourceVersion precondition', { method: 'DELETE', path: `${flunders(ctx)}/dl-b`, body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: '1' } } });
      await ctx.call('delete foreground', { method: 'DELETE', path: `${flunders(ctx)}/dl-b?propagationPolicy=Foreground` });
      await ctx.call('get foreground', { path: `${flunders(ctx)}/dl-b` });
      await make('dl-c', { finalizers: ['example.com/hold'] });
      await ctx.call('delete with finalizer', { method: 'DELETE', path: `${flunders(ctx)}/dl-c` });
      await ctx.call('get terminating', { path: `${flunders(ctx)}/dl-c` });
      await ctx.call('remove finalizer', { method: 'PATCH', path: `${flunders(ctx)}/dl-c`, headers: { 'content-type': 'application/merge-patch+json' }, body: { metadata: { finalizers: null } } });
      await ctx.call('get after finalizer', { path: `${flunders(ctx)}/dl-c` });
      await ctx.call('bad propagationPolicy', { method: 'DELETE', path: `${flunders(ctx)}/dl-x?propagationPolicy=Sometimes` });
      await ctx.call('delete fischer not found', { method: 'DELETE', path: `${FISCHERS}/${ctx.prefix}-none` });
      await ctx.send({ method: 'PATCH', path: `${flunders(ctx)}/dl-b`, headers: { 'content-type': 'application/merge-patch+json' }, body: { metadata: { finalizers: null } } });
      await cleanFlunders(ctx, 'parity=dl');
    },
  },
  {
    id: 'banflunder',
    title: 'the BanFlunder admission plugin: a Fischer disallows a name; creating a Flunder with it is forbidden (CREATE only)',
    async run(ctx) {
      await ctx.call('create allowed first', { method: 'POST', path: flunders(ctx), body: alphaFlunder('bf-banned', { reference: 'x' }, { labels: { parity: 'bf' } }) });
      await ctx.call('create fischer', { method: 'POST', path: FISCHERS, body: fischer(`${ctx.prefix}-bf`, ['bf-banned', 'bf-other']) });
      await new Promise((r) => setTimeout(r, 1500));
      await ctx.call('create banned', { method: 'POST', path: flunders(ctx), body: alphaFlunder('bf-other', { reference: 'x' }, { labels: { parity: 'bf' } }) });
      await ctx.call('create banned v1beta1', { method: 'POST', path: flunders(ctx, 'v1beta1'), body: betaFlunder('bf-other', { flunderReference: 'x', referenceType: 'Flunder' }) });
      const existing = await ctx.send({ path: `${flunders(ctx)}/bf-banned` });
      await ctx.call('update existing banned name', { method: 'PUT', path: `${flunders(ctx)}/bf-banned`, body: { ...existing.body, spec: { reference: 'y', referenceType: 'Flunder' } } });
      await ctx.call('create not banned', { method: 'POST', path: flunders(ctx), body: alphaFlunder('bf-fine', { reference: 'x' }, { labels: { parity: 'bf' } }) });
      await ctx.call('dry-run banned', { method: 'POST', path: `${flunders(ctx)}?dryRun=All`, body: alphaFlunder('bf-other', { reference: 'x' }) });
      await cleanFischers(ctx, [`${ctx.prefix}-bf`]);
      await cleanFlunders(ctx, 'parity=bf');
    },
  },
];
