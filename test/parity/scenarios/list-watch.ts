/** list, selectors, pagination, deletecollection and watch. */
import type { Scenario } from '../support/scenario.ts';
import { alphaFlunder, cleanFlunders, flunders, GROUP, seedFlunders } from './fixtures.ts';

const q = (s: string) => encodeURIComponent(s);

/** The read-many scenarios. */
export const listWatchScenarios: Scenario[] = [
  {
    id: 'list',
    title: 'list: empty, with items, across namespaces, label and field selectors, bad selectors',
    async run(ctx) {
      await ctx.call('empty', { path: `${flunders(ctx)}?labelSelector=${q('parity=none')}` });
      await seedFlunders(ctx, 'ls', 4, { parity: 'ls' });
      const sel = (s: string) => `${flunders(ctx)}?labelSelector=${q(s)}`;
      await ctx.call('label selector', { path: sel('parity=ls') });
      await ctx.call('set-based selector', { path: sel('parity in (ls),index!=1') });
      await ctx.call('exists selector', { path: sel('parity=ls,!index') });
      await ctx.call('field selector name', { path: `${sel('parity=ls')}&fieldSelector=${q('metadata.name=ls-2')}` });
      await ctx.call('field selector namespace', { path: `${GROUP}/v1alpha1/flunders?labelSelector=${q('parity=ls')}&fieldSelector=${q(`metadata.namespace=${ctx.ns}`)}` }, (b) => b?.items?.length ?? b);
      await ctx.call('field selector spec.referenceType', { path: `${sel('parity=ls')}&fieldSelector=${q('spec.referenceType=Flunder')}` }, (b) => ({ kind: b?.kind, message: b?.message, names: b?.items?.map((i: any) => i.metadata?.name).sort() }));
      await ctx.call('field selector unknown field', { path: `${sel('parity=ls')}&fieldSelector=${q('spec.nothing=x')}` });
      await ctx.call('bad label selector', { path: sel('parity==,') });
      await ctx.call('bad field selector', { path: `${flunders(ctx)}?fieldSelector=${q('metadata.name')}` });
      await ctx.call('v1beta1 list', { path: `${flunders(ctx, 'v1beta1')}?labelSelector=${q('parity=ls')}` });
      await ctx.call('all namespaces', { path: `${GROUP}/v1alpha1/flunders?labelSelector=${q('parity=ls')}` }, (b) => ({ kind: b?.kind, apiVersion: b?.apiVersion, names: b?.items?.map((i: any) => `${i.metadata.namespace === ctx.ns ? 'ns' : i.metadata.namespace}/${i.metadata.name}`) }));
      await ctx.call('resourceVersion=0', { path: `${sel('parity=ls')}&resourceVersion=0` }, (b) => b?.items?.map((i: any) => i.metadata.name) ?? b);
      await ctx.call('bad resourceVersionMatch', { path: `${sel('parity=ls')}&resourceVersionMatch=Exact` });
      await cleanFlunders(ctx, 'parity=ls');
    },
  },
  {
    id: 'pagination',
    title: 'pagination: limit, continue, remainingItemCount, a bad continue token',
    async run(ctx) {
      await seedFlunders(ctx, 'pg', 5, { parity: 'pg' });
      const base = `${flunders(ctx)}?labelSelector=${q('parity=pg')}`;
      const names = (b: any) => ({ names: b?.items?.map((i: any) => i.metadata.name), metadata: b?.metadata, kind: b?.kind });
      let page = await ctx.call('page 1', { path: `${base}&limit=2` }, names);
      page = await ctx.call('page 2', { path: `${base}&limit=2&continue=${q(page.body.metadata.continue)}` }, names);
      await ctx.call('page 3', { path: `${base}&limit=2&continue=${q(page.body.metadata.continue)}` }, names);
      await ctx.call('limit 0', { path: `${base}&limit=0` }, names);
      await ctx.call('bad continue', { path: `${base}&limit=2&continue=garbage` });
      await ctx.call('continue with resourceVersion', { path: `${base}&limit=2&continue=${q(page.body.metadata.continue)}&resourceVersion=5` });
      await cleanFlunders(ctx, 'parity=pg');
    },
  },
  {
    id: 'deletecollection',
    title: 'deletecollection with a label selector, and with dryRun',
    async run(ctx) {
      await seedFlunders(ctx, 'dc', 3, { parity: 'dc' });
      const base = `${flunders(ctx)}?labelSelector=${q('parity=dc')}`;
      await ctx.call('dry run', { method: 'DELETE', path: `${base}&dryRun=All` });
      await ctx.call('list after dry run', { path: base }, (b) => b?.items?.length);
      await ctx.call('delete index=0', { method: 'DELETE', path: `${base},index=0` });
      await ctx.call('list after', { path: base }, (b) => b?.items?.map((i: any) => i.metadata.name));
      await ctx.call('delete rest', { method: 'DELETE', path: base });
      await ctx.call('list empty', { path: base });
    },
  },
  {
    id: 'watch',
    title: 'watch from a list resourceVersion: ADDED, MODIFIED, DELETED; label-filtered (an object leaving the selector); single object; from resourceVersion 0',
    async run(ctx) {
      const list = await ctx.send({ path: `${flunders(ctx)}?labelSelector=${q('parity=wt')}` });
      const rv = list.body.metadata.resourceVersion;
      const all = ctx.api.watch(`${flunders(ctx)}?watch=true&resourceVersion=${rv}&labelSelector=${q('parity=wt')}`);
      const one = ctx.api.watch(`${flunders(ctx)}?watch=true&resourceVersion=${rv}&fieldSelector=${q('metadata.name=wt-b')}`);
      ctx.note('status', [await all.status, await one.status]);
      const created = await ctx.send({ method: 'POST', path: flunders(ctx), body: alphaFlunder('wt-a', { reference: 'x' }, { labels: { parity: 'wt' } }) });
      await ctx.send({ method: 'POST', path: flunders(ctx), body: alphaFlunder('wt-b', { reference: 'y' }, { labels: { parity: 'wt' } }) });
      await ctx.send({ method: 'PUT', path: `${flunders(ctx)}/wt-a`, body: { ...created.body, spec: { reference: 'z', referenceType: 'Flunder' } } });
      await ctx.send({ method: 'PATCH', path: `${flunders(ctx)}/wt-b`, headers: { 'content-type': 'application/merge-patch+json' }, body: { metadata: { labels: { parity: 'moved' } } } });
      await ctx.send({ method: 'DELETE', path: `${flunders(ctx)}/wt-a` });
      try {
        ctx.note('label-filtered events', (await all.until(4)).map(eventView));
        ctx.note('single-object events', (await one.until(2)).map(eventView));
      } finally {
        all.close();
        one.close();
      }
      await ctx.send({ method: 'POST', path: flunders(ctx), body: alphaFlunder('wt-c', { reference: 'x' }, { labels: { parity: 'wt-pre' } }) });
      const before = await ctx.send({ path: `${flunders(ctx)}?labelSelector=${q('parity=wt-pre')}` });
      const pre = ctx.api.watch(`${flunders(ctx)}?watch=true&resourceVersion=${before.body.metadata.resourceVersion}&labelSelector=${q('parity=wt-pre')}`);
      try {
        await pre.status;
        await ctx.send({ method: 'PATCH', path: `${flunders(ctx)}/wt-c`, headers: { 'content-type': 'application/merge-patch+json' }, body: { metadata: { labels: { parity: 'wt-gone' } } } });
        ctx.note('listed object leaves the selector', (await pre.until(1, 3000).catch(() => pre.events)).map(eventView));
      } finally {
        pre.close();
      }
      await ctx.send({ method: 'DELETE', path: `${flunders(ctx)}/wt-c` });
      const fromZero = ctx.api.watch(`${flunders(ctx)}?watch=true&resourceVersion=0&labelSelector=${q('parity in (wt,moved)')}`);
      try {
        ctx.note('resourceVersion=0 replays current state', { status: await fromZero.status, events: (await fromZero.until(1)).map(eventView) });
      } finally {
        fromZero.close();
      }
      await ctx.send({ method: 'DELETE', path: `${flunders(ctx)}/wt-b` });
    },
  },
];

function eventView(e: any): unknown {
  return { type: e.type, kind: e.object?.kind, name: e.object?.metadata?.name, labels: e.object?.metadata?.labels, spec: e.object?.spec, object: e.type === 'ERROR' ? e.object : undefined };
}
