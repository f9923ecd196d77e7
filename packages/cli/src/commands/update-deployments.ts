import {
  ops,
  UpdateDeploymentOptions,
  UpdateDeploymentSharedOptions,
  type UpdateDeployment,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import type { Opts } from '../options.js';
import { orDash, restartText } from '../output/format.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';
import { parseWallTime } from './schedule-flags.js';

function counts(d: UpdateDeployment): string {
  const c = d.summary?.counts ?? {};
  const parts = Object.entries(c)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${String(n)}`);
  return parts.length > 0 ? parts.join(', ') : '-';
}

function print(ctx: Ctx, json: boolean, d: UpdateDeployment): void {
  if (json) {
    ctx.out.json(d);
    return;
  }
  ctx.out.fields([
    ['Update deployment', `${d.name} (${d.id})`],
    ['Group', d.groupName],
    ['Collection', d.collectionName],
    ['Enabled', d.enabled ? 'yes' : 'no'],
    ['Available', d.availableAt ?? 'now'],
    ['Deadline', d.deadline ?? 'none (offered only)'],
    ['Rehearsal', d.rehearsal ? 'yes (simulate only)' : 'no'],
    ['Rollback', d.allowDowngrades ? 'yes (downgrades allowed)' : 'no'],
    [
      'Updates',
      d.updates.map((u) => `${u.package} ${u.version}${u.removed ? ' (removed)' : ''}`).join(', '),
    ],
    ['States', counts(d)],
  ]);
}

/** Schedule and option flags, generated from the protocol's declarations (ADR 0016). */
function optionFlags(cmd: Command): Command {
  cmd
    .option('--available-at <walltime>', 'offered (and pre-downloaded) from this time')
    .option('--deadline <walltime>', 'installed by this time, e.g. 2031-07-01T22:00 (UTC)');
  addSettingFlags(cmd, UpdateDeploymentSharedOptions);
  return addSettingFlags(cmd, UpdateDeploymentOptions);
}

function optionBody(cmd: Command) {
  const o: Record<string, unknown> = cmd.opts();
  const at = typeof o.availableAt === 'string' ? o.availableAt : undefined;
  const deadline = typeof o.deadline === 'string' ? o.deadline : undefined;
  return {
    ...(at !== undefined ? { availableAt: parseWallTime(at, '--available-at') } : {}),
    ...(deadline !== undefined ? { deadline: parseWallTime(deadline, '--deadline') } : {}),
    ...readSettingFlags(cmd, UpdateDeploymentSharedOptions),
    ...readSettingFlags(cmd, UpdateDeploymentOptions),
  };
}

/** `steward update deployment ...`: update deployments (issue 10, ADR 0056). */
export function addUpdateDeploymentCommands(parent: Command, ctx: Ctx): void {
  const dep = parent
    .command('deployment')
    .description('update deployments: an update group deployed to a collection');

  action(withJson(dep.command('list').description('update deployments')), async ({ opts }) => {
    const page = await (await ctx.client()).call(ops.updateDeployments.listUpdateDeployments, {});
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    ctx.out.table(
      [
        { header: 'NAME' },
        { header: 'COLLECTION' },
        { header: 'DEADLINE' },
        { header: 'ENABLED' },
        { header: 'STATES', flex: true },
      ],
      page.items.map((d) => [
        d.name,
        d.collectionName,
        d.deadline ?? '-',
        d.enabled ? 'yes' : 'no',
        counts(d),
      ]),
      'No update deployments. Create one with `steward update deployment create`.',
    );
  });

  /** `create` and `deploy-updates`: a target, the collection, the name and every option. */
  const deployCommand = (command: string, description: string, target: string, what: string) =>
    optionFlags(
      dep
        .command(command)
        .description(description)
        .argument(target, what)
        .requiredOption('--collection <id>', 'the collection to deploy to')
        .option('--name <name>', "the deployment name (for a selection, its group's too)"),
    );
  const targetBody = (cmd: Command, opts: Opts) => {
    const name = opts.string('name');
    return {
      collectionId: opts.string('collection') ?? '',
      ...(name !== undefined ? { name } : {}),
      ...optionBody(cmd),
    };
  };

  const create = deployCommand(
    'create',
    "deploy an update group's published approved content to a collection",
    '<group>',
    'the update group (id or name)',
  );
  action(withJson(create), async ({ opts, arg }) => {
    const d = await (
      await ctx.client()
    ).call(ops.updateDeployments.createUpdateDeployment, {
      body: { groupId: arg(0), ...targetBody(create, opts) },
    });
    print(ctx, opts.flag('json'), d);
  });

  const direct = deployCommand(
    'deploy-updates',
    'deploy chosen updates to a collection in one step (their update group is made and published)',
    '<update...>',
    'update ids (catalog or custom)',
  );
  action(withJson(direct), async ({ opts, argList }) => {
    const d = await (
      await ctx.client()
    ).call(ops.updateDeployments.deploySelectedUpdates, {
      body: { updateIds: argList(0), ...targetBody(direct, opts) },
    });
    print(ctx, opts.flag('json'), d);
  });

  const set = optionFlags(
    dep.command('set').description('change an update deployment').argument('<deployment>'),
  );
  action(withJson(set), async ({ opts, arg }) => {
    const d = await (
      await ctx.client()
    ).call(ops.updateDeployments.updateUpdateDeployment, {
      params: { id: arg(0) },
      body: optionBody(set),
    });
    print(ctx, opts.flag('json'), d);
  });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const)
    action(
      withJson(
        dep
          .command(verb)
          .description(`${verb} an update deployment (at once on the agents)`)
          .argument('<deployment>'),
      ),
      async ({ opts, arg }) => {
        const d = await (
          await ctx.client()
        ).call(ops.updateDeployments.updateUpdateDeployment, {
          params: { id: arg(0) },
          body: { enabled },
        });
        print(ctx, opts.flag('json'), d);
      },
    );

  action(
    withJson(dep.command('show').description('one update deployment').argument('<deployment>')),
    async ({ opts, arg }) => {
      const d = await (
        await ctx.client()
      ).call(ops.updateDeployments.getUpdateDeployment, { params: { id: arg(0) } });
      print(ctx, opts.flag('json'), d);
    },
  );

  action(
    withJson(
      dep
        .command('remove-update')
        .description('remove one update from a deployment; the others continue')
        .argument('<deployment>')
        .argument('<update-id>'),
    ),
    async ({ opts, arg }) => {
      const d = await (
        await ctx.client()
      ).call(ops.updateDeployments.removeUpdateDeploymentUpdate, {
        params: { id: arg(0), updateId: arg(1) },
      });
      print(ctx, opts.flag('json'), d);
    },
  );

  action(
    withJson(
      dep
        .command('redeploy-failed')
        .description('run again on the failed devices only (they scan first)')
        .argument('<deployment>'),
    ),
    async ({ opts, arg }) => {
      const r = await (
        await ctx.client()
      ).call(ops.updateDeployments.redeployFailed, { params: { id: arg(0) } });
      if (opts.flag('json')) ctx.out.json(r);
      else ctx.out.line(`Redeploying to ${String(r.devices)} failed devices.`);
    },
  );

  action(
    withJson(
      dep
        .command('status')
        .description('state counts, status by update and failed devices with reasons')
        .argument('<deployment>'),
    ),
    async ({ opts, arg }) => {
      const s = await (
        await ctx.client()
      ).call(ops.updateDeployments.updateDeploymentStatus, { params: { id: arg(0) } });
      if (opts.flag('json')) {
        ctx.out.json(s);
        return;
      }
      ctx.out.table(
        [{ header: 'UPDATE' }, { header: 'VERSION' }, { header: 'STATES', flex: true }],
        s.byUpdate.map((u) => [
          u.package,
          u.version,
          Object.entries(u.counts)
            .map(([k, n]) => `${k} ${String(n)}`)
            .join(', ') || '-',
        ]),
        'No updates.',
      );
      for (const f of s.failures)
        ctx.out.line(`failed: ${f.hostname}: ${f.reasonCode ?? ''} ${f.reason ?? ''}`.trim());
    },
  );

  action(
    withJson(
      dep
        .command('devices')
        .description("each targeted device: its state and reason, the site's view, per update")
        .argument('<deployment>')
        .option('--limit <n>', 'at most this many (default 50)'),
    ),
    async ({ opts, arg }) => {
      const limit = opts.int('limit', { min: 1, max: 1000 });
      const page = await (
        await ctx.client()
      ).call(ops.updateDeployments.updateDeploymentDevices, {
        params: { id: arg(0) },
        query: limit !== undefined ? { limit } : {},
      });
      if (opts.flag('json')) {
        ctx.out.json(page);
        return;
      }
      ctx.out.table(
        [
          { header: 'DEVICE' },
          { header: 'STATE' },
          { header: 'SITE' },
          { header: 'UPDATES' },
          { header: 'RESTART' },
          { header: 'REASON', flex: true },
        ],
        page.items.map((d) => [
          d.hostname,
          d.state,
          orDash(d.siteState),
          d.updates.map((u) => `${u.updateId} ${u.state}`).join(', ') || '-',
          restartText(d.restart),
          orDash(d.siteReason ?? d.reason),
        ]),
        'No devices.',
      );
    },
  );

  action(
    dep.command('delete').description('remove an update deployment').argument('<deployment>'),
    async ({ arg }) => {
      await (
        await ctx.client()
      ).call(ops.updateDeployments.deleteUpdateDeployment, { params: { id: arg(0) } });
    },
  );
}
