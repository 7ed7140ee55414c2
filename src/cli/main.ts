/**
 * The `extapi` executable (`bin/extapi.js` imports its built form, dist/src/cli/main.js). The only place in the
 * CLI that exits the process: it runs {@link runCli} and exits with its code.
 */
import { runCli } from './cli.ts';
import { processIo } from './output.ts';

const code = await runCli(process.argv.slice(2), processIo());
process.exit(code);
