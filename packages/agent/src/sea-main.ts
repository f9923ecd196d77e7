/**
 * Entry point of the single executable (Node SEA, packaging/build-sea.sh). A SEA runs its script
 * as CommonJS, where top-level await is not allowed, so this is cli.ts without it; bundle.sh
 * bundles it to CommonJS.
 */
import { processIo } from './commands/cli-io.js';
import { runCli } from './commands/cli-main.js';

function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

async function main(): Promise<void> {
  // In a single executable argv[1] is the executable again, so the arguments start at 2 as in
  // `node cli.js ...`.
  const code = await runCli(process.argv.slice(2), processIo());
  await drained(process.stdout);
  await drained(process.stderr);
  process.exit(code);
}

void main();
