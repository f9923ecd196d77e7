import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  ApiError,
  ErrorCode,
  type ApiClient,
  type Package,
  type PackageContentStatus,
  type PackageVersion,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { CliError, errorMessage, usageError } from '../errors.js';
import { interruptController } from '../io.js';
import { formatDuration, humanTime, orDash, plural } from '../output/format.js';
import { createProgress } from '../output/progress.js';
import { archiveKind, importArchive, importFolder } from './content-upload.js';
import { formatBytes, lookup, namingFlags, paintState, percentText } from './software-common.js';

const POLL_MS = 2000;

/** Content of a package: import, distribute, status, validate, remove from a DP. */
export function registerPackageContentCommands(pkg: Command, ctx: Ctx): void {
  addImport(pkg, ctx);
  addDistribute(pkg, ctx);
  addStatus(pkg, ctx);
  addValidate(pkg, ctx);
  addRemoveDp(pkg, ctx);
}

type Source =
  | { kind: 'folder'; path: string }
  | { kind: 'archive'; path: string; size: number; gzip: boolean }
  | { kind: 'server'; path: string };

/** Checks the source before any request: exactly one of --from / --server-path, and what it is. */
async function readSource(
  cwd: string,
  from: string | undefined,
  serverPath: string | undefined,
): Promise<Source> {
  if ((from === undefined) === (serverPath === undefined))
    throw usageError('give exactly one of --from DIR|ARCHIVE and --server-path PATH');
  if (serverPath !== undefined) return { kind: 'server', path: serverPath };
  const path = resolve(cwd, from ?? '');
  let s;
  try {
    s = await stat(path);
  } catch (err) {
    throw new CliError('SOURCE_NOT_FOUND', `--from ${from ?? ''}: ${errorMessage(err)}`);
  }
  if (s.isDirectory()) return { kind: 'folder', path };
  const gzip = archiveKind(path);
  if (!s.isFile() || gzip === undefined)
    throw usageError(
      `--from must be a folder or a .tar, .tar.gz or .tgz archive; got "${from ?? ''}"`,
    );
  return { kind: 'archive', path, size: s.size, gzip };
}

async function packageFor(ctx: Ctx, client: ApiClient, name: string, create: boolean) {
  try {
    return await client.getPackage(name);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === ErrorCode.PACKAGE_NOT_FOUND)) throw err;
    if (!create)
      throw new CliError(err.code, `${err.message} (add --create to create the package)`);
    const created = await client.createPackage({ name });
    ctx.out.note(`Package ${created.name} created.`);
    return created;
  }
}

function addImport(pkg: Command, ctx: Ctx): void {
  const cmd = withJson(
    pkg
      .command('import')
      .description(
        'make a new content version: a folder (only new files are uploaded), a .tar/.tar.gz/.tgz archive, or a folder on the site server',
      )
      .argument('<name-or-id>')
      .option('--from <dir-or-archive>', 'a folder or an archive on this machine')
      .option('--server-path <path>', 'a folder on the site server (the package source)')
      .option('--create', 'create the package first when it does not exist')
      .option('--force', 'make a new version even when the folder matches the current one'),
  );
  action(cmd, async ({ opts, arg }) => {
    const source = await readSource(ctx.io.cwd, opts.string('from'), opts.string('serverPath'));
    const client = await ctx.client();
    const p: Package = await packageFor(ctx, client, arg(0), opts.flag('create'));
    const { out } = ctx;
    let version: PackageVersion;
    switch (source.kind) {
      case 'folder': {
        const r = await importFolder(ctx.io, client, p, source.path, { force: opts.flag('force') });
        for (const s of r.skipped)
          out.warn(`skipped ${s}: not a regular file (links are not followed)`);
        version = r.version;
        if (r.unchanged) {
          if (opts.flag('json')) {
            out.json(version);
            return;
          }
          out.line(
            `Package ${p.name} content v${version.number} already holds these files: no new version (--force makes one).`,
          );
          return;
        }
        if (!opts.flag('json'))
          out.note(
            `Uploaded ${plural(r.uploadedFiles, 'new file')} (${formatBytes(r.uploadedBytes)}); ` +
              `${plural(r.files - r.uploadedFiles, 'file')} already in the library or repeated.`,
          );
        break;
      }
      case 'archive':
        version = await importArchive(ctx.io, client, p.id, source.path, source.size, source.gzip);
        break;
      case 'server':
        version = await client.createVersionFromFolder(p.id, source.path);
        break;
    }
    if (opts.flag('json')) {
      out.json(version);
      return;
    }
    out.line(
      `Package ${p.name} is now at content v${version.number}: ${plural(version.fileCount, 'file')}, ${formatBytes(version.sizeBytes)}.`,
    );
    if (p.dpTargeted > 0)
      out.note(
        `Distribution points targeted with ${p.name} (${p.dpTargeted}) fetch the new version by themselves.`,
      );
  });
}

/** Where a `distribute` command sends content: DPs and DP groups, each by id or unique name. */
export interface DpTargets {
  dpIds?: string[];
  dpGroupIds?: string[];
}

/**
 * One `distribute` command (a package, an agent version, a boot image, an OS image): the object
 * argument, the DP target options (`--dp`, `--dp-group`, repeatable, ids or names), at least one
 * target, the site's not-found codes named by their flag, then `--json` or the caller's view.
 */
export function addDistributeCommand<R>(
  parent: Command,
  ctx: Ctx,
  o: {
    description: string;
    argument: string;
    send: (client: ApiClient, id: string, targets: DpTargets) => Promise<R>;
    print: (result: R, id: string) => void;
  },
): void {
  const cmd = withJson(
    parent
      .command('distribute')
      .description(o.description)
      .argument(o.argument)
      .option('--dp <name-or-id>', 'a distribution point (repeatable)', collect)
      .option('--dp-group <name-or-id>', 'every member of a DP group (repeatable)', collect),
  );
  action(cmd, async ({ opts, arg }) => {
    const dps = opts.strings('dp');
    const groups = opts.strings('dpGroup');
    if (dps.length === 0 && groups.length === 0)
      throw usageError('give at least one --dp or --dp-group');
    const result = await namingFlags(
      o.send(await ctx.client(), arg(0), {
        ...(dps.length > 0 ? { dpIds: dps } : {}),
        ...(groups.length > 0 ? { dpGroupIds: groups } : {}),
      }),
      { [ErrorCode.DP_NOT_FOUND]: '--dp', [ErrorCode.DP_GROUP_NOT_FOUND]: '--dp-group' },
    );
    if (opts.flag('json')) ctx.out.json(result);
    else o.print(result, arg(0));
  });
}

function addDistribute(pkg: Command, ctx: Ctx): void {
  addDistributeCommand(pkg, ctx, {
    description: "send the package's current content to distribution points",
    argument: '<name-or-id>',
    // The site takes an id or a unique name for each DP and group (DP_NOT_FOUND otherwise).
    send: (client, id, targets) => client.distributePackage(id, targets),
    print: (status, id) => {
      printContentStatus(ctx, id, status);
      ctx.out.note(`Follow it with "steward package status ${id} --wait".`);
    },
  });
}

/** The package status view: targeted, installed, percent complete, and a row per DP. */
export function printContentStatus(ctx: Ctx, name: string, s: PackageContentStatus): void {
  const { out } = ctx;
  const version = s.versionNumber === null ? 'no content' : `content v${s.versionNumber}`;
  out.line(
    `${out.style.bold(name)} (${version}): ${s.installed} of ${plural(s.targeted, 'distribution point')} installed (${percentText(s.percentComplete)})` +
      `, ${s.distributing} distributing, ${s.failed} failed`,
  );
  if (s.distributionPoints.length === 0) return;
  out.line();
  out.table(
    [
      { header: 'DISTRIBUTION POINT' },
      { header: 'STATE' },
      { header: 'VERSION', align: 'right' },
      { header: 'PROGRESS', align: 'right' },
      { header: 'UPDATED' },
      { header: 'VALIDATED' },
      { header: 'MESSAGE', flex: true },
    ],
    s.distributionPoints.map((d) => [
      d.dpName,
      paintState(d.state, out.style),
      `v${d.versionNumber}`,
      d.bytesTotal > 0
        ? `${percentText((d.bytesDone / d.bytesTotal) * 100)} of ${formatBytes(d.bytesTotal)}`
        : '-',
      humanTime(d.updatedAt, out.now),
      humanTime(d.validatedAt, out.now),
      orDash(d.message),
    ]),
  );
}

/** Every targeted DP has settled: installed or failed. */
export function distributionSettled(s: PackageContentStatus): { done: number; total: number } {
  const rows = s.distributionPoints.filter((d) => d.state !== 'removing');
  const done = rows.filter((d) => d.state === 'installed' || d.state === 'failed').length;
  return { done, total: rows.length };
}

function addStatus(pkg: Command, ctx: Ctx): void {
  const cmd = withJson(
    pkg
      .command('status')
      .description('content status: distribution points targeted, installed, percent complete')
      .argument('<name-or-id>')
      .option('--wait', 'wait until every targeted DP has installed or failed, with progress')
      .option('--timeout <seconds>', 'give up waiting after this long (default 1h)'),
  );
  action(cmd, async ({ opts, arg }) => {
    const timeoutSeconds = opts.seconds('timeout', { min: 1 }) ?? 3600;
    const client = await ctx.client();
    let status = await client.packageContentStatus(arg(0));
    if (opts.flag('wait'))
      status = await waitForDistribution(ctx, client, arg(0), status, timeoutSeconds);
    if (opts.flag('json')) ctx.out.json(status);
    else printContentStatus(ctx, arg(0), status);
    if (opts.flag('wait') && status.failed > 0)
      throw new CliError(
        'DISTRIBUTION_FAILED',
        `${plural(status.failed, 'distribution point')} failed to install ${arg(0)}`,
      );
  });
}

async function waitForDistribution(
  ctx: Ctx,
  client: ApiClient,
  name: string,
  first: PackageContentStatus,
  timeoutSeconds: number,
): Promise<PackageContentStatus> {
  const { io } = ctx;
  const total = distributionSettled(first).total;
  if (total === 0) {
    ctx.out.note(`${name} is not targeted to any distribution point: nothing to wait for.`);
    return first;
  }
  const started = io.now().getTime();
  const progress = createProgress(io, { title: `Distributing ${name}`, total });
  const interrupt = interruptController(io);
  let status = first;
  try {
    for (;;) {
      const { done, total: now } = distributionSettled(status);
      progress.update(`${status.installed} installed, ${status.failed} failed of ${now}`, done);
      if (done >= now) break;
      if (io.now().getTime() - started > timeoutSeconds * 1000)
        throw new CliError(
          'TIMEOUT',
          `${done} of ${now} distribution points settled after ${formatDuration(timeoutSeconds * 1000)}`,
        );
      await io.sleep(POLL_MS, interrupt.signal);
      if (interrupt.signal.aborted)
        throw new CliError(
          'CANCELLED',
          `stopped waiting; ${done} of ${now} distribution points settled`,
        );
      status = await client.packageContentStatus(name);
    }
    return status;
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}

function addValidate(pkg: Command, ctx: Ctx): void {
  const cmd = withJson(
    pkg
      .command('validate')
      .description('have distribution points re-hash the content they hold')
      .argument('<name-or-id>')
      .option(
        '--dp <name-or-id>',
        'only this distribution point (repeatable; all by default)',
        collect,
      ),
  );
  action(cmd, async ({ opts, arg }) => {
    const dps = opts.strings('dp');
    const status = await namingFlags(
      (await ctx.client()).validatePackageContent(arg(0), dps.length > 0 ? dps : undefined),
      { [ErrorCode.DP_NOT_FOUND]: '--dp' },
    );
    if (opts.flag('json')) {
      ctx.out.json(status);
      return;
    }
    printContentStatus(ctx, arg(0), status);
    ctx.out.note(
      `Validation requested; the DPs report "installed" or "validation-failed" (follow with "steward package status ${arg(0)} --wait").`,
    );
  });
}

function addRemoveDp(pkg: Command, ctx: Ctx): void {
  const cmd = withJson(
    pkg
      .command('remove-dp')
      .description('remove the package from a distribution point')
      .argument('<name-or-id>')
      .argument('<dp>'),
  );
  action(cmd, async ({ opts, arg }) => {
    const client = await ctx.client();
    const dp = await lookup('<dp>', arg(1), (v) => client.getDistributionPoint(v));
    await client.removePackageFromDp(arg(0), dp.id);
    if (opts.flag('json')) {
      ctx.out.json({ removed: true, package: arg(0), dpId: dp.id });
      return;
    }
    ctx.out.line(`Package ${arg(0)} removed from ${dp.name}; the DP deletes its copy.`);
  });
}
