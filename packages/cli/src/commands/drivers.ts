import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ops, type Driver, type DriverSummary } from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { parseList } from '../options.js';
import { humanTime, orDash, plural } from '../output/format.js';

function kib(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${Math.ceil(bytes / 1024)} KiB`
    : `${(bytes / 1048576).toFixed(1)} MiB`;
}

function printDriver(ctx: Ctx, d: Driver): void {
  ctx.out.fields([
    ['Driver', `${d.package} ${d.version} ${d.architecture} (${d.id})`],
    ['Description', orDash(d.description)],
    ['State', d.enabled ? 'enabled' : 'disabled (never matched or applied)'],
    ['Categories', d.categories.length > 0 ? d.categories.join(', ') : '-'],
    ['Package', `${kib(d.size)}, sha256 ${d.sha256}`],
    ['Imported', `${humanTime(d.importedAt, ctx.io.now())} by ${d.importedBy}`],
    ['Firmware', d.firmwareFiles.length > 0 ? d.firmwareFiles.join('\n') : '-'],
  ]);
  ctx.out.table(
    [
      { header: 'MODULE' },
      { header: 'KERNEL' },
      { header: 'ALIASES' },
      { header: 'FIRMWARE', flex: true },
    ],
    d.modules.map((m) => [
      m.name,
      orDash(m.kernelRelease),
      String(m.aliases.length),
      m.firmware.join(', ') || '-',
    ]),
    'No kernel modules (a firmware-only package).',
  );
}

function driverRow(d: DriverSummary, now: Date): string[] {
  return [
    d.package,
    d.version,
    d.enabled ? 'enabled' : 'disabled',
    `${d.moduleCount}/${d.aliasCount}/${d.firmwareCount}`,
    d.categories.join(',') || '-',
    humanTime(d.importedAt, now),
  ];
}

/** `steward driver ...`: the driver catalog of OS deployment (issue 11, ADR 0055). */
export function registerDriverCommands(program: Command, ctx: Ctx): void {
  const driver = program
    .command('driver')
    .description('the driver catalog: kernel module and firmware packages for OS deployment');

  const list = withJson(
    driver
      .command('list')
      .description('drivers in the catalog')
      .option('--search <text>', 'part of the package name, description or a module name')
      .option('--category <name>', 'only drivers of this category')
      .option('--enabled', 'only enabled drivers')
      .option('--disabled', 'only disabled drivers')
      .option('--limit <n>', 'at most this many (default 50)'),
  );
  action(list, async ({ opts }) => {
    if (opts.flag('enabled') && opts.flag('disabled'))
      throw usageError('--enabled and --disabled exclude each other');
    const limit = opts.int('limit', { min: 1, max: 1000 });
    const page = await (
      await ctx.client()
    ).call(ops.drivers.list, {
      query: {
        ...(opts.string('search') !== undefined ? { search: opts.string('search') } : {}),
        ...(opts.string('category') !== undefined ? { category: opts.string('category') } : {}),
        ...(opts.flag('enabled')
          ? { enabled: true }
          : opts.flag('disabled')
            ? { enabled: false }
            : {}),
        ...(limit !== undefined ? { limit } : {}),
      },
    });
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    const now = ctx.io.now();
    ctx.out.table(
      [
        { header: 'PACKAGE' },
        { header: 'VERSION' },
        { header: 'STATE' },
        { header: 'MOD/ALIAS/FW' },
        { header: 'CATEGORIES' },
        { header: 'IMPORTED', flex: true },
      ],
      page.items.map((d) => driverRow(d, now)),
      'No drivers. Import a driver package with `steward driver import <file.deb>`.',
    );
    if (page.total > page.items.length)
      ctx.out.note(`${page.items.length} of ${page.total} shown (--limit)`);
  });

  const imp = withJson(
    driver
      .command('import')
      .description('import a driver package (.deb of kernel modules and/or firmware)')
      .argument('<file.deb>')
      .option('--category <name>', 'a category (repeat for several)', collect)
      .option('--disabled', 'import it disabled (not matched or applied until enabled)'),
  );
  action(imp, async ({ opts, arg }) => {
    const bytes = await readFile(resolve(ctx.io.cwd, arg(0)));
    const client = await ctx.client();
    let d = await client.call(ops.drivers.import, {
      query: opts.flag('disabled') ? { enabled: false } : {},
      raw: { body: bytes, mediaType: 'application/vnd.debian.binary-package' },
    });
    const categories = parseList(opts.strings('category'));
    if (categories.length > 0)
      d = await client.call(ops.drivers.update, { params: { id: d.id }, body: { categories } });
    if (opts.flag('json')) {
      ctx.out.json(d);
      return;
    }
    printDriver(ctx, d);
  });

  action(
    withJson(driver.command('show').description('one driver').argument('<driver>')),
    async ({ opts, arg }) => {
      const d = await (await ctx.client()).call(ops.drivers.get, { params: { id: arg(0) } });
      if (opts.flag('json')) {
        ctx.out.json(d);
        return;
      }
      printDriver(ctx, d);
    },
  );

  const set = withJson(
    driver
      .command('set')
      .description('enable or disable a driver, or set its categories')
      .argument('<driver>')
      .option('--enable', 'match and apply it')
      .option('--disable', 'keep it, never match or apply it')
      .option('--category <name>', 'the categories (repeat; replaces the list)', collect)
      .option('--clear-categories', 'no category at all'),
  );
  action(set, async ({ opts, arg }) => {
    if (opts.flag('enable') && opts.flag('disable'))
      throw usageError('--enable and --disable exclude each other');
    const categories = parseList(opts.strings('category'));
    const clear = opts.flag('clearCategories');
    const body = {
      ...(opts.flag('enable') ? { enabled: true } : opts.flag('disable') ? { enabled: false } : {}),
      ...(categories.length > 0 ? { categories } : clear ? { categories: [] } : {}),
    };
    if (Object.keys(body).length === 0) throw usageError('nothing to set: see --help');
    const d = await (await ctx.client()).call(ops.drivers.update, { params: { id: arg(0) }, body });
    if (opts.flag('json')) {
      ctx.out.json(d);
      return;
    }
    printDriver(ctx, d);
  });

  action(
    driver.command('delete').description('remove a driver from the catalog').argument('<driver>'),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.drivers.delete, { params: { id: arg(0) } });
      ctx.out.note(`driver ${arg(0)} deleted`);
    },
  );

  action(
    withJson(driver.command('categories').description('categories in use')),
    async ({ opts }) => {
      const list = await (await ctx.client()).call(ops.drivers.categories, {});
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      ctx.out.table(
        [{ header: 'CATEGORY' }, { header: 'DRIVERS', flex: true }],
        list.map((c) => [c.name, String(c.drivers)]),
        'No categories.',
      );
    },
  );

  action(
    withJson(
      driver
        .command('match')
        .description("a device's PCI and USB hardware and the enabled drivers that match it")
        .argument('<device>'),
    ),
    async ({ opts, arg }) => {
      const m = await (await ctx.client()).call(ops.drivers.forDevice, { params: { id: arg(0) } });
      if (opts.flag('json')) {
        ctx.out.json(m);
        return;
      }
      if (!m.inventoried) {
        ctx.out.note('this device has reported no PCI or USB inventory yet');
        return;
      }
      ctx.out.table(
        [
          { header: 'BUS' },
          { header: 'HARDWARE' },
          { header: 'IN USE' },
          { header: 'DRIVERS', flex: true },
        ],
        m.hardware.map((h) => [
          h.bus,
          h.name,
          orDash(h.driverInUse),
          h.matches
            .map((x) => `${x.package} ${x.version} (${x.module.split('/').pop() ?? ''})`)
            .join(', ') || '-',
        ]),
        'No PCI or USB hardware with a modalias.',
      );
      const matched = m.hardware.filter((h) => h.matches.length > 0).length;
      ctx.out.note(`${plural(matched, 'item')} of ${m.hardware.length} served by a catalog driver`);
    },
  );
}
