/** A server with the Widget resource of validation-rules-twin.ts (started by startWardle's `main`). */
import { runServer } from '../../../src/index.ts';
import { widgets } from './validation-rules-twin.ts';

await runServer([widgets]);
