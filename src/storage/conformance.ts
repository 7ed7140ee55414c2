import { describe } from 'node:test';
import type { Storage } from './interface.ts';
import { registerCrudCases } from './conformance-crud.ts';
import { registerListCases } from './conformance-list.ts';
import { registerWatchCases } from './conformance-watch.ts';

/**
 * Registers (with node:test `describe`/`it`) the conformance suite every Storage backend must
 * pass: create/get/guaranteedUpdate/delete semantics and errors, the single revision counter,
 * optimistic concurrency, list at revisions with paging and continue tokens, watch replay and
 * live delivery, lifecycle and copy semantics. `makeStore` must return a fresh, empty store
 * (its revision may start above 0; cases assert revisions relative to it) keeping at least
 * `historyRevisions` past revisions; each case closes its store. If the store implements
 * `watcherCount()`, the cases also check that ended watches unregister.
 */
export function runStorageConformance(name: string, makeStore: (opts: { historyRevisions: number }) => Promise<Storage>): void {
  describe(`storage conformance: ${name}`, () => {
    registerCrudCases(makeStore);
    registerListCases(makeStore);
    registerWatchCases(makeStore);
  });
}
