import { registerDeviceScanCommand } from './update-scan.js';
import {
  DeviceSort,
  splitColumnList,
  type ApiClient,
  type DevicePackage,
  type DeviceSummary,
  type ListDevicesQuery,
  ops,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { parseChoice, type Opts } from '../options.js';
import { isInventorySort, parseColumnsFlag, printDeviceColumns } from './device-columns.js';
import { humanTime, truncate } from '../output/format.js';
import { registerDeviceActionCommands } from './device-actions.js';
import { streamExport } from './export.js';
import { addDeviceUpgradeStatus } from './agent-upgrades.js';
import { addDeviceBulk } from './device-bulk.js';
import {
  ACTION_COLUMNS,
  actionRow,
  printDeviceDetail,
  printDevices,
  printPageNote,
  summarizeInstance,
} from './device-views.js';

export const DEVICE_STATUSES = ['active', 'inactive', 'revoked', 'online', 'obsolete'] as const;
/** The built-in sort keys (the column catalogue's, ADR 0034); `inventory.<class>.<property>` too. */
export const DEVICE_SORTS: readonly DeviceSort[] = DeviceSort.anyOf.map((l) => l.const);
/** Page size used to walk a whole listing with --all. */
export const PAGE_SIZE = 1000;

/**
 * Reads the listing flags of `device list` into the API query (without paging). `--view NAME`
 * starts from a saved view's filter, sort and columns; the other flags override it.
 */
export async function deviceQuery(opts: Opts, client: ApiClient): Promise<ListDevicesQuery> {
  const viewName = opts.string('view');
  const view = viewName !== undefined ? (await client.getView(viewName)).state : undefined;
  const q: ListDevicesQuery = {};
  if (view?.search) q.search = view.search;
  if (view?.status) q.status = view.status;
  if (view?.collection) q.collection = view.collection;
  if (view?.sort) q.sort = view.sort;
  if (view?.order) q.order = view.order;
  if (view) q.columns = view.columns.join(',');
  const search = opts.string('search');
  if (search !== undefined) q.search = search;
  const status = opts.oneOf('status', DEVICE_STATUSES);
  if (status !== undefined) q.status = status;
  const sort = opts.string('sort');
  if (sort !== undefined)
    q.sort = isInventorySort(sort) ? sort : parseChoice(sort, '--sort', DEVICE_SORTS);
  if (opts.flag('desc')) q.order = 'desc';
  const columns = opts.string('columns');
  if (columns !== undefined) q.columns = parseColumnsFlag(columns).join(',');
  const collection = opts.string('collection');
  // The site takes a collection id; people type names, so resolve it first.
  if (collection !== undefined) q.collection = (await client.getCollection(collection)).id;
  return q;
}

/** `--limit`/`--offset`/`--all` into paging; `--all` walks every page. */
export function paging(opts: Opts): { all: boolean; offset: number; limit: number | undefined } {
  const all = opts.flag('all');
  const limit = opts.int('limit', { min: 1, max: PAGE_SIZE });
  const offset = opts.int('offset', { min: 0 }) ?? 0;
  if (all && (limit !== undefined || offset !== 0))
    throw usageError('--all cannot be combined with --limit or --offset');
  return { all, offset, limit };
}

/** Fetches one page, or every page with `all`, of a paged listing. */
export async function fetchPages<T>(
  page: { all: boolean; offset: number; limit: number | undefined },
  fetchPage: (offset: number, limit: number | undefined) => Promise<{ items: T[]; total: number }>,
): Promise<{ items: T[]; total: number }> {
  if (!page.all) return fetchPage(page.offset, page.limit);
  const items: T[] = [];
  let total = 0;
  for (;;) {
    const res = await fetchPage(items.length, PAGE_SIZE);
    items.push(...res.items);
    total = res.total;
    if (res.items.length === 0 || items.length >= total) break;
  }
  return { items, total };
}

function listingFlags(cmd: Command): Command {
  return cmd
    .option('--limit <n>', 'at most n rows (1-1000)')
    .option('--offset <n>', 'skip the first n rows')
    .option('--all', 'every row (walks all pages)');
}

export function registerDeviceCommands(program: Command, ctx: Ctx): void {
  const device = program.command('device').description('managed devices: list, inspect, act on');
  addDeviceList(device, ctx);
  addDeviceShow(device, ctx);
  addDevicePackages(device, ctx);
  addDeviceHistory(device, ctx);
  addDeviceActions(device, ctx);
  addPrimaryUsers(device, ctx);
  registerDeviceActionCommands(device, ctx);
  registerDeviceScanCommand(device, ctx);
  addDeviceUpgradeStatus(device, ctx);
  addDeviceRevoke(device, ctx);
  addDeviceBulk(device, ctx);
}

function addDeviceList(device: Command, ctx: Ctx): void {
  const list = listingFlags(
    withJson(
      device
        .command('list')
        .description('list devices')
        .option('--search <text>', 'name, IP address, OS or user contains text')
        .option('--collection <name-or-id>', 'members of a collection')
        .option('--status <status>', `one of ${DEVICE_STATUSES.join(', ')}`)
        .option(
          '--sort <field>',
          `sort by ${DEVICE_SORTS.join(', ')} or inventory.<class>.<property>`,
        )
        .option('--desc', 'sort descending')
        .option(
          '--columns <ids>',
          'comma-separated columns, e.g. name,status,serial,freeDisk,inventory.cpu.model',
        )
        .option('--view <name-or-id>', "a saved view's filter, sort and columns (flags override)")
        .option('--csv', 'every matching device as CSV, streamed from the site (the export)'),
    ),
  );
  action(list, async ({ opts }) => {
    const page = paging(opts);
    const client = await ctx.client();
    const query = await deviceQuery(opts, client);
    if (opts.flag('csv')) {
      await streamExport(ctx, ops.exports.devices, { query: { ...query, format: 'csv' } });
      return;
    }
    const res = await fetchPages<DeviceSummary>(page, (offset, limit) =>
      client.listDevices({ ...query, offset, ...(limit !== undefined ? { limit } : {}) }),
    );
    if (opts.flag('json')) {
      ctx.out.json(res);
      return;
    }
    const pageInfo = { total: res.total, offset: page.offset, all: page.all };
    if (query.columns !== undefined) {
      printDeviceColumns(ctx.out, res.items, splitColumnList(query.columns));
      printPageNote(ctx.out, res.items.length, pageInfo);
    } else printDevices(ctx.out, res.items, pageInfo);
  });
}

function addDeviceShow(device: Command, ctx: Ctx): void {
  const show = withJson(
    device.command('show').description('a device with its inventory').argument('<name-or-id>'),
  );
  action(show, async ({ opts, arg }) => {
    const detail = await (await ctx.client()).getDevice(arg(0));
    if (opts.flag('json')) {
      ctx.out.json(detail);
      return;
    }
    printDeviceDetail(ctx.out, detail);
  });
}

function addDevicePackages(device: Command, ctx: Ctx): void {
  const packages = withJson(
    device
      .command('packages')
      .description("a device's installed packages (all of them unless --limit)")
      .argument('<name-or-id>')
      .option('--search <text>', 'package name contains text')
      .option('--limit <n>', 'at most n packages (1-1000)')
      .option('--offset <n>', 'skip the first n packages'),
  );
  action(packages, async ({ opts, arg }) => {
    const client = await ctx.client();
    const search = opts.string('search');
    const limit = opts.int('limit', { min: 1, max: PAGE_SIZE });
    const offset = opts.int('offset', { min: 0 }) ?? 0;
    const page = { all: limit === undefined && offset === 0, offset, limit };
    const res = await fetchPages<DevicePackage>(page, (o, l) =>
      client.devicePackages(arg(0), {
        offset: o,
        ...(l !== undefined ? { limit: l } : {}),
        ...(search !== undefined ? { search } : {}),
      }),
    );
    if (opts.flag('json')) {
      ctx.out.json(res);
      return;
    }
    ctx.out.table(
      [{ header: 'NAME' }, { header: 'VERSION' }, { header: 'ARCH' }, { header: 'MANAGER' }],
      res.items.map((p) => [p.name, p.version, p.arch, p.manager]),
      'No packages.',
    );
    if (res.items.length < res.total)
      ctx.out.note(`Showing ${res.items.length} of ${res.total} packages.`);
  });
}

function addDeviceHistory(device: Command, ctx: Ctx): void {
  const history = withJson(
    device
      .command('history')
      .description("changes to a device's inventory, newest first")
      .argument('<name-or-id>')
      .option('--class <name>', 'only this inventory class')
      .option('--limit <n>', 'at most n changes'),
  );
  action(history, async ({ opts, arg }) => {
    const className = opts.string('class');
    const limit = opts.int('limit', { min: 1, max: 1000 });
    const changes = await (
      await ctx.client()
    ).deviceHistory(arg(0), {
      ...(className !== undefined ? { className } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    if (opts.flag('json')) {
      ctx.out.json(changes);
      return;
    }
    const { out } = ctx;
    const list = (xs: readonly Parameters<typeof summarizeInstance>[0][]): string =>
      xs.length === 0 ? '' : truncate(xs.map(summarizeInstance).join(', '), 200);
    out.table(
      [
        { header: 'WHEN' },
        { header: 'CLASS' },
        { header: 'ADDED', flex: true },
        { header: 'REMOVED', flex: true },
      ],
      changes.map((c) => [
        humanTime(c.at, out.now),
        c.className,
        c.added.length > 0 ? out.style.green(`+${c.added.length} ${list(c.added)}`) : '',
        c.removed.length > 0 ? out.style.red(`-${c.removed.length} ${list(c.removed)}`) : '',
      ]),
      'No inventory changes recorded.',
    );
  });
}

function addDeviceActions(device: Command, ctx: Ctx): void {
  const actions = withJson(
    device
      .command('actions')
      .description('requests sent to a device and their state')
      .argument('<name-or-id>'),
  );
  action(actions, async ({ opts, arg }) => {
    const list = await (await ctx.client()).deviceActions(arg(0));
    if (opts.flag('json')) {
      ctx.out.json(list);
      return;
    }
    ctx.out.table(
      ACTION_COLUMNS,
      list.map((a) => actionRow(a, ctx.out.style, ctx.out.now)),
      'No actions requested.',
    );
  });
}

/** User device affinity: `--set` replaces the administrator's primary users, `--clear` drops them. */
function addPrimaryUsers(device: Command, ctx: Ctx): void {
  const cmd = withJson(
    device
      .command('primary-users')
      .description("a device's primary users (user device affinity); --set or --clear changes them")
      .argument('<name-or-id>')
      .option(
        '--set <user>',
        "a primary user, repeatable: replaces the administrator's list",
        collect,
      )
      .option('--clear', "remove the administrator's primary users"),
  );
  action(cmd, async ({ opts, arg }) => {
    const client = await ctx.client();
    const set = opts.strings('set');
    if (set.length > 0 && opts.flag('clear')) throw usageError('give --set or --clear, not both');
    const users =
      set.length > 0 || opts.flag('clear')
        ? await client.call(ops.primaryUsers.set, {
            params: { id: arg(0) },
            body: { users: set },
          })
        : await client.call(ops.primaryUsers.list, { params: { id: arg(0) } });
    if (opts.flag('json')) {
      ctx.out.json(users);
      return;
    }
    ctx.out.table(
      [
        { header: 'USER' },
        { header: 'SET BY' },
        { header: 'SOURCE' },
        { header: 'SET', flex: true },
      ],
      users.map((u) => [u.userName, u.setBy, u.source, humanTime(u.setAt, ctx.out.now)]),
      'No primary users.',
    );
  });
}

function addDeviceRevoke(device: Command, ctx: Ctx): void {
  const revoke = withJson(
    device
      .command('revoke')
      .description('revoke a device: its key stops working and it must enrol again')
      .argument('<name-or-id>'),
  );
  action(revoke, async ({ opts, arg }) => {
    const revoked = await (await ctx.client()).revokeDevice(arg(0));
    if (opts.flag('json')) {
      ctx.out.json(revoked);
      return;
    }
    ctx.out.line(`Device ${revoked.name} (${revoked.id}) revoked.`);
  });
}
