/** Discovery (v1 and aggregated v2), /version, OpenAPI v2/v3 and `kubectl explain`. */
import type { Scenario } from '../support/scenario.ts';
import { GROUP } from './fixtures.ts';
import { parseExplain } from './explain.ts';
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
    title: '/version answers a version.Info (field names and types: the values are each binary\'s own)',
    via: ['direct'],
    async run(ctx) {
      await ctx.call('version', { path: '/version' }, (b) => Object.fromEntries(Object.entries(b ?? {}).map(([k, v]) => [k, typeof v])));
    },
  },
  {
    id: 'openapi-v3',
    title: 'OpenAPI v3: the index and each group-version document (paths, operations, the wardle schemas)',
    async run(ctx) {
      if (ctx.via === 'direct') {
        await ctx.call('index', { path: '/openapi/v3' }, (b) => Object.fromEntries(Object.keys(b?.paths ?? {}).filter((p) => p.includes('wardle') || p === 'apis').sort().map((p) => [p, true])));
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
      for (const [step, args] of cases) {
        const res = await ctx.kubectl(args);
        ctx.note(step, { code: res.code, stderr: res.stderr, ...parseExplain(res.stdout) }, res.code === 0 ? undefined : `kubectl explain exited ${res.code}: ${res.stderr}`);
      }
    },
  },
  {
    id: 'kubectl-api-resources',
    title: 'kubectl api-resources for the wardle group',
    async run(ctx) {
      const res = await ctx.kubectl(['api-resources', '--api-group=wardle.example.com', '-o', 'wide']);
      ctx.note('api-resources', { code: res.code, stderr: res.stderr, rows: apiResourceRows(res.stdout) }, res.code === 0 ? undefined : `kubectl api-resources exited ${res.code}: ${res.stderr}`);
    },
  },
];

/** kubectl api-resources -o wide as rows keyed by NAME, each a column → value map (column widths aside). */
function apiResourceRows(stdout: string): Record<string, Record<string, string>> {
  const [header, ...lines] = stdout.split('\n').filter((l) => l.trim() !== '');
  if (!header) return {};
  const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index }));
  const rows: Record<string, Record<string, string>> = {};
  for (const line of lines) {
    const row = Object.fromEntries(starts.map((c, i) => [c.name, line.slice(c.at, starts[i + 1]?.at ?? line.length).trim()]));
    rows[row.NAME] = row;
  }
  return rows;
}
