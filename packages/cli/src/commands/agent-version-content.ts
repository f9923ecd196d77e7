import { ErrorCode, ops } from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { addDistributeCommand, printContentStatus } from './package-content.js';
import { namingFlags } from './software-common.js';

/**
 * `steward agent-version distribute|content-status|validate`: an agent version's packages on
 * distribution points (ADR 0042), the same status view as `steward package status`.
 */
export function addAgentVersionContent(group: Command, ctx: Ctx): void {
  addDistributeCommand(group, ctx, {
    description: "send an agent version's packages to distribution points",
    argument: '<version>',
    send: (client, version, targets) =>
      client.call(ops.agentVersions.distribute, { params: { version }, body: targets }),
    print: (status, version) => {
      printContentStatus(ctx, `agent ${version}`, status);
      ctx.out.note(`Follow it with "steward agent-version content-status ${version}".`);
    },
  });

  action(
    withJson(
      group
        .command('content-status')
        .description("an agent version's content status on every distribution point it targets")
        .argument('<version>'),
    ),
    async ({ opts, arg }) => {
      const status = await (
        await ctx.client()
      ).call(ops.agentVersions.contentStatus, { params: { version: arg(0) } });
      if (opts.flag('json')) ctx.out.json(status);
      else printContentStatus(ctx, `agent ${arg(0)}`, status);
    },
  );

  const validate = withJson(
    group
      .command('validate')
      .description("have distribution points re-hash an agent version's packages")
      .argument('<version>')
      .option('--dp <name-or-id>', 'only this distribution point (repeatable)', collect),
  );
  action(validate, async ({ opts, arg }) => {
    const dps = opts.strings('dp');
    const status = await namingFlags(
      (await ctx.client()).call(ops.agentVersions.validate, {
        params: { version: arg(0) },
        body: dps.length > 0 ? { dpIds: dps } : {},
      }),
      { [ErrorCode.DP_NOT_FOUND]: '--dp' },
    );
    if (opts.flag('json')) ctx.out.json(status);
    else printContentStatus(ctx, `agent ${arg(0)}`, status);
  });
}
