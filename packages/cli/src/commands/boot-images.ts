import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ops, type BootImage, type BootImageArch } from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { parseList } from '../options.js';
import { humanTime, orDash } from '../output/format.js';
import { buildStateText, followBuild } from './build-follow.js';
import { addDistributeCommand } from './package-content.js';

function printImage(ctx: Ctx, b: BootImage): void {
  ctx.out.fields([
    ['Boot image', `${b.name} version ${String(b.version)} (${b.arch}, ${b.id})`],
    ['State', buildStateText(b)],
    ['Debian', `${b.suite} from ${b.mirror}`],
    ['Extra packages', b.extraPackages.join(', ') || '-'],
    ['Drivers', b.driverIds.join(', ') || '-'],
    ['Site URL', b.siteUrl],
    ['Package', orDash(b.packageId)],
    [
      'Files',
      b.files.map((f) => `${f.name} ${String(f.size)} bytes sha256 ${f.sha256}`).join('\n') || '-',
    ],
    ['Kernel args', b.kernelArgs],
    ['Created', `${humanTime(b.createdAt, ctx.io.now())} by ${b.createdBy}`],
  ]);
}

function arch(value: string | undefined): BootImageArch | undefined {
  if (value === undefined || value === 'amd64' || value === 'arm64') return value;
  throw usageError('--arch is amd64 or arm64');
}

/** `steward boot-image ...`: boot images of OS deployment (issue 11, ADR 0065). */
export function registerBootImageCommands(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('boot-image')
    .description('boot images: the Linux boot environment of OS deployment');

  const build = withJson(
    cmd
      .command('build')
      .description(
        'build the next version of a boot image from Debian packages (waits, with progress)',
      )
      .option('--name <name>', 'the image name (default default-<arch>)')
      .option('--arch <arch>', 'amd64 (default) or arm64')
      .option('--package <name>', 'an extra Debian package (repeat)', collect)
      .option('--driver <id>', 'a driver of the catalog to add (repeat)', collect)
      .option('--no-wait', 'start the build and return'),
  );
  action(build, async ({ opts }) => {
    const client = await ctx.client();
    const a = arch(opts.string('arch'));
    const packages = parseList(opts.strings('package'));
    const drivers = parseList(opts.strings('driver'));
    let b = await client.call(ops.bootImages.build, {
      body: {
        ...(opts.string('name') !== undefined ? { name: opts.string('name') } : {}),
        ...(a ? { arch: a } : {}),
        ...(packages.length ? { extraPackages: packages } : {}),
        ...(drivers.length ? { driverIds: drivers } : {}),
      },
    });
    if (opts.flag('wait'))
      b = await followBuild(ctx, `boot image ${b.name} ${String(b.version)}`, b, (id) =>
        client.call(ops.bootImages.get, { params: { id } }),
      );
    if (opts.flag('json')) ctx.out.json(b);
    else printImage(ctx, b);
    if (b.status === 'failed') throw new CliError('BOOT_IMAGE_BUILD_FAILED', b.progressText);
  });

  action(
    withJson(cmd.command('list').description('boot images, every version')),
    async ({ opts }) => {
      const list = await (await ctx.client()).call(ops.bootImages.list, {});
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      ctx.out.table(
        [
          { header: 'NAME' },
          { header: 'VERSION' },
          { header: 'ARCH' },
          { header: 'STATE' },
          { header: 'ID', flex: true },
        ],
        list.map((b) => [
          b.name,
          String(b.version),
          b.arch,
          b.status === 'building' ? `building ${String(b.progress)}%` : b.status,
          b.id,
        ]),
        'No boot images. Build one with `steward boot-image build`.',
      );
    },
  );

  action(
    withJson(
      cmd
        .command('show')
        .description('one boot image (id, or name for its newest version)')
        .argument('<image>'),
    ),
    async ({ opts, arg }) => {
      const b = await (await ctx.client()).call(ops.bootImages.get, { params: { id: arg(0) } });
      if (opts.flag('json')) ctx.out.json(b);
      else printImage(ctx, b);
    },
  );

  action(
    cmd.command('delete').description('delete a boot image version').argument('<image>'),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.bootImages.delete, { params: { id: arg(0) } });
      ctx.out.note(`deleted ${arg(0)}`);
    },
  );

  addDistributeCommand(cmd, ctx, {
    description: "distribute a boot image's files to distribution points",
    argument: '<image>',
    send: (client, id, targets) =>
      client.call(ops.bootImages.distribute, { params: { id }, body: targets }),
    print: (s) =>
      ctx.out.note(
        `${String(s.targeted)} distribution point(s) targeted, ${String(s.installed)} hold it`,
      ),
  });

  const settings = withJson(
    cmd
      .command('settings')
      .description('where boot images are built from (no option: show)')
      .option('--mirror <url>', 'the Debian mirror URL (http://mirror.example.org/debian)')
      .option('--suite <suite>', 'the Debian suite (default bookworm)'),
  );
  action(settings, async ({ opts }) => {
    const client = await ctx.client();
    const mirror = opts.string('mirror');
    const suite = opts.string('suite');
    const s =
      mirror === undefined && suite === undefined
        ? await client.call(ops.bootImages.settings, {})
        : await client.call(ops.bootImages.updateSettings, {
            body: {
              ...(mirror !== undefined ? { mirror } : {}),
              ...(suite !== undefined ? { suite } : {}),
            },
          });
    if (opts.flag('json')) ctx.out.json(s);
    else
      ctx.out.fields([
        ['Mirror', s.mirror || '(not set)'],
        ['Suite', s.suite],
      ]);
  });

  registerComputerCommands(program, ctx);
}

function variables(values: string[]): Record<string, string> {
  return Object.fromEntries(
    values.map((v) => {
      const i = v.indexOf('=');
      if (i <= 0) throw usageError(`--var takes NAME=VALUE, not ${v}`);
      return [v.slice(0, i), v.slice(i + 1)];
    }),
  );
}

/** `steward imported-computer ...` and `steward unknown-computer ...`. */
function registerComputerCommands(program: Command, ctx: Ctx): void {
  const imp = program
    .command('imported-computer')
    .description('computers imported by MAC / SMBIOS UUID before they boot');
  action(withJson(imp.command('list').description('imported computers')), async ({ opts }) => {
    const list = await (await ctx.client()).call(ops.importedComputers.list, {});
    if (opts.flag('json')) {
      ctx.out.json(list);
      return;
    }
    ctx.out.table(
      [
        { header: 'NAME' },
        { header: 'MAC' },
        { header: 'SMBIOS UUID' },
        { header: 'LAST BOOT', flex: true },
      ],
      list.map((c) => [
        c.name,
        orDash(c.mac),
        orDash(c.smbiosUuid),
        c.lastBootAt ? humanTime(c.lastBootAt, ctx.io.now()) : 'never (not yet enrolled)',
      ]),
      'No imported computers.',
    );
  });
  const add = withJson(
    imp
      .command('add')
      .description('import one computer')
      .argument('<name>')
      .option('--mac <mac>', 'its MAC address')
      .option('--smbios-uuid <uuid>', 'its SMBIOS UUID')
      .option('--var <name=value>', 'a task-sequence variable (repeat)', collect),
  );
  action(add, async ({ opts, arg }) => {
    const mac = opts.string('mac');
    const uuid = opts.string('smbios-uuid');
    const vars = variables(opts.strings('var'));
    const c = await (
      await ctx.client()
    ).call(ops.importedComputers.create, {
      body: {
        name: arg(0),
        ...(mac !== undefined ? { mac } : {}),
        ...(uuid !== undefined ? { smbiosUuid: uuid } : {}),
        ...(Object.keys(vars).length ? { variables: vars } : {}),
      },
    });
    if (opts.flag('json')) ctx.out.json(c);
    else ctx.out.note(`imported ${c.name} (${c.id})`);
  });
  action(
    withJson(
      imp
        .command('import')
        .description('import computers from CSV (name,mac,smbiosUuid,VARIABLE...)')
        .argument('<file.csv>'),
    ),
    async ({ opts, arg }) => {
      const csv = await readFile(resolve(ctx.io.cwd, arg(0)), 'utf8');
      const r = await (await ctx.client()).call(ops.importedComputers.importCsv, { body: { csv } });
      if (opts.flag('json')) ctx.out.json(r);
      else ctx.out.note(`imported ${String(r.imported.length)} computer(s)`);
    },
  );
  action(
    imp.command('delete').description('remove an imported computer').argument('<name or id>'),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.importedComputers.delete, { params: { id: arg(0) } });
      ctx.out.note(`deleted ${arg(0)}`);
    },
  );

  const unk = program
    .command('unknown-computer')
    .description('computers that started a boot image and the site does not know');
  action(withJson(unk.command('list').description('unknown computers')), async ({ opts }) => {
    const list = await (await ctx.client()).call(ops.unknownComputers.list, {});
    if (opts.flag('json')) {
      ctx.out.json(list);
      return;
    }
    ctx.out.table(
      [
        { header: 'SMBIOS UUID' },
        { header: 'MACS' },
        { header: 'ARCH' },
        { header: 'FIRMWARE' },
        { header: 'LAST SEEN', flex: true },
      ],
      list.map((c) => [
        orDash(c.smbiosUuid),
        c.macs.join(' '),
        c.arch,
        c.firmware,
        humanTime(c.lastSeen, ctx.io.now()),
      ]),
      'No unknown computers.',
    );
  });
  action(
    unk.command('delete').description('forget an unknown computer').argument('<id>'),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.unknownComputers.delete, { params: { id: arg(0) } });
      ctx.out.note(`deleted ${arg(0)}`);
    },
  );
}
