/**
 * Entry point of `steward-agent` (bin/steward-agent.js imports this file).
 *
 * Test hooks: there are none beyond the environment variable STEWARD_AGENT_STATE_DIR (default
 * state directory). Intervals are not scaled locally: they come from the policy's client
 * settings, and tests make the site hand out short ones.
 */
import { processIo } from './commands/cli-io.js';
import { runCli } from './commands/cli-main.js';

const code = await runCli(process.argv.slice(2), processIo());
// Exit explicitly: a half-closed keep-alive socket or push reconnect timer must not hold the
// process. stdout/stderr writes to pipes and files are synchronous on Linux, so nothing is lost.
process.exit(code);
