import type { ApiClient, DeviceAction, NudgeAction } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { CliError } from '../errors.js';
import { interruptController } from '../io.js';
import { formatDuration } from '../output/format.js';
import { createProgress } from '../output/progress.js';

const NUDGES: readonly { command: string; action: NudgeAction; description: string }[] = [
  {
    command: 'fetch-policy',
    action: 'policy:fetch',
    description: 'ask the agent to fetch its policy now',
  },
  {
    command: 'collect-inventory',
    action: 'inventory:collect',
    description: 'ask the agent to collect and report inventory now',
  },
  {
    command: 'evaluate-deployments',
    action: 'deployments:evaluate',
    description: 'ask the agent to evaluate its deployments now',
  },
  {
    command: 'run-client-check',
    action: 'client-check:run',
    description: 'ask the agent to run its client check now (and remediate unless notify-only)',
  },
  {
    command: 'upgrade-agent',
    action: 'agent:upgrade',
    description:
      'ask the agent to upgrade to its client-version target now (no random delay, no maintenance window)',
  },
];

const STEP: Record<DeviceAction['state'], number> = {
  pending: 1,
  'not-connected': 1,
  delivered: 2,
  completed: 3,
};

export interface WaitOptions {
  timeoutMs: number;
  pollMs: number;
}

/**
 * Polls the device's actions until this one completes. `not-connected` ends the wait: the site
 * had no push channel to the agent, so nothing will happen until the agent polls by itself.
 */
export async function waitForAction(
  ctx: Ctx,
  client: ApiClient,
  requested: DeviceAction,
  opts: WaitOptions & { label: string },
): Promise<DeviceAction> {
  const { io } = ctx;
  const started = io.now().getTime();
  const progress = createProgress(io, {
    title: `${requested.action} ${opts.label}`,
    total: 3,
  });
  const interrupt = interruptController(io);
  let current = requested;
  try {
    for (;;) {
      const waited = io.now().getTime() - started;
      // A request still pending after a while has not reached the agent: say what that means.
      const stage =
        current.state === 'pending' && waited >= 30_000
          ? 'pending (not delivered yet: is the agent connected?)'
          : current.state;
      progress.update(stage, STEP[current.state]);
      if (current.state === 'completed') break;
      if (current.state === 'not-connected') {
        throw new CliError(
          'DEVICE_NOT_CONNECTED',
          `the agent of ${requested.deviceId} holds no push connection; it acts on its next policy poll`,
        );
      }
      if (io.now().getTime() - started > opts.timeoutMs) {
        throw new CliError(
          'TIMEOUT',
          `${requested.action} is still ${current.state} after ${formatDuration(opts.timeoutMs)}`,
        );
      }
      await io.sleep(opts.pollMs, interrupt.signal);
      if (interrupt.signal.aborted)
        throw new CliError(
          'CANCELLED',
          `stopped waiting; request ${requested.id} is ${current.state}`,
        );
      const found = (await client.deviceActions(requested.deviceId)).find(
        (a) => a.id === requested.id,
      );
      if (found === undefined)
        throw new CliError(
          'NOT_FOUND',
          `action ${requested.id} is no longer listed for the device`,
        );
      current = found;
    }
    progress.stop();
    return current;
  } catch (err) {
    progress.stop();
    throw err;
  } finally {
    interrupt.dispose();
  }
}

export function registerDeviceActionCommands(device: Command, ctx: Ctx): void {
  for (const nudge of NUDGES) {
    const cmd = withJson(
      device
        .command(nudge.command)
        .description(nudge.description)
        .argument('<name-or-id>')
        .option('--wait', 'wait until the agent reports it done, showing progress')
        .option('--timeout <seconds>', 'give up waiting after this long (default 300)'),
    );
    action(cmd, async ({ opts, arg }) => {
      const wait = opts.flag('wait');
      const timeoutSeconds = opts.seconds('timeout', { min: 1 }) ?? 300;
      const client = await ctx.client();
      const requested = await client.requestDeviceAction(arg(0), nudge.action);
      const { out } = ctx;
      if (!wait) {
        if (opts.flag('json')) {
          out.json(requested);
          return;
        }
        out.line(
          `Requested ${nudge.action} on ${arg(0)}: ${requested.state} (action ${requested.id}).`,
        );
        if (requested.state === 'not-connected')
          out.warn('the agent is not connected; it will act on its next policy poll');
        return;
      }
      const started = ctx.io.now().getTime();
      const done = await waitForAction(ctx, client, requested, {
        timeoutMs: timeoutSeconds * 1000,
        pollMs: 1000,
        label: arg(0),
      });
      if (opts.flag('json')) {
        out.json(done);
        return;
      }
      out.line(
        `${nudge.action} on ${arg(0)} completed in ${formatDuration(ctx.io.now().getTime() - started)}.`,
      );
    });
  }
}
