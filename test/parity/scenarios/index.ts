/** Every parity scenario, in the order they run. */
import type { Scenario } from '../support/scenario.ts';
import { crudScenarios } from './crud.ts';
import { discoveryScenarios } from './discovery.ts';
import { listWatchScenarios } from './list-watch.ts';
import { optionScenarios } from './options.ts';
import { patchScenarios } from './patch.ts';
import { viewScenarios } from './views.ts';

/** The scenario list run against both servers. */
export const SCENARIOS: Scenario[] = [
  ...discoveryScenarios, ...crudScenarios, ...patchScenarios, ...listWatchScenarios, ...optionScenarios, ...viewScenarios,
];
