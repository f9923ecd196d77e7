import { clockFromEnv, watchClockFile } from '@steward/protocol/node';
import { Agent } from '../agent.js';
import type { CliIo } from './cli-io.js';

export interface RunArgs {
  stateDir: string;
  once: boolean;
  full: boolean;
}

/**
 * Test hooks of update deployments, like the clock file: the system root to install into (a
 * dpkg sandbox) and a harmless restart command (a JSON argv). Unset on real machines.
 */
function updateHooks(env: NodeJS.ProcessEnv): { systemRoot?: string; rebootCommand?: string[] } {
  const out: { systemRoot?: string; rebootCommand?: string[] } = {};
  if (env.STEWARD_AGENT_SYSTEM_ROOT) out.systemRoot = env.STEWARD_AGENT_SYSTEM_ROOT;
  const reboot = env.STEWARD_AGENT_REBOOT_COMMAND;
  if (reboot) {
    const argv: unknown = JSON.parse(reboot);
    if (!Array.isArray(argv) || !argv.every((a): a is string => typeof a === 'string'))
      throw new Error('STEWARD_AGENT_REBOOT_COMMAND must be a JSON array of strings');
    out.rebootCommand = argv;
  }
  return out;
}

/** How long a graceful stop may take before the process exits anyway (the outbox is crash-safe). */
const STOP_GRACE_MS = 30_000;

/**
 * `steward-agent run [--state-dir <dir>] [--once] [--full]`. SIGINT/SIGTERM stop gracefully
 * (AGENT_STOPPING into the outbox, which stays on disk); a second signal exits at once.
 */
export async function runCommand(args: RunArgs, io: CliIo): Promise<number> {
  // The one way a test moves the time of an agent process it started (ADR 0013).
  const clock = clockFromEnv(io.env);
  const agent = new Agent({
    stateDir: args.stateDir,
    once: args.once,
    full: args.full,
    collectInChildProcess: true,
    ...(clock ? { clock } : {}),
    ...updateHooks(io.env),
  });
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) process.exit(130);
    signalled = true;
    agent.stop(signal);
    setTimeout(() => process.exit(1), STOP_GRACE_MS).unref();
  };
  // `steward-agent check` asks the running service to check and report (SIGUSR2).
  const onCheck = (): void => agent.requestClientCheck();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGUSR2', onCheck);
  // A test's clock move reaches deployments (deadlines, countdowns, windows) at once, not at
  // their next real-time tick (DEPLOYMENT_TICK_MS).
  const unwatchClock = watchClockFile(io.env, () => agent.clockMoved());
  try {
    return await agent.run();
  } finally {
    unwatchClock?.();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGUSR2', onCheck);
  }
}
