/** dryRun, fieldValidation, the status subresource, and request errors (not found, media types, methods). */
import { withEmbeddedObject } from '../support/normalize.ts';
import type { Scenario } from '../support/scenario.ts';
import { alphaFlunder, cleanFlunders, flunders, GROUP, outcome } from './fixtures.ts';

/** The request-option and error scenarios. */
export const optionScenarios: Scenario[] = [
  {
    id: 'dry-run',
    title: 'dryRun=All on create, update, patch and delete persists nothing; a bad dryRun value',
    async run(ctx) {
      await ctx.call('create', { method: 'POST', path: `${flunders(ctx)}?dryRun=All`, body: alphaFlunder('dr-a', { reference: 'x' }, { labels: { parity: 'dr' } }) });
      await ctx.call('get after create', { path: `${flunders(ctx)}/dr-a` });
      const real = await ctx.send({ method: 'POST', path: flunders(ctx), body: alphaFlunder('dr-b', { reference: 'x' }, { labels: { parity: 'dr' } }) });
      await ctx.call('update', { method: 'PUT', path: `${flunders(ctx)}/dr-b?dryRun=All`, body: { ...real.body, spec: { reference: 'changed', referenceType: 'Flunder' } } });
      await ctx.call('patch', { method: 'PATCH', path: `${flunders(ctx)}/dr-b?dryRun=All`, headers: { 'content-type': 'application/merge-patch+json' }, body: { spec: { reference: 'patched' } } });
      await ctx.call('delete', { method: 'DELETE', path: `${flunders(ctx)}/dr-b?dryRun=All` });
      await ctx.call('get after all', { path: `${flunders(ctx)}/dr-b` });
      await ctx.call('bad value', { method: 'POST', path: `${flunders(ctx)}?dryRun=Some`, body: alphaFlunder('dr-c', { reference: 'x' }) });
      await ctx.call('invalid object dry run', { method: 'POST', path: `${flunders(ctx)}?dryRun=All`, body: alphaFlunder('dr-d', { reference: 'x', referenceType: 'Fischer' }, { labels: { 'bad key!': 'v' } }) });
      await cleanFlunders(ctx, 'parity=dr');
    },
  },
  {
    id: 'field-validation',
    title: 'fieldValidation Strict / Warn / Ignore with unknown and duplicate fields, on create and patch',
    async run(ctx) {
      const unknown = { ...alphaFlunder('fv-a', { reference: 'x', bogus: 1 }, { labels: { parity: 'fv' } }), extra: true };
      const post = (step: string, fv: string | undefined, body: unknown, name = '') => ctx.call(step, { method: 'POST', path: `${flunders(ctx)}${fv ? `?fieldValidation=${fv}` : ''}`, body: typeof body === 'string' ? body.replace('NAME', name) : body });
      await post('strict unknown', 'Strict', unknown);
      await post('warn unknown', 'Warn', unknown);
      await post('default unknown', undefined, { ...unknown, metadata: { name: 'fv-b', labels: { parity: 'fv' } } });
      await post('ignore unknown', 'Ignore', { ...unknown, metadata: { name: 'fv-c', labels: { parity: 'fv' } } });
      const dup = '{"apiVersion":"wardle.example.com/v1alpha1","kind":"Flunder","metadata":{"name":"NAME","labels":{"parity":"fv"}},"spec":{"reference":"a","reference":"b"}}';
      await post('strict duplicate', 'Strict', dup, 'fv-d');
      await post('warn duplicate', 'Warn', dup, 'fv-e');
      await post('bad value', 'Sometimes', alphaFlunder('fv-f', { reference: 'x' }));
      await ctx.call('strict merge patch', { method: 'PATCH', path: `${flunders(ctx)}/fv-b?fieldValidation=Strict`, headers: { 'content-type': 'application/merge-patch+json' }, body: { spec: { bogus: 2 } } }, withEmbeddedObject);
      await ctx.call('warn merge patch', { method: 'PATCH', path: `${flunders(ctx)}/fv-b?fieldValidation=Warn`, headers: { 'content-type': 'application/merge-patch+json' }, body: { spec: { bogus: 2 } } });
      await cleanFlunders(ctx, 'parity=fv');
    },
  },
  {
    id: 'status',
    title: 'the status subresource (extapi only; upstream answers 404): status writes never change spec, as the main resource shows on both servers',
    async run(ctx) {
      await ctx.send({ method: 'POST', path: flunders(ctx), body: alphaFlunder('st-a', { reference: 'x' }, { labels: { parity: 'st' } }) });
      const current = await ctx.send({ path: `${flunders(ctx)}/st-a` });
      const shape = (b: any) => ({ kind: b?.kind, spec: b?.spec, replicas: b?.status?.replicas });
      await ctx.call('get status', { path: `${flunders(ctx)}/st-a/status` }, shape);
      await ctx.call('put status', { method: 'PUT', path: `${flunders(ctx)}/st-a/status`, body: { ...current.body, spec: { reference: 'changed-by-status' }, status: { replicas: 2 } } }, shape);
      await ctx.call('patch status', { method: 'PATCH', path: `${flunders(ctx)}/st-a/status`, headers: { 'content-type': 'application/merge-patch+json' }, body: { spec: { reference: 'patched-by-status' }, status: { replicas: 3 } } }, shape);
      await ctx.call('get after status writes', { path: `${flunders(ctx)}/st-a` }, shape, 200);
      await ctx.call('unknown subresource', { path: `${flunders(ctx)}/st-a/nothing` }, undefined, 404);
      await cleanFlunders(ctx, 'parity=st');
    },
  },
  {
    id: 'errors',
    title: 'not found, unknown resources, unsupported media types, methods not allowed',
    async run(ctx) {
      await ctx.call('get missing', { path: `${flunders(ctx)}/nothing-here` });
      await ctx.call('get missing fischer', { path: `${GROUP}/v1alpha1/fischers/nothing-here` });
      await ctx.call('unknown resource', { path: `${GROUP}/v1alpha1/namespaces/${ctx.ns}/widgets` });
      await ctx.call('fischers in v1beta1', { path: `${GROUP}/v1beta1/fischers` });
      await ctx.call('namespaced path for fischers', { path: `${GROUP}/v1alpha1/namespaces/${ctx.ns}/fischers` });
      await ctx.call('text/plain body', { method: 'POST', path: flunders(ctx), headers: { 'content-type': 'text/plain' }, body: 'hello' });
      await ctx.call('accept protobuf', { path: flunders(ctx), headers: { accept: 'application/vnd.kubernetes.protobuf' } }, () => undefined);
      await ctx.call('accept unknown', { path: flunders(ctx), headers: { accept: 'application/nothing' } });
      await ctx.call('POST on an item', { method: 'POST', path: `${flunders(ctx)}/x`, body: alphaFlunder('x') });
      await ctx.call('PUT on the collection', { method: 'PUT', path: flunders(ctx), body: alphaFlunder('x') });
      await ctx.call('name too long', { method: 'POST', path: flunders(ctx), body: alphaFlunder('n'.repeat(254)) }, (b) => ({ ...outcome(b), name: undefined }));
      await ctx.call('empty body', { method: 'POST', path: flunders(ctx), body: '' });
      await ctx.call('list with timeout', { path: `${flunders(ctx)}?timeout=10s` }, (b) => b?.kind, 200);
      await ctx.call('malformed timeout', { path: `${flunders(ctx)}?timeout=soon` }, undefined, 400);
    },
  },
];
