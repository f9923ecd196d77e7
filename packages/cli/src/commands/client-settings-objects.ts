import {
  ClientSettingsOptions,
  ClientSettingsPriority,
  describeSetting,
  ops,
  settingEntries,
  shownLabel,
  type ClientSettingsObject,
  type ClientSettingsSubset,
  type ResultantClientSettings,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { parseInteger, type Opts } from '../options.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';

/**
 * Client settings objects (ADR 0025): subsets of the declared client settings assigned to
 * collections; the lowest priority number wins each value, the site's settings come last.
 * The setting flags are the declarations' (ADR 0016), as for `client-settings set`.
 */
export function registerClientSettingsObjectCommands(settings: Command, ctx: Ctx): void {
  addList(settings, ctx);
  addCreate(settings, ctx);
  addShowObject(settings, ctx);
  addUpdate(settings, ctx);
  addDelete(settings, ctx);
  addAssign(settings, ctx, 'assign');
  addAssign(settings, ctx, 'unassign');
  addResultant(settings, ctx);
}

const PRIORITY = {
  min: ClientSettingsPriority.minimum ?? 1,
  max: ClientSettingsPriority.maximum ?? 10_000,
};

function priorityOf(opts: Opts): number | undefined {
  const v = opts.string('priority');
  return v === undefined ? undefined : parseInteger(v, '--priority', PRIORITY);
}

/** `--unset inventory-interval` names a setting by its flag: the key it clears. */
function unsetKeys(opts: Opts): string[] {
  return opts.strings('unset').map((name) => {
    const entry = settingEntries(ClientSettingsOptions).find(
      ({ field }) => field.flag?.kind === 'value' && field.flag.name === name.replace(/^--/, ''),
    );
    if (!entry)
      throw usageError(
        `--unset ${name}: not a client setting (one of ${settingEntries(ClientSettingsOptions)
          .flatMap(({ field }) => (field.flag ? [field.flag.name] : []))
          .join(', ')})`,
      );
    return entry.key;
  });
}

/** Each value the object sets, as a person reads it. */
function describeSubset(s: ClientSettingsSubset): string {
  const parts = settingEntries(ClientSettingsOptions).flatMap(({ key, field }) =>
    s[key] === undefined ? [] : [`${shownLabel(field)}: ${describeSetting(field, s[key])}`],
  );
  return parts.length > 0 ? parts.join('; ') : '(nothing set)';
}

function printObject(ctx: Ctx, o: ClientSettingsObject): void {
  ctx.out.fields([
    ['Name', o.name],
    ['ID', o.id],
    ['Priority', String(o.priority)],
    ['Description', o.description || '(none)'],
    ['Collections', o.collections.map((c) => c.name).join(', ') || '(not assigned)'],
  ]);
  ctx.out.heading('Settings');
  const rows = settingEntries(ClientSettingsOptions).flatMap(
    ({ key, field }): [string, string][] =>
      o.settings[key] === undefined
        ? []
        : [[shownLabel(field), describeSetting(field, o.settings[key])]],
  );
  if (rows.length === 0) ctx.out.line('  (nothing set: the object changes no value)');
  else ctx.out.fields(rows, '  ');
}

function addList(settings: Command, ctx: Ctx): void {
  const list = withJson(
    settings
      .command('list')
      .description('list client settings objects (the lowest priority number wins)'),
  );
  action(list, async ({ opts }) => {
    const objects = await (await ctx.client()).call(ops.clientSettingsObjects.list, {});
    if (opts.flag('json')) {
      ctx.out.json(objects);
      return;
    }
    ctx.out.table(
      [
        { header: 'PRIORITY', align: 'right' },
        { header: 'NAME' },
        { header: 'COLLECTIONS' },
        { header: 'SETTINGS', flex: true },
      ],
      objects.map((o) => [
        String(o.priority),
        o.name,
        o.collections.map((c) => c.name).join(', ') || '-',
        describeSubset(o.settings),
      ]),
      'No client settings objects: every device runs the site client settings.',
    );
  });
}

function addCreate(settings: Command, ctx: Ctx): void {
  const create = withJson(
    addSettingFlags(
      settings
        .command('create')
        .description('create a client settings object (then assign it to collections)')
        .argument('<name>')
        .requiredOption(
          '--priority <n>',
          `precedence: the lowest number wins (${PRIORITY.min}-${PRIORITY.max}, unique)`,
        )
        .option('--description <text>', 'what the object is for'),
      ClientSettingsOptions,
    ),
  );
  action(create, async ({ opts, arg }) => {
    const s: ClientSettingsSubset = readSettingFlags(create, ClientSettingsOptions);
    const description = opts.string('description');
    const created = await (
      await ctx.client()
    ).call(ops.clientSettingsObjects.create, {
      body: {
        name: arg(0),
        priority: priorityOf(opts) ?? PRIORITY.min,
        settings: s,
        ...(description === undefined ? {} : { description }),
      },
    });
    if (opts.flag('json')) {
      ctx.out.json(created);
      return;
    }
    ctx.out.line(`Client settings object ${created.name} created (priority ${created.priority}).`);
    printObject(ctx, created);
  });
}

function addShowObject(settings: Command, ctx: Ctx): void {
  const get = withJson(
    settings.command('get').description('show one client settings object').argument('<object>'),
  );
  action(get, async ({ opts, arg }) => {
    const o = await (
      await ctx.client()
    ).call(ops.clientSettingsObjects.get, {
      params: { id: arg(0) },
    });
    if (opts.flag('json')) ctx.out.json(o);
    else printObject(ctx, o);
  });
}

function addUpdate(settings: Command, ctx: Ctx): void {
  const update = withJson(
    addSettingFlags(
      settings
        .command('update')
        .description('change a client settings object: the values given are set, --unset clears')
        .argument('<object>')
        .option('--name <name>', 'new name')
        .option('--priority <n>', `new priority (${PRIORITY.min}-${PRIORITY.max}, unique)`)
        .option('--description <text>', 'new description')
        .option(
          '--unset <setting...>',
          'settings to stop setting, by flag name (inventory-interval)',
        ),
      ClientSettingsOptions,
    ),
  );
  action(update, async ({ opts, arg }) => {
    const client = await ctx.client();
    const given: ClientSettingsSubset = readSettingFlags(update, ClientSettingsOptions);
    const unset = unsetKeys(opts);
    const name = opts.string('name');
    const description = opts.string('description');
    const priority = priorityOf(opts);
    const settingsChange = Object.keys(given).length > 0 || unset.length > 0;
    if (
      !settingsChange &&
      name === undefined &&
      description === undefined &&
      priority === undefined
    )
      throw usageError(
        'nothing to change: give a setting flag, --unset, --name, --priority or --description',
      );
    let merged: ClientSettingsSubset | undefined;
    if (settingsChange) {
      const current = await client.call(ops.clientSettingsObjects.get, { params: { id: arg(0) } });
      const next: ClientSettingsSubset = { ...current.settings, ...given };
      merged = Object.fromEntries(Object.entries(next).filter(([key]) => !unset.includes(key)));
    }
    const updated = await client.call(ops.clientSettingsObjects.update, {
      params: { id: arg(0) },
      body: {
        ...(name === undefined ? {} : { name }),
        ...(description === undefined ? {} : { description }),
        ...(priority === undefined ? {} : { priority }),
        ...(merged === undefined ? {} : { settings: merged }),
      },
    });
    if (opts.flag('json')) {
      ctx.out.json(updated);
      return;
    }
    ctx.out.line(`Client settings object ${updated.name} updated; its devices fetch policy now.`);
    printObject(ctx, updated);
  });
}

function addDelete(settings: Command, ctx: Ctx): void {
  const del = settings
    .command('delete')
    .description('delete a client settings object and its assignments')
    .argument('<object>');
  action(del, async ({ arg }) => {
    await (await ctx.client()).call(ops.clientSettingsObjects.remove, { params: { id: arg(0) } });
    ctx.out.line(`Client settings object ${arg(0)} deleted.`);
  });
}

function addAssign(settings: Command, ctx: Ctx, verb: 'assign' | 'unassign'): void {
  const cmd = withJson(
    settings
      .command(verb)
      .description(
        verb === 'assign'
          ? 'assign a client settings object to a collection'
          : 'remove a client settings object from a collection',
      )
      .argument('<object>')
      .argument('<collection>'),
  );
  action(cmd, async ({ opts, arg }) => {
    const op =
      verb === 'assign' ? ops.clientSettingsObjects.assign : ops.clientSettingsObjects.unassign;
    const o = await (await ctx.client()).call(op, { params: { id: arg(0), collection: arg(1) } });
    if (opts.flag('json')) {
      ctx.out.json(o);
      return;
    }
    ctx.out.line(
      `${o.name} ${verb === 'assign' ? 'assigned to' : 'removed from'} ${arg(1)}; now on: ${o.collections.map((c) => c.name).join(', ') || '(no collection)'}.`,
    );
  });
}

function sourceText(v: ResultantClientSettings['values'][number]): string {
  return v.source.kind === 'site'
    ? 'site default'
    : `${v.source.objectName} (priority ${v.source.priority}) via ${v.source.collectionName}`;
}

function addResultant(settings: Command, ctx: Ctx): void {
  const cmd = withJson(
    settings
      .command('resultant')
      .description("a device's resultant client settings and where each value came from")
      .argument('<device>'),
  );
  action(cmd, async ({ opts, arg }) => {
    const r = await (
      await ctx.client()
    ).call(ops.clientSettingsObjects.resultant, {
      params: { id: arg(0) },
    });
    if (opts.flag('json')) {
      ctx.out.json(r);
      return;
    }
    ctx.out.line(
      `${r.deviceName}: policy version ${r.policyVersion} (device reports ${r.devicePolicyVersion ?? 'none yet'})`,
    );
    ctx.out.table(
      [{ header: 'SETTING' }, { header: 'VALUE' }, { header: 'FROM', flex: true }],
      r.values.map((v) => {
        const field = settingEntries(ClientSettingsOptions).find((e) => e.key === v.key)?.field;
        return [
          field ? shownLabel(field) : v.key,
          field ? describeSetting(field, v.value) : String(v.value),
          sourceText(v),
        ];
      }),
      'No client settings.',
    );
  });
}
