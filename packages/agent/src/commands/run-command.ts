import { clockFromEnv } from '@steward/protocol/node';
import { Agent } from '../agent.js';
import type { CliIo } from './cli-io.js';

export interface RunArgs {
  stateDir: string;
  once: boolean;
  full: boolean;
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
  try {
    return await agent.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGUSR2', onCheck);
  }
}
