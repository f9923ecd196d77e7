import {
  DEFAULT_VERSIONS_KEPT,
  type CreatePackageRequest,
  type Package,
  type PackagePriority,
  type UpdatePackageRequest,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import type { Opts } from '../options.js';
import { humanTime, orDash, plural } from '../output/format.js';
import { registerPackageContentCommands } from './package-content.js';
import { formatBytes, printDeleted, requireSome } from './software-common.js';

const PRIORITIES: readonly PackagePriority[] = ['high', 'medium', 'low'];

export function registerPackageCommands(program: Command, ctx: Ctx): void {
  const pkg = program
    .command('package')
    .description('software packages: their content versions, distribution and status');
  addList(pkg, ctx);
  addShow(pkg, ctx);
  addCreate(pkg, ctx);
  addUpdate(pkg, ctx);
  addDelete(pkg, ctx);
  addVersions(pkg, ctx);
  addPrune(pkg, ctx);
  addFiles(pkg, ctx);
  registerPackageContentCommands(pkg, ctx);
  const content = program.command('content').description('the content library');
  action(
    withJson(content.command('stats').description('files, bytes and savings of the library')),
    async ({ opts }) => {
      const s = await (await ctx.client()).contentLibrary();
      if (opts.flag('json')) {
        ctx.out.json(s);
        return;
      }
      const saved = s.referencedBytes - s.totalBytes;
      ctx.out.fields([
        ['Files', String(s.fileCount)],
        ['Stored', formatBytes(s.totalBytes)],
        ['Referenced', formatBytes(s.referencedBytes)],
        [
          'Saved',
          `${formatBytes(Math.max(0, saved))} by single-instance storage` +
            (s.referencedBytes > 0 ? ` (${Math.round((saved / s.referencedBytes) * 100)}%)` : ''),
        ],
        ['Package versions', String(s.packageVersionCount)],
      ]);
    },
  );
}

function packageFlags(cmd: Command): Command {
  return cmd
    .option('--publisher <text>', 'who makes the software')
    .option('--version <label>', "the product's own version label (free text)")
    .option('--description <text>', 'what the package is')
    .option('--priority <priority>', `distribution priority: ${PRIORITIES.join(', ')}`);
}

function packageFields(opts: Opts): UpdatePackageRequest {
  const req: UpdatePackageRequest = {};
  const publisher = opts.string('publisher');
  if (publisher !== undefined) req.publisher = publisher;
  const version = opts.string('version');
  if (version !== undefined) req.version = version;
  const description = opts.string('description');
  if (description !== undefined) req.description = description;
  const priority = opts.oneOf('priority', PRIORITIES);
  if (priority !== undefined) req.priority = priority;
  return req;
}

function addList(pkg: Command, ctx: Ctx): void {
  const list = withJson(
    pkg
      .command('list')
      .description('list packages')
      .option('--search <text>', 'names containing this'),
  );
  action(list, async ({ opts }) => {
    const search = opts.string('search');
    const packages = await (await ctx.client()).listPackages(search ? { search } : {});
    if (opts.flag('json')) {
      ctx.out.json(packages);
      return;
    }
    const { out } = ctx;
    out.table(
      [
        { header: 'NAME' },
        { header: 'VERSION' },
        { header: 'PUBLISHER' },
        { header: 'CONTENT', align: 'right' },
        { header: 'FILES', align: 'right' },
        { header: 'SIZE', align: 'right' },
        { header: 'PROGRAMS', align: 'right' },
        { header: 'DPS', align: 'right' },
        { header: 'UPDATED', flex: true },
      ],
      packages.map((p) => [
        p.name,
        orDash(p.version),
        orDash(p.publisher),
        p.currentVersion === null ? 'none' : `v${p.currentVersion.number}`,
        p.currentVersion === null ? '-' : String(p.currentVersion.fileCount),
        p.currentVersion === null ? '-' : formatBytes(p.currentVersion.sizeBytes),
        String(p.programCount),
        `${p.dpInstalled}/${p.dpTargeted}`,
        humanTime(p.updatedAt, out.now),
      ]),
      'No packages.',
    );
  });
}

export function printPackage(ctx: Ctx, p: Package): void {
  const { out } = ctx;
  const v = p.currentVersion;
  out.heading(p.name);
  out.fields([
    ['Id', p.id],
    ['Publisher', orDash(p.publisher)],
    ['Version', orDash(p.version)],
    ['Description', orDash(p.description)],
    ['Priority', p.priority],
    [
      'Content',
      v === null
        ? 'none yet: run "steward package import"'
        : `v${v.number}, ${plural(v.fileCount, 'file')}, ${formatBytes(v.sizeBytes)} (from ${v.source}, ${humanTime(v.createdAt, out.now)} by ${v.createdBy})`,
    ],
    ['Programs', String(p.programCount)],
    ['Distribution points', `${p.dpInstalled} of ${p.dpTargeted} hold the current version`],
    ['Created', humanTime(p.createdAt, out.now)],
    ['Updated', humanTime(p.updatedAt, out.now)],
  ]);
}

function addShow(pkg: Command, ctx: Ctx): void {
  action(
    withJson(pkg.command('show').description('a package').argument('<name-or-id>')),
    async ({ opts, arg }) => {
      const p = await (await ctx.client()).getPackage(arg(0));
      if (opts.flag('json')) {
        ctx.out.json(p);
        return;
      }
      printPackage(ctx, p);
    },
  );
}

function addCreate(pkg: Command, ctx: Ctx): void {
  const create = withJson(
    packageFlags(pkg.command('create').description('create a package').argument('<name>')),
  );
  action(create, async ({ opts, arg }) => {
    const req: CreatePackageRequest = { name: arg(0), ...packageFields(opts) };
    const created = await (await ctx.client()).createPackage(req);
    if (opts.flag('json')) {
      ctx.out.json(created);
      return;
    }
    ctx.out.line(
      `Package ${created.name} created. Add content with "steward package import ${created.name} --from DIR".`,
    );
  });
}

function addUpdate(pkg: Command, ctx: Ctx): void {
  const update = withJson(
    packageFlags(
      pkg
        .command('update')
        .description('change a package (its content changes with "package import")')
        .argument('<name-or-id>')
        .option('--new-name <name>', 'rename the package'),
    ),
  );
  action(update, async ({ opts, arg }) => {
    const req = packageFields(opts);
    const name = opts.string('newName');
    if (name !== undefined) req.name = name;
    requireSome(req);
    const updated = await (await ctx.client()).updatePackage(arg(0), req);
    if (opts.flag('json')) {
      ctx.out.json(updated);
      return;
    }
    ctx.out.line(`Package ${updated.name} updated.`);
  });
}

function addDelete(pkg: Command, ctx: Ctx): void {
  action(
    withJson(
      pkg
        .command('delete')
        .description(
          'delete a package, its programs and versions (content no longer used is removed)',
        )
        .argument('<name-or-id>'),
    ),
    async ({ opts, arg }) => {
      await (await ctx.client()).deletePackage(arg(0));
      printDeleted(ctx, opts.flag('json'), 'Package', arg(0));
    },
  );
}

function addVersions(pkg: Command, ctx: Ctx): void {
  action(
    withJson(
      pkg
        .command('versions')
        .description('content versions of a package (the highest is current)')
        .argument('<name-or-id>'),
    ),
    async ({ opts, arg }) => {
      const versions = await (await ctx.client()).packageVersions(arg(0));
      if (opts.flag('json')) {
        ctx.out.json(versions);
        return;
      }
      const { out } = ctx;
      out.table(
        [
          { header: 'VERSION', align: 'right' },
          { header: 'CURRENT' },
          { header: 'FILES', align: 'right' },
          { header: 'SIZE', align: 'right' },
          { header: 'SOURCE' },
          { header: 'CREATED' },
          { header: 'BY', flex: true },
        ],
        versions.map((v) => [
          `v${v.number}`,
          v.current ? out.style.green('current') : '',
          String(v.fileCount),
          formatBytes(v.sizeBytes),
          v.source,
          humanTime(v.createdAt, out.now),
          v.createdBy,
        ]),
        'No content versions yet: run "steward package import".',
      );
    },
  );
}

function addPrune(pkg: Command, ctx: Ctx): void {
  action(
    withJson(
      pkg
        .command('prune')
        .description('delete old content versions; files no version uses are freed')
        .argument('<name-or-id>')
        .option(
          '--keep <n>',
          `versions to keep, newest first (default ${DEFAULT_VERSIONS_KEPT}; the current one always)`,
        ),
    ),
    async ({ opts, arg }) => {
      const keep = opts.int('keep', { min: 1 });
      const kept = await (await ctx.client()).pruneVersions(arg(0), keep);
      if (opts.flag('json')) {
        ctx.out.json(kept);
        return;
      }
      ctx.out.line(
        `Kept ${kept.length} version${kept.length === 1 ? '' : 's'}: ${kept.map((v) => `v${v.number}`).join(', ')}. Unused files are removed by the next library clean-up.`,
      );
    },
  );
}

function addFiles(pkg: Command, ctx: Ctx): void {
  const files = withJson(
    pkg
      .command('files')
      .description('the files of a content version (the current one by default)')
      .argument('<name-or-id>')
      .option('--version <n>', 'this content version number'),
  );
  action(files, async ({ opts, arg }) => {
    const client = await ctx.client();
    let number = opts.int('version', { min: 1 });
    if (number === undefined) {
      const p = await client.getPackage(arg(0));
      if (p.currentVersion === null) {
        if (opts.flag('json')) {
          ctx.out.json([]);
          return;
        }
        ctx.out.note(`Package ${p.name} has no content yet.`);
        return;
      }
      number = p.currentVersion.number;
    }
    const entries = await client.packageVersionFiles(arg(0), number);
    if (opts.flag('json')) {
      ctx.out.json(entries);
      return;
    }
    ctx.out.table(
      [
        { header: 'MODE' },
        { header: 'SIZE', align: 'right' },
        { header: 'SHA-256' },
        { header: 'PATH', flex: true },
      ],
      entries.map((e) => [
        e.mode.toString(8).padStart(4, '0'),
        formatBytes(e.size),
        e.sha256.slice(0, 12),
        e.path,
      ]),
      'No files.',
    );
  });
}
