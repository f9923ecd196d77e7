import {
  DEFAULT_DEVICE_COLUMNS,
  type SavedView,
  type ViewState,
  splitColumnList,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { humanTime } from '../output/format.js';
import { deviceQuery } from './devices.js';
import { printDeleted } from './software-common.js';

/** Saved views of the device list (ADR 0034): `steward view list|show|save|rename|default|delete`. */
export function registerViewCommands(program: Command, ctx: Ctx): void {
  const view = program
    .command('view')
    .description('saved views of the device list: filter, columns, sort and density by name');
  addList(view, ctx);
  addShow(view, ctx);
  addSave(view, ctx);
  addRename(view, ctx);
  addDefault(view, ctx);
  addDelete(view, ctx);
}

function stateText(s: ViewState): string {
  const parts = [
    s.search ? `search "${s.search}"` : '',
    s.status ? `status ${s.status}` : '',
    s.collection ? `collection ${s.collection}` : '',
    s.sort ? `sort ${s.sort}${s.order === 'desc' ? ' desc' : ''}` : '',
  ].filter((p) => p !== '');
  return parts.length > 0 ? parts.join(', ') : 'all devices';
}

function printView(ctx: Ctx, v: SavedView): void {
  ctx.out.heading(v.name);
  ctx.out.fields([
    ['Id', v.id],
    ['Owner', v.owner],
    ['Shared', v.shared ? 'yes (every user sees it)' : 'no (only its owner)'],
    ['Your default', v.isDefault ? 'yes' : 'no'],
    ['Filter', stateText(v.state)],
    ['Columns', v.state.columns.join(', ')],
    ['Density', v.state.density ?? 'comfortable'],
    ['Updated', humanTime(v.updatedAt, ctx.out.now)],
  ]);
}

function addList(view: Command, ctx: Ctx): void {
  action(
    withJson(view.command('list').description('your views and the shared ones')),
    async ({ opts }) => {
      const list = await (await ctx.client()).listViews({ list: 'devices' });
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      ctx.out.table(
        [
          { header: 'NAME' },
          { header: 'OWNER' },
          { header: 'SHARED' },
          { header: 'DEFAULT' },
          { header: 'FILTER' },
          { header: 'COLUMNS', flex: true },
        ],
        list.map((v) => [
          v.name,
          v.owner,
          v.shared ? 'yes' : 'no',
          v.isDefault ? 'yes' : '',
          stateText(v.state),
          v.state.columns.join(','),
        ]),
        'No saved views.',
      );
    },
  );
}

function addShow(view: Command, ctx: Ctx): void {
  const show = withJson(view.command('show').description('one view').argument('<name-or-id>'));
  action(show, async ({ opts, arg }) => {
    const v = await (await ctx.client()).getView(arg(0));
    if (opts.flag('json')) ctx.out.json(v);
    else printView(ctx, v);
  });
}

function addSave(view: Command, ctx: Ctx): void {
  const save = withJson(
    view
      .command('save')
      .description('saves the device list flags as a view (replaces your view of that name)')
      .argument('<name>')
      .option('--search <text>', 'name, IP address, OS or user contains text')
      .option('--collection <name-or-id>', 'members of a collection')
      .option('--status <status>', 'active, inactive, revoked, online or obsolete')
      .option('--sort <field>', 'a sort key of `device list --sort`')
      .option('--desc', 'sort descending')
      .option('--columns <ids>', `columns in order (default ${DEFAULT_DEVICE_COLUMNS.join(',')})`)
      .option('--compact', 'dense rows in the console')
      .option('--shared', 'visible to every user (read only for them)')
      .option('--private', 'visible only to you'),
  );
  action(save, async ({ opts, arg }) => {
    const client = await ctx.client();
    const q = await deviceQuery(opts, client);
    const state: ViewState = {
      columns: q.columns !== undefined ? splitColumnList(q.columns) : [...DEFAULT_DEVICE_COLUMNS],
      ...(q.search !== undefined ? { search: q.search } : {}),
      ...(q.status !== undefined ? { status: q.status } : {}),
      ...(q.collection !== undefined ? { collection: q.collection } : {}),
      ...(q.sort !== undefined ? { sort: q.sort } : {}),
      ...(q.order !== undefined ? { order: q.order } : {}),
      ...(opts.flag('compact') ? { density: 'compact' as const } : {}),
    };
    const shared = opts.flag('shared') ? true : opts.flag('private') ? false : undefined;
    const me = await client.me();
    const mine = (await client.listViews({ list: 'devices' })).find(
      (v) => v.name === arg(0) && v.owner === me.name,
    );
    const saved = mine
      ? await client.updateView(mine.id, { state, ...(shared !== undefined ? { shared } : {}) })
      : await client.createView({
          name: arg(0),
          state,
          ...(shared !== undefined ? { shared } : {}),
        });
    if (opts.flag('json')) ctx.out.json(saved);
    else ctx.out.line(`View ${saved.name} ${mine ? 'updated' : 'saved'}.`);
  });
}

function addRename(view: Command, ctx: Ctx): void {
  const rename = withJson(
    view
      .command('rename')
      .description('renames one of your views')
      .argument('<name-or-id>')
      .argument('<new-name>'),
  );
  action(rename, async ({ opts, arg }) => {
    const client = await ctx.client();
    const v = await client.getView(arg(0));
    const saved = await client.updateView(v.id, { name: arg(1) });
    if (opts.flag('json')) ctx.out.json(saved);
    else ctx.out.line(`View ${v.name} renamed to ${saved.name}.`);
  });
}

function addDefault(view: Command, ctx: Ctx): void {
  const def = withJson(
    view
      .command('default')
      .description('makes a view (yours or a shared one) your default device list')
      .argument('<name-or-id>')
      .option('--clear', 'stop it being your default'),
  );
  action(def, async ({ opts, arg }) => {
    const client = await ctx.client();
    const v = await client.getView(arg(0));
    if (opts.flag('clear')) await client.clearDefaultView(v.id);
    const now = opts.flag('clear') ? { ...v, isDefault: false } : await client.setDefaultView(v.id);
    if (opts.flag('json')) ctx.out.json(now);
    else ctx.out.line(`View ${v.name} is ${now.isDefault ? 'now' : 'no longer'} your default.`);
  });
}

function addDelete(view: Command, ctx: Ctx): void {
  const del = withJson(
    view.command('delete').description('deletes one of your views').argument('<name-or-id>'),
  );
  action(del, async ({ opts, arg }) => {
    const client = await ctx.client();
    const v = await client.getView(arg(0));
    await client.deleteView(v.id);
    printDeleted(ctx, opts.flag('json'), 'View', v.name);
  });
}
