/**
 * Entry point of `steward-agent` (bin/steward-agent.js imports this file).
 *
 * Test hooks: none beyond the environment variable STEWARD_AGENT_STATE_DIR (default state
 * directory). Intervals are not scaled locally: they come from the policy's client settings,
 * and tests make the site hand out short ones.
 */
import { processIo } from './commands/cli-io.js';
import { runCli } from './commands/cli-main.js';

function drained(stream: NodeJS.WriteStream): Promise<void> {
  // The callback of an empty write runs once everything written before it was flushed.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

const code = await runCli(process.argv.slice(2), processIo());
// Exit explicitly, so a half-closed keep-alive socket or a reconnect timer cannot hold the
// process; but only after stdout and stderr are flushed (a pipe takes 64 KiB at a time).
await drained(process.stdout);
await drained(process.stderr);
process.exit(code);
