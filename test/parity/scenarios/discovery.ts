/** Discovery (v1 and aggregated v2), /version, OpenAPI v2/v3 and `kubectl explain`. */
import type { Scenario } from '../support/scenario.ts';
import { GROUP } from './fixtures.ts';
import { openApiDigest, openApiV2Digest } from './openapi-digest.ts';

const V2_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

const wardleOnly = (body: any) => (Array.isArray(body?.groups) ? { ...body, groups: body.groups.filter((g: any) => g.name === 'wardle.example.com') } : body);
const wardleItem = (body: any) => (Array.isArray(body?.items) ? { ...body, items: body.items.filter((g: any) => g.metadata?.name === 'wardle.example.com') } : body);

/** The discovery and OpenAPI scenarios. */
export const discoveryScenarios: Scenario[] = [
  {
    id: 'discovery',
    title: 'legacy discovery: /apis, the group and each version',
    async run(ctx) {
      await ctx.call('apis', { path: '/apis' }, wardleOnly);
      await ctx.call('group', { path: GROUP });
      await ctx.call('v1alpha1', { path: `${GROUP}/v1alpha1` });
      await ctx.call('v1beta1', { path: `${GROUP}/v1beta1` });
      await ctx.call('unknown version', { path: `${GROUP}/v1` });
    },
  },
  {
    id: 'discovery-v2',
    title: 'aggregated discovery (apidiscovery.k8s.io/v2) of the wardle group',
    async run(ctx) {
      await ctx.call('apis v2', { path: '/apis', headers: { accept: V2_ACCEPT } }, wardleItem);
    },
  },
  {
    id: 'version',
    title: '/version answers a version.Info (field names only: the values are each binary\'s own)',
    via: ['direct'],
    async run(ctx) {
      await ctx.call('version', { path: '/version' }, (b) => Object.keys(b ?? {}).sort());
    },
  },
  {
    id: 'openapi-v3',
    title: 'OpenAPI v3: the index and each group-version document (paths, operations, the wardle schemas)',
    async run(ctx) {
      if (ctx.via === 'direct') {
        await ctx.call('index', { path: '/openapi/v3' }, (b) => Object.keys(b?.paths ?? {}).filter((p) => p.includes('wardle') || p === 'apis').sort());
      }
      for (const v of ['v1alpha1', 'v1beta1']) {
        await ctx.call(v, { path: `/openapi/v3/apis/wardle.example.com/${v}` }, (b) => openApiDigest(b));
      }
    },
  },
  {
    id: 'openapi-v2',
    title: 'OpenAPI v2 (served by the server itself; through the aggregator it is merged into the cluster document)',
    via: ['direct'],
    async run(ctx) {
      await ctx.call('swagger', { path: '/openapi/v2' }, (b) => openApiV2Digest(b));
    },
  },
  {
    id: 'kubectl-explain',
    title: 'kubectl explain (reads /openapi/v3) for each kind, field and version',
    async run(ctx) {
      const cases: Array<[string, string[]]> = [
        ['flunders v1alpha1', ['explain', 'flunders', '--api-version=wardle.example.com/v1alpha1']],
        ['flunders.spec v1alpha1', ['explain', 'flunders.spec', '--api-version=wardle.example.com/v1alpha1']],
        ['flunders.spec v1beta1', ['explain', 'flunders.spec', '--api-version=wardle.example.com/v1beta1']],
        ['fischers', ['explain', 'fischers']],
        ['fischers.disallowedFlunders', ['explain', 'fischers.disallowedFlunders']],
      ];
      for (const [step, args] of cases) ctx.note(step, await kubectlObservation(ctx, args));
    },
  },
  {
    id: 'kubectl-api-resources',
    title: 'kubectl api-resources for the wardle group',
    async run(ctx) {
      ctx.note('api-resources', await kubectlObservation(ctx, ['api-resources', '--api-group=wardle.example.com', '-o', 'wide']));
    },
  },
];

async function kubectlObservation(ctx: Parameters<Scenario['run']>[0], args: string[]): Promise<unknown> {
  const res = await ctx.kubectl(args);
  return { code: res.code, stdout: res.stdout.replace(/[ \t]+\n/g, '\n').split('\n'), stderr: res.stderr };
}
