import { Value } from '@sinclair/typebox/value';
import { AgentUpgradeState, ops, type AgentUpgradeAttempt } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';

function attemptRows(list: readonly AgentUpgradeAttempt[], withDevice: boolean): string[][] {
  return list.map((a) => [
    ...(withDevice ? [a.deviceName] : []),
    `${a.fromVersion ?? '?'} -> ${a.toVersion}`,
    a.rollout,
    a.state,
    a.finishedAt ?? a.updatedAt,
    a.reason ?? '',
  ]);
}

const HEADERS = [
  { header: 'Versions' },
  { header: 'Rollout' },
  { header: 'State' },
  { header: 'At' },
  { header: 'Reason', flex: true },
];

/** `steward agent-version upgrades`: agent self-upgrade attempts across the site (ADR 0027). */
export function addAgentUpgradeList(group: Command, ctx: Ctx): void {
  const cmd = withJson(
    group
      .command('upgrades')
      .description('agent self-upgrade attempts across the site, latest first')
      .option(
        '--state <state>',
        'only attempts in this state (scheduled ... succeeded, failed, rolled-back)',
      )
      .option('--limit <n>', 'at most this many (default 100)'),
  );
  action(cmd, async ({ opts }) => {
    const state = opts.string('state');
    if (state !== undefined && !Value.Check(AgentUpgradeState, state))
      throw usageError(`--state: not an upgrade state: ${state}`);
    const limit = opts.int('limit', { min: 1, max: 1000 });
    const list = await (
      await ctx.client()
    ).call(ops.agentVersions.upgrades, {
      query: {
        ...(state === undefined ? {} : { state }),
        ...(limit === undefined ? {} : { limit }),
      },
    });
    if (opts.flag('json')) {
      ctx.out.json(list);
      return;
    }
    ctx.out.table(
      [{ header: 'Device' }, ...HEADERS],
      attemptRows(list, true),
      'No agent upgrade attempt.',
    );
  });
}

/** `steward device upgrade-status <device>`: its client-version target and latest attempts. */
export function addDeviceUpgradeStatus(device: Command, ctx: Ctx): void {
  const cmd = withJson(
    device
      .command('upgrade-status')
      .description("a device's client-version target (rollout, version) and its upgrade attempts")
      .argument('<name-or-id>'),
  );
  action(cmd, async ({ opts, arg }) => {
    const s = await (
      await ctx.client()
    ).call(ops.agentVersions.deviceUpgradeStatus, { params: { id: arg(0) } });
    if (opts.flag('json')) {
      ctx.out.json(s);
      return;
    }
    ctx.out.fields([
      ['Device', `${s.deviceName} (${s.deviceId})`],
      ['Runs', s.agentVersion ?? 'not reported yet'],
      [
        'Rollout',
        s.rollout === 'excluded'
          ? 'excluded from automatic upgrade (exclusion collection)'
          : s.rollout,
      ],
      ['Target', s.targetVersion ?? 'none'],
    ]);
    ctx.out.table(HEADERS, attemptRows(s.attempts, false), 'No upgrade attempt.');
  });
}
