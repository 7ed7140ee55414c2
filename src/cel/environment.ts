/**
 * The Kubernetes CEL environment on @marcbachmann/cel-js: CEL's standard library with macros,
 * optional types and cel.bind, plus the Kubernetes libraries (strings extension, lists, sets,
 * regex). One environment per set of declared variables, built once.
 */
import { Environment } from '@marcbachmann/cel-js';
import { registerLists } from './library/lists.ts';
import { registerRegex } from './library/regex.ts';
import { registerStrings } from './library/strings.ts';

const base = new Environment({
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: false,
  unlistedVariablesAreDyn: false,
  limits: { maxAstNodes: 100000, maxDepth: 250, maxListElements: 100000, maxMapEntries: 100000, maxCallArguments: 32 },
});
registerStrings(base);
registerLists(base);
registerRegex(base);

const byVariables = new Map<string, Environment>();

/** The environment declaring `variables` (each `dyn`), shared by every expression with that set. */
export function celEnvironment(variables: readonly string[]): Environment {
  const key = [...variables].sort().join(',');
  let env = byVariables.get(key);
  if (env === undefined) {
    env = base.clone();
    for (const v of variables) env.registerVariable(v, 'dyn');
    byVariables.set(key, env);
  }
  return env;
}
