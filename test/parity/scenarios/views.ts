/** Other representations: Table, PartialObjectMetadata, YAML; and kubectl get/describe-style output. */
import { parse } from 'yaml';
import { normalizeKubectlText } from '../support/normalize.ts';
import type { Scenario } from '../support/scenario.ts';
import { alphaFlunder, cleanFlunders, flunders, PARTIAL, PARTIAL_LIST, TABLE } from './fixtures.ts';

const q = (s: string) => encodeURIComponent(s);

/** The representation scenarios. */
export const viewScenarios: Scenario[] = [
  {
    id: 'table',
    title: 'Table output (as=Table;v=v1;g=meta.k8s.io): list and single object, includeObject, v1beta1 Table, version mismatch',
    async run(ctx) {
      await ctx.send({ method: 'POST', path: flunders(ctx), body: alphaFlunder('tb-a', { reference: 'x', referenceType: 'Flunder' }, { labels: { parity: 'tb' } }) });
      const base = `${flunders(ctx)}?labelSelector=${q('parity=tb')}`;
      await ctx.call('list table', { path: base, headers: { accept: TABLE } });
      await ctx.call('object table', { path: `${flunders(ctx)}/tb-a`, headers: { accept: TABLE } });
      await ctx.call('includeObject=Object', { path: `${base}&includeObject=Object`, headers: { accept: TABLE } }, (b) => b?.rows?.map((r: any) => r.object?.kind));
      await ctx.call('includeObject=None', { path: `${base}&includeObject=None`, headers: { accept: TABLE } }, (b) => b?.rows?.map((r: any) => r.object ?? null));
      await ctx.call('v1beta1 table', { path: base, headers: { accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io' } }, (b) => ({ kind: b?.kind, apiVersion: b?.apiVersion }));
      await ctx.call('kubectl accept list', { path: base, headers: { accept: `${TABLE},application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json` } }, (b) => ({ kind: b?.kind, apiVersion: b?.apiVersion }));
      await ctx.call('table v2 only', { path: base, headers: { accept: 'application/json;as=Table;v=v2;g=meta.k8s.io' } });
      await cleanFlunders(ctx, 'parity=tb');
    },
  },
  {
    id: 'partial-object-metadata',
    title: 'PartialObjectMetadata and PartialObjectMetadataList',
    async run(ctx) {
      await ctx.send({ method: 'POST', path: flunders(ctx), body: alphaFlunder('pm-a', { reference: 'x' }, { labels: { parity: 'pm' }, annotations: { a: 'b' } }) });
      await ctx.call('object', { path: `${flunders(ctx)}/pm-a`, headers: { accept: PARTIAL } });
      await ctx.call('list', { path: `${flunders(ctx)}?labelSelector=${q('parity=pm')}`, headers: { accept: PARTIAL_LIST } });
      await ctx.call('list asked as object', { path: `${flunders(ctx)}?labelSelector=${q('parity=pm')}`, headers: { accept: PARTIAL } });
      await cleanFlunders(ctx, 'parity=pm');
    },
  },
  {
    id: 'yaml',
    title: 'YAML in and out',
    async run(ctx) {
      const yamlBody = 'apiVersion: wardle.example.com/v1alpha1\nkind: Flunder\nmetadata:\n  name: ym-a\n  labels: {parity: ym}\nspec:\n  reference: x\n';
      await ctx.call('create from yaml', { method: 'POST', path: flunders(ctx), headers: { 'content-type': 'application/yaml' }, body: yamlBody });
      await ctx.call('get as yaml', { path: `${flunders(ctx)}/ym-a`, headers: { accept: 'application/yaml' } }, (_b, res) => parse(res.text));
      await cleanFlunders(ctx, 'parity=ym');
    },
  },
  {
    id: 'kubectl-get',
    title: 'kubectl create/get/-o wide/-o name/delete, as a user sees it',
    async run(ctx) {
      const manifest = 'apiVersion: wardle.example.com/v1alpha1\nkind: Flunder\nmetadata: {name: kg-a, labels: {parity: kg}}\nspec: {reference: kg-target}\n';
      const k = async (step: string, args: string[], input?: string) => {
        const res = await ctx.kubectl(args, input);
        ctx.note(step, { code: res.code, stdout: normalizeKubectlText(res.stdout).split('\n'), stderr: res.stderr.replaceAll(ctx.ns, '<ns>') });
      };
      await k('get empty', ['get', 'flunders', '-n', ctx.ns, '-l', 'parity=kg']);
      await k('create', ['create', '-n', ctx.ns, '-f', '-'], manifest);
      await k('get', ['get', 'flunders', '-n', ctx.ns, '-l', 'parity=kg']);
      await k('get wide', ['get', 'flunders.v1alpha1.wardle.example.com', '-n', ctx.ns, '-l', 'parity=kg', '-o', 'wide']);
      await k('get name', ['get', 'fl', '-n', ctx.ns, '-l', 'parity=kg', '-o', 'name']);
      await k('get jsonpath', ['get', 'flunders.v1beta1.wardle.example.com', 'kg-a', '-n', ctx.ns, '-o', 'jsonpath={.spec}']);
      await k('delete', ['delete', 'flunders', 'kg-a', '-n', ctx.ns]);
    },
  },
];
