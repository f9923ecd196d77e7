import { join, resolve } from 'node:path';
import {
  OS_IMAGE_MANIFEST_FILE,
  OsImageManifest,
  ops,
  type ApiClient,
  type OsImage,
  type OsImageBuild,
  type PackageContentStatus,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { CliError, usageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { readJsonDocument } from '../json-file.js';
import { humanTime, orDash } from '../output/format.js';
import { buildStateText, followBuild } from './build-follow.js';
import { byteProgress, hashFile, missingHashes, uploadAll } from './content-upload.js';
import { addDistributeCommand } from './package-content.js';
import { formatBytes } from './software-common.js';

function printImage(ctx: Ctx, i: OsImage): void {
  ctx.out.fields([
    ['OS image', `${i.name} version ${String(i.version)} (${i.id})`],
    ['OS', `${i.os.prettyName} (${i.os.id} ${i.os.versionId}, ${i.os.arch})`],
    ['Source', i.source],
    [
      'File systems',
      i.fileSystems
        .map(
          (f) =>
            `${f.mountpoint} ${f.type}: ${formatBytes(f.usedBytes)} used, ${f.archive} ${formatBytes(f.archiveBytes)} sha256 ${f.sha256}`,
        )
        .join('\n'),
    ],
    ['Size', `${formatBytes(i.archiveBytes)} archived, ${formatBytes(i.usedBytes)} extracted`],
    ['Package', orDash(i.packageId)],
    ['Made', i.madeAt],
    ['Recorded', `${humanTime(i.createdAt, ctx.io.now())} by ${i.createdBy}`],
  ]);
}

function printBuild(ctx: Ctx, b: OsImageBuild): void {
  ctx.out.fields([
    ['Build', b.id],
    [
      'OS image',
      b.osImageVersion === null
        ? b.name
        : `${b.name} version ${String(b.osImageVersion)} (${orDash(b.osImageId)})`,
    ],
    ['Release', `${b.release} (${b.arch}) from ${b.mirror}`],
    ['State', buildStateText(b)],
    ['Debootstrap', b.fromCache ? 'from the cache' : 'run for this build'],
    ['Started', `${humanTime(b.createdAt, ctx.io.now())} by ${b.createdBy}`],
  ]);
}

function printStatus(ctx: Ctx, s: PackageContentStatus): void {
  ctx.out.note(
    `${String(s.targeted)} distribution point(s) targeted, ${String(s.installed)} hold it, ${String(s.distributing)} distributing, ${String(s.failed)} failed`,
  );
  ctx.out.table(
    [{ header: 'DISTRIBUTION POINT' }, { header: 'STATE' }, { header: 'DETAIL', flex: true }],
    s.distributionPoints.map((d) => [d.dpName, d.state, d.message ?? '']),
    'Not distributed to any distribution point.',
  );
}

/**
 * Import, hash-first (ADR 0085): every archive is hashed and checked against the manifest (a
 * copy damaged on the way is refused here, before anything is sent), the archives the library
 * lacks are uploaded, then the manifest records the image.
 */
async function importImage(
  io: CliIo,
  client: ApiClient,
  dir: string,
  name: string | undefined,
): Promise<OsImage> {
  const manifest = await readJsonDocument(
    io,
    join(dir, OS_IMAGE_MANIFEST_FILE),
    OsImageManifest,
    'an OS image manifest',
  );
  const total = manifest.fileSystems.reduce((n, f) => n + f.archiveBytes, 0);
  const progress = byteProgress(io, 'Checking the archives', total);
  try {
    for (const f of manifest.fileSystems) {
      const got = await hashFile(join(dir, f.archive), (n) => progress.add(n));
      if (got.sha256 !== f.sha256 || got.size !== f.archiveBytes)
        throw new CliError(
          'OS_IMAGE_ARCHIVE_MISMATCH',
          `${f.archive} is ${String(got.size)} bytes with SHA-256 ${got.sha256}; the manifest says ${String(f.archiveBytes)} bytes with ${f.sha256}`,
        );
    }
  } finally {
    progress.stop();
  }
  const missing = await missingHashes(
    client,
    manifest.fileSystems.map((f) => f.sha256),
  );
  const toUpload = new Map(
    manifest.fileSystems
      .filter((f) => missing.has(f.sha256))
      .map((f) => [f.sha256, { abs: join(dir, f.archive), size: f.archiveBytes }] as const),
  );
  if (toUpload.size > 0)
    await uploadAll(
      io,
      client,
      toUpload,
      [...toUpload.values()].reduce((n, f) => n + f.size, 0),
    );
  return client.call(ops.osImages.import, {
    body: { manifest, ...(name !== undefined ? { name } : {}) },
  });
}

/** `steward os-image ...`: OS images as site content (issue 11, ADR 0085). */
export function registerOsImageCommands(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('os-image')
    .description('OS images: captured or built images that task sequences apply');

  const imp = withJson(
    cmd
      .command('import')
      .description('import an OS image folder (os-image.json and its archives) into the library')
      .argument('<folder>')
      .option('--name <name>', "record it under this name instead of the manifest's"),
  );
  action(imp, async ({ opts, arg }) => {
    const image = await importImage(
      ctx.io,
      await ctx.client(),
      resolve(ctx.io.cwd, arg(0)),
      opts.string('name'),
    );
    if (opts.flag('json')) ctx.out.json(image);
    else printImage(ctx, image);
  });

  const build = withJson(
    cmd
      .command('build')
      .description(
        'build a default OS image by debootstrap of a Debian release, recorded as the next version of its name (waits, with progress)',
      )
      .requiredOption('--release <release>', 'the Debian release (bookworm, trixie, ...)')
      .option('--name <name>', 'the image name (default "Debian <release>")')
      .option('--arch <arch>', 'amd64 (default) or arm64')
      .option(
        '--mirror <url>',
        "the Debian mirror (default: the site's boot image mirror, else the server's apt sources)",
      )
      .option('--no-wait', 'start the build and return'),
  );
  action(build, async ({ opts }) => {
    const client = await ctx.client();
    const arch = opts.string('arch');
    if (arch !== undefined && arch !== 'amd64' && arch !== 'arm64')
      throw usageError(`--arch: amd64 or arm64, not ${arch}`);
    const name = opts.string('name');
    const mirror = opts.string('mirror');
    let b = await client.call(ops.osImages.build, {
      body: {
        release: opts.string('release') ?? '',
        ...(name !== undefined ? { name } : {}),
        ...(arch !== undefined ? { arch } : {}),
        ...(mirror !== undefined ? { mirror } : {}),
      },
    });
    if (opts.flag('wait'))
      b = await followBuild(ctx, `OS image ${b.name} (${b.release})`, b, (id) =>
        client.call(ops.osImages.getBuild, { params: { id } }),
      );
    if (opts.flag('json')) ctx.out.json(b);
    else printBuild(ctx, b);
    if (b.status === 'failed' || b.status === 'interrupted')
      throw new CliError('OS_IMAGE_BUILD_FAILED', b.progressText);
  });

  action(
    withJson(cmd.command('builds').description('OS image builds, newest first')),
    async ({ opts }) => {
      const list = await (await ctx.client()).call(ops.osImages.listBuilds, {});
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      ctx.out.table(
        [
          { header: 'NAME' },
          { header: 'RELEASE' },
          { header: 'ARCH' },
          { header: 'STATE', flex: true },
          { header: 'VERSION' },
          { header: 'STARTED' },
          { header: 'ID' },
        ],
        list.map((b) => [
          b.name,
          b.release,
          b.arch,
          buildStateText(b),
          b.osImageVersion === null ? '-' : String(b.osImageVersion),
          humanTime(b.createdAt, ctx.io.now()),
          b.id,
        ]),
        'No OS image builds. Start one with `steward os-image build --release bookworm`.',
      );
    },
  );

  action(
    withJson(cmd.command('list').description('OS images, every version')),
    async ({ opts }) => {
      const list = await (await ctx.client()).call(ops.osImages.list, {});
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      ctx.out.table(
        [
          { header: 'NAME' },
          { header: 'VERSION' },
          { header: 'OS' },
          { header: 'ARCH' },
          { header: 'SOURCE' },
          { header: 'SIZE' },
          { header: 'ID', flex: true },
        ],
        list.map((i) => [
          i.name,
          String(i.version),
          i.os.prettyName,
          i.os.arch,
          i.source,
          formatBytes(i.archiveBytes),
          i.id,
        ]),
        'No OS images. Import one with `steward os-image import FOLDER`.',
      );
    },
  );

  action(
    withJson(
      cmd
        .command('show')
        .description('one OS image (id, or name for its newest version) and where it is')
        .argument('<image>'),
    ),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const image = await client.call(ops.osImages.get, { params: { id: arg(0) } });
      const status =
        image.packageId === null
          ? null
          : await client.call(ops.osImages.contentStatus, { params: { id: image.id } });
      if (opts.flag('json')) {
        ctx.out.json({ ...image, distribution: status });
        return;
      }
      printImage(ctx, image);
      if (status) printStatus(ctx, status);
    },
  );

  action(
    cmd.command('delete').description('delete an OS image version').argument('<image>'),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.osImages.delete, { params: { id: arg(0) } });
      ctx.out.note(`deleted ${arg(0)}`);
    },
  );

  addDistributeCommand(cmd, ctx, {
    description: "distribute an OS image's files to distribution points",
    argument: '<image>',
    send: (client, id, targets) =>
      client.call(ops.osImages.distribute, { params: { id }, body: targets }),
    print: (s) => printStatus(ctx, s),
  });
}
