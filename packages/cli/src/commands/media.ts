import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MEDIA_KINDS, mediaFileName, ops, type MediaKind, type Media } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { formatMegabytes, humanTime, orDash } from '../output/format.js';
import { createProgress } from '../output/progress.js';
import { buildStateText, followBuild } from './build-follow.js';

/** The rows only some kinds have: the sequence, the OS image, the captured image's name. */
function optionalFields(m: Media): [string, string][] {
  const rows: [string, string][] = [];
  if (m.taskSequenceId !== null)
    rows.push([
      'Task sequence',
      `${m.taskSequenceName ?? ''} version ${String(m.taskSequenceVersion)} (${m.taskSequenceId})`,
    ]);
  if (m.osImageId !== null)
    rows.push([
      'OS image',
      `${m.osImageName ?? ''} version ${String(m.osImageVersion)} (${m.osImageId})`,
    ]);
  if (m.captureImageName !== null) rows.push(['Captures as', m.captureImageName]);
  // The key capture media present to the site (ADR 0107); deleting the media ends it at once.
  if (m.captureKeyExpiresAt !== null) rows.push(['Capture key until', m.captureKeyExpiresAt]);
  return rows;
}

function printMedia(ctx: Ctx, m: Media): void {
  ctx.out.fields([
    ['Media', `${m.name} (${m.kind}, ${m.id})`],
    ['State', buildStateText(m)],
    ['Boot image', `${m.bootImageName} version ${String(m.bootImageVersion)} (${m.bootImageId})`],
    ['Site URL', m.siteUrl],
    ['Kernel args', m.kernelArgs],
    ...optionalFields(m),
    ['Password', m.passwordProtected ? 'asked before anything runs' : 'none'],
    ['Content', m.contentBytes === null ? '-' : formatMegabytes(m.contentBytes / 1e6)],
    [
      m.kind === 'prestaged' ? 'Disk image' : 'ISO image',
      m.size === null ? '-' : `${formatMegabytes(m.size / 1e6)} sha256 ${orDash(m.sha256)}`,
    ],
    ['Created', `${humanTime(m.createdAt, ctx.io.now())} by ${m.createdBy}`],
  ]);
}

/** `steward media ...`: task-sequence media, ISO images that boot a boot image (ADR 0089). */
export function registerMediaCommands(program: Command, ctx: Ctx): void {
  const cmd = program
    .command('media')
    .description(
      'task-sequence media: ISO images (CD or USB) and prestaged disk images that boot a boot image',
    );

  const create = withJson(
    cmd
      .command('create')
      .description('build task-sequence media from a boot image (waits, with progress)')
      .argument('<name>', 'the media name (letters, digits, . _ -)')
      .requiredOption('--boot-image <image>', 'a boot image id, or a name for its newest version')
      .option(
        '--kind <kind>',
        `${MEDIA_KINDS.join(', ')} (default bootable: content comes over the network)`,
      )
      .option('--task-sequence <sequence>', 'standalone: the task sequence (id or name) to carry')
      .option('--os-image <image>', 'prestaged: the OS image id to apply on the disk image')
      .option('--capture-image-name <name>', 'capture: the name captured images are recorded as')
      .option(
        '--password-file <file>',
        'a file whose first line is the password the boot environment asks for (8-128 characters)',
      )
      .option('--site-url <url>', 'the site URL the boot environment contacts (https://...)')
      .option('--kernel-args <args>', 'kernel arguments added after the boot image’s own')
      .option('--no-wait', 'start the build and return'),
  );
  action(create, async ({ opts, arg }) => {
    const client = await ctx.client();
    const kindArg = opts.string('kind') ?? 'bootable';
    const kind = MEDIA_KINDS.find((k): k is MediaKind => k === kindArg);
    if (kind === undefined) throw usageError(`--kind is one of ${MEDIA_KINDS.join(', ')}`);
    const passwordFile = opts.string('passwordFile');
    // Read from a file, never from the command line (which other users see in ps).
    const password =
      passwordFile === undefined
        ? undefined
        : (await readFile(resolve(ctx.io.cwd, passwordFile), 'utf8')).split('\n')[0];
    const optional = {
      siteUrl: opts.string('siteUrl'),
      kernelArgs: opts.string('kernelArgs'),
      taskSequence: opts.string('taskSequence'),
      osImage: opts.string('osImage'),
      captureImageName: opts.string('captureImageName'),
      password,
    };
    let m = await client.call(ops.media.create, {
      body: {
        name: arg(0),
        kind,
        bootImage: opts.string('bootImage') ?? '',
        ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
      },
    });
    if (opts.flag('wait'))
      m = await followBuild(ctx, `media ${m.name}`, m, (id) =>
        client.call(ops.media.get, { params: { id } }),
      );
    if (opts.flag('json')) ctx.out.json(m);
    else printMedia(ctx, m);
    if (m.status === 'failed') throw new CliError('MEDIA_BUILD_FAILED', m.progressText);
  });

  action(withJson(cmd.command('list').description('task-sequence media')), async ({ opts }) => {
    const list = await (await ctx.client()).call(ops.media.list, {});
    if (opts.flag('json')) {
      ctx.out.json(list);
      return;
    }
    ctx.out.table(
      [
        { header: 'NAME' },
        { header: 'KIND' },
        { header: 'STATE' },
        { header: 'BOOT IMAGE' },
        { header: 'SIZE' },
        { header: 'ID', flex: true },
      ],
      list.map((m) => [
        m.name,
        m.kind,
        m.status === 'building' ? `building ${String(m.progress)}%` : m.status,
        `${m.bootImageName} ${String(m.bootImageVersion)}`,
        m.size === null ? '-' : formatMegabytes(m.size / 1e6),
        m.id,
      ]),
      'No media. Build some with `steward media create NAME --boot-image IMAGE`.',
    );
  });

  action(
    withJson(cmd.command('show').description('one media (id or name)').argument('<media>')),
    async ({ opts, arg }) => {
      const m = await (await ctx.client()).call(ops.media.get, { params: { id: arg(0) } });
      if (opts.flag('json')) ctx.out.json(m);
      else printMedia(ctx, m);
    },
  );

  action(cmd.command('delete').description('delete media').argument('<media>'), async ({ arg }) => {
    await (await ctx.client()).call(ops.media.delete, { params: { id: arg(0) } });
    ctx.out.note(`deleted ${arg(0)}`);
  });

  const download = cmd
    .command('download')
    .description('download the media’s image file (checked against its SHA-256)')
    .argument('<media>')
    .option(
      '-o, --output <file>',
      'where to write it (default <name>.iso, <name>.img if prestaged)',
    );
  action(download, async ({ opts, arg }) => {
    const client = await ctx.client();
    const m = await client.call(ops.media.get, { params: { id: arg(0) } });
    const res = await client.fileResponse(ops.media.file, { params: { id: m.id } });
    if (!res.body) throw new CliError('BAD_RESPONSE', 'the site sent no image file');
    const out = resolve(ctx.io.cwd, opts.string('output') ?? mediaFileName(m));
    const partial = `${out}.partial`;
    const progress = createProgress(ctx.io, { title: `media ${m.name}`, total: m.size ?? 0 });
    const hash = createHash('sha256');
    let done = 0;
    let sha256 = '';
    const count = new Transform({
      transform(chunk: Buffer, _enc, next) {
        hash.update(chunk);
        done += chunk.length;
        progress.update('downloading', done);
        next(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body), count, createWriteStream(partial));
      sha256 = hash.digest('hex');
      if (sha256 !== m.sha256)
        throw new CliError('BAD_RESPONSE', `the download's SHA-256 ${sha256} is not the media's`);
      await rename(partial, out);
      progress.stop(`wrote ${out}`);
    } catch (err) {
      progress.stop();
      await rm(partial, { force: true });
      throw err;
    }
    ctx.out.note(`${out}: ${String(done)} bytes, sha256 ${sha256}`);
  });
}
