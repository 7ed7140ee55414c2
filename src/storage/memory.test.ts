import { runStorageConformance } from './conformance.ts';
import { createMemoryStorage } from './memory.ts';

runStorageConformance('memory', async (opts) => createMemoryStorage(opts));
