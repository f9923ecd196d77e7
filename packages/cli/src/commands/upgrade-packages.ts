import {
  MAX_UPGRADE_DOWNTIME_MINUTES,
  ops,
  type UpgradePackage,
  type UpgradePackageBody,
  type UpgradeSource,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { humanTime, orDash } from '../output/format.js';
import { readKeyring } from './updates.js';

/** `bookworm/12` → a release; the site checks the code name and version. */
function release(text: string, flag: string): UpgradePackageBody['targetRelease'] {
  const [codename, version, ...rest] = text.split('/');
  if (!codename || !version || rest.length > 0)
    throw usageError(`${flag} takes CODENAME/VERSION (bookworm/12), not "${text}"`);
  return { codename, version };
}

/** `URL SUITE COMPONENT...` (a sources.list line without `deb`). */
function source(text: string): UpgradeSource {
  const [url, suite, ...components] = text.trim().split(/\s+/);
  if (!url || !suite || components.length === 0)
    throw usageError(`--source takes "URL SUITE COMPONENT..." , not "${text}"`);
  return { url, suite, components };
}

const releaseText = (r: { codename: string; version: string }) => `${r.codename} (${r.version})`;

function printPackage(ctx: Ctx, p: UpgradePackage): void {
  ctx.out.fields([
    ['Upgrade package', `${p.name} (${p.id})`],
    ['Description', orDash(p.description)],
    ['From', releaseText(p.fromRelease)],
    ['To', releaseText(p.targetRelease)],
    ['Sources', p.sources.map((s) => `${s.url} ${s.suite} ${s.components.join(' ')}`).join('\n')],
    ['Keyring', `${String(p.keyringBytes)} bytes`],
    ['Allowed removals', p.options.allowedRemovals.join(', ') || 'none'],
    ['Download first', p.options.downloadOnlyFirst ? 'yes' : 'no'],
    ['Free space needed', `${String(p.options.freeSpaceMiB)} MiB`],
    ['Maximum downtime', `${String(p.options.maxDowntimeMinutes)} min`],
    ['Used by', p.usedBy.map((u) => u.name).join(', ') || '-'],
    ['Updated', `${humanTime(p.updatedAt, ctx.io.now())} by ${p.updatedBy}`],
  ]);
}

/** `steward upgrade-package ...`: in-place release upgrades (issue 11, ADR 0102). */
export function registerUpgradePackageCommands(program: Command, ctx: Ctx): void {
  const up = program
    .command('upgrade-package')
    .description(
      'upgrade packages: in-place release upgrades run by upgrade-os task-sequence steps',
    );

  const list = withJson(
    up
      .command('list')
      .description('upgrade packages')
      .option('--search <text>', 'part of the name'),
  );
  action(list, async ({ opts }) => {
    const search = opts.string('search');
    const page = await (
      await ctx.client()
    ).call(ops.upgradePackages.list, { query: search !== undefined ? { search } : {} });
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    const now = ctx.io.now();
    ctx.out.table(
      [{ header: 'NAME' }, { header: 'FROM' }, { header: 'TO' }, { header: 'UPDATED', flex: true }],
      page.items.map((p) => [
        p.name,
        releaseText(p.fromRelease),
        releaseText(p.targetRelease),
        humanTime(p.updatedAt, now),
      ]),
      'No upgrade packages. `steward upgrade-package create --help` says how to make one.',
    );
  });

  action(
    withJson(up.command('show').description('one upgrade package').argument('<package>')),
    async ({ opts, arg }) => {
      const p = await (
        await ctx.client()
      ).call(ops.upgradePackages.get, { params: { id: arg(0) } });
      if (opts.flag('json')) {
        ctx.out.json(p);
        return;
      }
      printPackage(ctx, p);
    },
  );

  const create = withJson(
    up
      .command('create')
      .description('create an upgrade package')
      .requiredOption('--name <name>', 'its name')
      .option('--description <text>', 'what it is for')
      .requiredOption('--from <codename/version>', 'the release machines run now (bookworm/12)')
      .requiredOption('--to <codename/version>', 'the target release (trixie/13)')
      .requiredOption(
        '--source <"URL SUITE COMPONENT...">',
        'an apt source of the target (repeat)',
        collect,
      )
      .requiredOption(
        '--keyring <file>',
        'the target archive keyring (armoured .asc or binary .gpg)',
      )
      .option(
        '--allow-removal <package>',
        'a package (or glob) the upgrade may remove (repeat)',
        collect,
      )
      .option('--no-download-first', 'do not download every package before installing')
      .option('--free-space-mib <n>', 'free space needed under /var')
      .option('--max-downtime-minutes <n>', 'the allowed length of the installation phase'),
  );
  action(create, async ({ opts }) => {
    const freeSpace = opts.int('freeSpaceMib', { min: 1, max: 1_048_576 });
    const downtime = opts.int('maxDowntimeMinutes', { min: 1, max: MAX_UPGRADE_DOWNTIME_MINUTES });
    const description = opts.string('description');
    const body: UpgradePackageBody = {
      name: opts.requiredString('name'),
      ...(description !== undefined ? { description } : {}),
      fromRelease: release(opts.requiredString('from'), '--from'),
      targetRelease: release(opts.requiredString('to'), '--to'),
      sources: opts.strings('source').map(source),
      keyring: await readKeyring(ctx, opts.requiredString('keyring')),
      options: {
        allowedRemovals: opts.strings('allowRemoval'),
        downloadOnlyFirst: opts.flag('downloadFirst'),
        ...(freeSpace !== undefined ? { freeSpaceMiB: freeSpace } : {}),
        ...(downtime !== undefined ? { maxDowntimeMinutes: downtime } : {}),
      },
    };
    const p = await (await ctx.client()).call(ops.upgradePackages.create, { body });
    if (opts.flag('json')) {
      ctx.out.json(p);
      return;
    }
    printPackage(ctx, p);
  });

  action(
    up
      .command('delete')
      .description('delete an upgrade package (not while a task sequence uses it)')
      .argument('<package>'),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.upgradePackages.delete, { params: { id: arg(0) } });
      ctx.out.note(`upgrade package ${arg(0)} deleted`);
    },
  );
}
