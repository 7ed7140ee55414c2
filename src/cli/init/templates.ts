/**
 * The files of a new project (`extapi init`) and of one more resource (`extapi add resource`).
 * Every generated file is plain TypeScript against extapi's public entry points; nothing is
 * generated at build time.
 */
import { ownPackageJson } from '../../package-root.ts';
import { identifierOf, pluralOf } from './names.ts';

/** What one resource of the generated project is made of. */
export interface ResourceTemplate {
  kind: string;
  version: string;
  namespaced: boolean;
}

/** What a new project is made of. */
export interface ProjectTemplate {
  name: string;
  group: string;
  resource: ResourceTemplate;
}

/** The line of src/resources.ts that lists every resource (with its doc comment); `add resource` extends it. */
export const RESOURCES_LINE = /^(?:\/\*\*.*\*\/\n)?export const resources = \[(.*)\];$/m;

/** One `defineResource` block: a TypeBox schema, a printer column and a strategy hook checked against the schema. */
export function resourceBlock(r: ResourceTemplate): string {
  const id = identifierOf(r.kind);
  const scope = r.namespaced ? 'namespaced' : 'cluster-scoped';
  return `/** The schema of a ${r.kind} (apiVersion, kind and metadata are the framework's). */
const ${id}Schema = Type.Object({
  spec: Type.Object({
    size: Type.Integer({ minimum: 1, description: 'How big the ${r.kind.toLowerCase()} is.' }),
    color: Type.Optional(Type.String({ description: 'Its colour; "invisible" is refused.' })),
  }),
  status: Type.Optional(Type.Object({ ready: Type.Optional(Type.Boolean()) })),
});

/** ${r.kind}: ${scope}, served as ${r.version}. */
export const ${id} = defineResource({
  group: GROUP, kind: '${r.kind}', plural: '${pluralOf(r.kind)}', namespaced: ${r.namespaced},
  subresources: { status: true },
  versions: [{
    name: '${r.version}', storage: true, schema: ${id}Schema,
    printerColumns: [
      { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  }],
  strategy: {
    // obj has the schema's type: obj.spec.size is a number, a misspelt field does not compile.
    validate(obj) {
      if (obj.spec.color !== 'invisible') return [];
      return [{ type: 'FieldValueNotSupported', field: 'spec.color', detail: 'Unsupported value: "invisible"' }];
    },
  },
});
`;
}

/** src/resources.ts of a new project. */
export function resourcesFile(p: ProjectTemplate): string {
  return `/**
 * The resources this server serves. Add one with \`npx extapi add resource <Kind>\`, or by hand:
 * a defineResource block, and its name in \`resources\` at the end.
 */
import { defineResource } from 'extapi';
import { Type } from 'typebox';

/** The API group of every resource here. */
export const GROUP = '${p.group}';

${resourceBlock(p.resource)}
/** Every resource of the server (extapi deploy reads this export). */
export const resources = [${identifierOf(p.resource.kind)}];
`;
}

const MAIN = `/**
 * The server. \`npm start\` runs it standalone (no cluster) on https://127.0.0.1:8443; with
 * --kubeconfig, or in a pod, it serves behind the aggregation layer. \`npm start -- --help\` lists flags.
 */
import { runServer } from 'extapi';
import { resources } from './resources.ts';

await runServer(resources);
`;

const UNIT_TEST = `/** Each resource in-process (no cluster): created, read back, and refused when invalid. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApiTestServer, type ApiTestServer } from 'extapi/testing';
import { resources } from '../src/resources.ts';

let api: ApiTestServer;
before(async () => { api = await startApiTestServer(resources); });
after(async () => { await api?.close(); });

for (const r of resources) {
  const base = \`/apis/\${r.group}/\${r.storageVersion}\${r.namespaced ? '/namespaces/default' : ''}/\${r.plural}\`;
  const object = (name: string, spec: Record<string, unknown>) => ({ apiVersion: \`\${r.group}/\${r.storageVersion}\`, kind: r.kind, metadata: { name }, spec });

  test(\`\${r.plural}: a valid object is stored and read back\`, async () => {
    const created = await api.request('POST', base, { body: object('unit', { size: 2 }) });
    assert.equal(created.status, 201, created.text);
    const read = await api.request('GET', \`\${base}/unit\`);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body.spec, { size: 2 });
  });

  test(\`\${r.plural}: the strategy refuses color "invisible" with 422 Invalid\`, async () => {
    const res = await api.request('POST', base, { body: object('invisible', { size: 1, color: 'invisible' }) });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.reason, 'Invalid');
    assert.equal(res.body.details.causes[0].field, 'spec.color');
  });

  test(\`\${r.plural}: the schema refuses size 0\`, async () => {
    const res = await api.request('POST', base, { body: object('zero', { size: 0 }) });
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /spec\\.size/);
  });
}
`;

const E2E_TEST = `/**
 * Each resource behind a real kube-apiserver's aggregator (etcd + kube-apiserver started by the
 * test; the first run builds them from the Go module proxy, then they are cached): kubectl
 * creates, lists, reads and deletes objects, and sees the printer columns.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { getSharedControlPlane, serveBehindAggregator, type AggregatedServer, type ControlPlane } from 'extapi/testing';
import { resources } from '../src/resources.ts';

let cp: ControlPlane;
let api: AggregatedServer;

before(async () => {
  cp = await getSharedControlPlane();
  api = await serveBehindAggregator(cp, resources);
});
after(async () => { await api?.stop(); await cp?.stop(); });

for (const r of resources) {
  test(\`kubectl creates, lists and deletes \${r.plural} through the aggregator\`, async () => {
    const name = \`e2e-\${randomBytes(3).toString('hex')}\`;
    const ns = r.namespaced ? ['-n', api.namespace] : [];
    const type = \`\${r.plural}.\${r.group}\`;
    const object = { apiVersion: \`\${r.group}/\${r.storageVersion}\`, kind: r.kind, metadata: { name }, spec: { size: 3 } };
    const created = await cp.kubectl(['create', ...ns, '-f', '-'], { input: JSON.stringify(object) });
    assert.equal(created.code, 0, created.stderr);
    const read = await cp.kubectl(['get', type, name, ...ns, '-o', 'json']);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(JSON.parse(read.stdout).spec, { size: 3 });
    const table = await cp.kubectl(['get', type, ...ns]);
    assert.match(table.stdout, /^NAME\\s+SIZE\\s+AGE\\n/);
    assert.match(table.stdout, new RegExp(\`^\${name}\\\\s+3\\\\s+\`, 'm'));
    const refused = await cp.kubectl(['create', ...ns, '-f', '-'], { input: JSON.stringify({ ...object, metadata: { name: \`\${name}-x\` }, spec: { size: 3, color: 'invisible' } }) });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /spec\\.color: Unsupported value: "invisible"/);
    const deleted = await cp.kubectl(['delete', type, name, ...ns]);
    assert.equal(deleted.code, 0, deleted.stderr);
  });
}
`;

function readme(p: ProjectTemplate): string {
  return `# ${p.name}

A Kubernetes extension API server for the group \`${p.group}\`, built on [extapi](https://www.npmjs.com/package/extapi).
Resources live in \`src/resources.ts\`; the server's entry point is \`src/main.ts\`.

    npm start     # serves it standalone on https://127.0.0.1:8443 (kubectl --kubeconfig .extapi/dev/kubeconfig get ${pluralOf(p.resource.kind)})
    npm test      # type check, unit tests, and an e2e test behind a real kube-apiserver's aggregator

The e2e test and \`npm run cluster:up\` build etcd, kube-apiserver and kubectl from the Go module
proxy on first use (needs Go; a few minutes, then cached in ~/.cache/extapi).

## More

- Another resource: \`npx extapi add resource Gadget [--version v1beta1] [--cluster-scoped]\`.
- Behind a local control plane: \`npm run cluster:up\` (prints its kubeconfig), then
  \`npx extapi deploy --kubeconfig .extapi/cluster/admin.kubeconfig --external 127.0.0.1:8443\` registers the
  server and \`npm start -- --kubeconfig .extapi/cluster/admin.kubeconfig --tls-cert-dir .extapi/certs/extapi-system.api\`
  serves it; \`npm run cluster:down\` stops the plane.
- In a cluster: build the image (\`docker build -t ${p.name}:dev .\`) and \`npx extapi deploy --image ${p.name}:dev\`.
`;
}

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "skipLibCheck": true,
    "verbatimModuleSyntax": true,
    "allowImportingTsExtensions": true,
    "rewriteRelativeImportExtensions": true,
    "noEmit": true,
    "types": ["node"],
    "lib": ["ES2023"]
  },
  "include": ["src", "test"]
}
`;

const DOCKERFILE = `# syntax=docker/dockerfile:1
# The server as the Deployment of \`extapi deploy --image\` runs it: compiled to JavaScript, production dependencies only.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM \${NODE_IMAGE} AS build
# better-sqlite3 (embedded storage) is native: compiled here when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json* ./
RUN npm install
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p . --noEmit false --allowImportingTsExtensions false --outDir dist --rootDir src \\
 && npm prune --omit=dev

FROM \${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
RUN mkdir -p /var/lib/extapi && chown 65532:65532 /var/lib/extapi
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["node", "dist/main.js"]
CMD ["--secure-port=8443", "--tls-cert-dir=/var/run/extapi/serving-cert", "--data-dir=/var/lib/extapi"]
`;

function packageJson(p: ProjectTemplate): string {
  const own = ownPackageJson();
  const pkg = {
    name: p.name, version: '0.1.0', private: true, type: 'module',
    engines: own.engines,
    scripts: {
      start: 'tsx src/main.ts',
      test: 'tsc --noEmit -p . && node --import tsx --test --test-concurrency=1 test/*.test.ts',
      'cluster:up': 'extapi-cluster up',
      'cluster:down': 'extapi-cluster down',
    },
    dependencies: { extapi: `^${own.version}`, typebox: own.dependencies.typebox },
    devDependencies: {
      '@types/node': own.devDependencies['@types/node'], tsx: own.devDependencies.tsx, typescript: own.devDependencies.typescript,
    },
    // extapi's own policy: better-sqlite3 (embedded storage) must compile its native addon, which npm 12 would otherwise skip
    allowScripts: own.allowScripts,
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** Every file of a new project, by path relative to its directory. */
export function projectFiles(p: ProjectTemplate): Record<string, string> {
  return {
    'package.json': packageJson(p),
    'tsconfig.json': TSCONFIG,
    'src/resources.ts': resourcesFile(p),
    'src/main.ts': MAIN,
    'test/resources.test.ts': UNIT_TEST,
    'test/e2e.test.ts': E2E_TEST,
    'Dockerfile': DOCKERFILE,
    '.dockerignore': 'node_modules\n.extapi\ndist\n',
    '.gitignore': 'node_modules/\n.extapi/\ndist/\n',
    'README.md': readme(p),
  };
}
