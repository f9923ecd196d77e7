import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  armorKeyring,
  ops,
  startsWithPublicKey,
  UpdateSourceSettingsOptions,
  UPDATE_SEVERITY_ORDER,
  type ApiClient,
  type SoftwareUpdate,
  type UpdateSource,
  type UpdateSync,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { interruptController } from '../io.js';
import { humanTime, orDash, plural } from '../output/format.js';
import { createProgress } from '../output/progress.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';
import { addUpdateGroupCommands } from './update-deploy-groups.js';
import { addCustomUpdateCommands } from './update-custom.js';
import { addUpdateApprovalCommands } from './update-approvals.js';
import { addUpdateDeploymentCommands } from './update-deployments.js';
import { addUpdateRuleCommands } from './update-rules.js';
import { addUpdateRollupCommands } from './update-rollups.js';
import { registerUpdateScanCommands } from './update-scan.js';
import { registerUpdateOverviewCommand } from './update-overview.js';

const POLL_MS = 500;

/**
 * A keyring file as apt takes it (Signed-By): ASCII-armoured (`*.asc`) is sent as it is, a binary
 * keyring (`/usr/share/keyrings/*.gpg`) is armoured first; the site checks the result.
 */
export async function readKeyring(ctx: Ctx, file: string): Promise<string> {
  const bytes = await readFile(resolve(ctx.io.cwd, file));
  const text = bytes.toString('utf8');
  if (text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) return text;
  if (!startsWithPublicKey(bytes))
    throw usageError(`${file} is neither an armoured nor a binary OpenPGP public keyring`);
  return armorKeyring(bytes);
}

function words(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(/[,\s]+/)).filter((v) => v !== '');
}

function syncLine(s: UpdateSync): string {
  const read = `${s.indexesDone}/${s.indexesTotal} indexes, ${plural(s.packagesRead, 'package')} read`;
  switch (s.state) {
    case 'running':
      return read;
    case 'succeeded':
      return `${read}: ${plural(s.added, 'new update')}, ${s.superseded} superseded`;
    case 'unchanged':
      return 'unchanged since the last sync (only the signed Release was read)';
    case 'failed':
      return `failed (${s.failure ?? 'error'}): ${s.error ?? ''}`;
  }
}

function printSource(ctx: Ctx, s: UpdateSource): void {
  const now = ctx.io.now();
  ctx.out.fields([
    ['Source', `${s.name} (${s.id})`],
    ['Repository', `${s.url} ${s.suite} ${s.components.join(' ')}`],
    ['Architectures', s.architectures.join(', ')],
    ['Schedule', s.enabled ? `every ${s.syncIntervalHours} h` : 'disabled (on demand only)'],
    ['Signed by', orDash(s.signedBy)],
    ['Updates', `${s.updateCount} current`],
    [
      'Last sync',
      s.lastSync
        ? `${humanTime(s.lastSync.startedAt, now)} (${s.lastSync.trigger}): ${syncLine(s.lastSync)}`
        : 'never',
    ],
  ]);
}

/** Follows a sync with a progress bar until it ends (Ctrl-C stops watching, not the sync). */
async function follow(ctx: Ctx, client: ApiClient, source: string, first: UpdateSync) {
  const progress = createProgress(ctx.io, { title: `sync ${first.id.slice(0, 8)}`, total: 1 });
  const interrupt = interruptController(ctx.io);
  let s = first;
  try {
    for (;;) {
      progress.update(syncLine(s), s.indexesTotal === 0 ? 0 : s.indexesDone / s.indexesTotal);
      if (s.state !== 'running') break;
      await ctx.io.sleep(POLL_MS, interrupt.signal);
      if (interrupt.signal.aborted)
        throw new CliError('CANCELLED', `stopped watching; sync ${s.id} is still running`);
      const page = await client.call(ops.updateCatalog.listSyncs, {
        params: { id: source },
        query: { limit: 5 },
      });
      s = page.items.find((x) => x.id === first.id) ?? s;
    }
    progress.stop(`sync ${s.id} ${s.state}: ${syncLine(s)}`);
    return s;
  } catch (err) {
    progress.stop();
    throw err;
  } finally {
    interrupt.dispose();
  }
}

function addSourceCommands(parent: Command, ctx: Ctx): void {
  const source = parent.command('source').description('update sources: apt repository suites');

  action(withJson(source.command('list').description('update sources')), async ({ opts }) => {
    const page = await (await ctx.client()).call(ops.updateCatalog.listSources, {});
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    const now = ctx.io.now();
    ctx.out.table(
      [
        { header: 'NAME' },
        { header: 'SUITE' },
        { header: 'UPDATES' },
        { header: 'LAST SYNC' },
        { header: 'STATE', flex: true },
      ],
      page.items.map((s) => [
        s.name,
        `${s.suite} ${s.components.join(',')}`,
        String(s.updateCount),
        s.lastSync ? humanTime(s.lastSync.startedAt, now) : 'never',
        s.lastSync
          ? s.lastSync.state + (s.lastSync.failure ? ` (${s.lastSync.failure})` : '')
          : '-',
      ]),
      'No update sources. Add one with `steward update source add`.',
    );
  });

  const add = withJson(
    source
      .command('add')
      .description('add an apt repository suite as an update source')
      .argument('<name>')
      .requiredOption(
        '--url <url>',
        'the repository root, e.g. http://mirror.example.org/debian-security',
      )
      .requiredOption('--suite <suite>', 'the suite or codename, e.g. bookworm-security')
      .requiredOption('--keyring <file>', 'the archive keyring (armoured .asc or binary .gpg)')
      .option('--component <name>', 'a component (repeatable; default main)', collect)
      .option('--arch <name>', 'an architecture (repeatable; default amd64)', collect)
      .option('--disabled', 'no scheduled syncs (on demand only)'),
  );
  addSettingFlags(add, UpdateSourceSettingsOptions);
  action(add, async ({ opts, arg }) => {
    const components = words(opts.strings('component'));
    const architectures = words(opts.strings('arch'));
    const created = await (
      await ctx.client()
    ).call(ops.updateCatalog.createSource, {
      body: {
        name: arg(0),
        url: opts.string('url') ?? '',
        suite: opts.string('suite') ?? '',
        keyring: await readKeyring(ctx, opts.string('keyring') ?? ''),
        components: components.length > 0 ? components : ['main'],
        architectures: architectures.length > 0 ? architectures : ['amd64'],
        ...(opts.flag('disabled') ? { enabled: false } : {}),
        ...readSettingFlags(add, UpdateSourceSettingsOptions),
      },
    });
    if (opts.flag('json')) {
      ctx.out.json(created);
      return;
    }
    printSource(ctx, created);
  });

  action(
    withJson(source.command('show').description('one update source').argument('<source>')),
    async ({ opts, arg }) => {
      const s = await (
        await ctx.client()
      ).call(ops.updateCatalog.getSource, {
        params: { id: arg(0) },
      });
      if (opts.flag('json')) {
        ctx.out.json(s);
        return;
      }
      printSource(ctx, s);
    },
  );

  const set = withJson(
    source
      .command('set')
      .description('change an update source')
      .argument('<source>')
      .option('--name <name>', 'a new name')
      .option('--url <url>', 'a new repository root')
      .option('--suite <suite>', 'a new suite')
      .option('--keyring <file>', 'a new archive keyring')
      .option('--enable', 'scheduled syncs on')
      .option('--disable', 'scheduled syncs off'),
  );
  addSettingFlags(set, UpdateSourceSettingsOptions);
  action(set, async ({ opts, arg }) => {
    if (opts.flag('enable') && opts.flag('disable'))
      throw usageError('--enable and --disable exclude each other');
    const keyring = opts.string('keyring');
    const body = {
      ...(opts.string('name') !== undefined ? { name: opts.string('name') } : {}),
      ...(opts.string('url') !== undefined ? { url: opts.string('url') } : {}),
      ...(opts.string('suite') !== undefined ? { suite: opts.string('suite') } : {}),
      ...(keyring !== undefined ? { keyring: await readKeyring(ctx, keyring) } : {}),
      ...(opts.flag('enable') ? { enabled: true } : opts.flag('disable') ? { enabled: false } : {}),
      ...readSettingFlags(set, UpdateSourceSettingsOptions),
    };
    if (Object.keys(body).length === 0) throw usageError('nothing to set: see --help');
    const s = await (
      await ctx.client()
    ).call(ops.updateCatalog.updateSource, {
      params: { id: arg(0) },
      body,
    });
    if (opts.flag('json')) {
      ctx.out.json(s);
      return;
    }
    printSource(ctx, s);
  });

  action(
    source
      .command('delete')
      .description('remove an update source and its updates')
      .argument('<source>'),
    async ({ arg }) => {
      await (await ctx.client()).call(ops.updateCatalog.deleteSource, { params: { id: arg(0) } });
      ctx.out.note(`update source ${arg(0)} deleted`);
    },
  );

  const sync = withJson(
    source
      .command('sync')
      .description('sync an update source now')
      .argument('<source>')
      .option('--wait', 'follow the sync with a progress bar until it ends'),
  );
  action(sync, async ({ opts, arg }) => {
    const client = await ctx.client();
    let s = await client.call(ops.updateCatalog.syncSource, { params: { id: arg(0) } });
    if (opts.flag('wait')) s = await follow(ctx, client, arg(0), s);
    if (opts.flag('json')) {
      ctx.out.json(s);
      return;
    }
    if (!opts.flag('wait')) ctx.out.note(`sync ${s.id} started`);
    else ctx.out.note(syncLine(s));
    if (s.state === 'failed') throw new CliError('UPDATE_SYNC_FAILED', syncLine(s));
  });
}

function updateRow(u: SoftwareUpdate, now: Date): string[] {
  return [
    u.package,
    u.version,
    u.classification,
    u.severity,
    u.sourceName,
    String(u.binaries.length),
    u.expired ? 'expired' : u.supersededAt ? 'superseded' : 'current',
    humanTime(u.publishedAt, now) + (u.revision > 0 ? ` (revision ${String(u.revision)})` : ''),
  ];
}

function addList(parent: Command, ctx: Ctx): void {
  const cmd = withJson(
    parent
      .command('list')
      .description('the update catalog')
      .option('--search <text>', 'part of a source or binary package name')
      .option('--source <id>', 'only updates of this source (id)')
      .option('--classification <kind>', 'security, updates or other')
      .option('--superseded', 'only superseded updates')
      .option('--expired', 'only superseded updates past the site expiry rule')
      .option('--all', 'current and superseded updates')
      .option('--severity <severity>', `${UPDATE_SEVERITY_ORDER.join(', ')} (from advisories)`)
      .option('--cve <id>', 'only updates that fix this CVE')
      .option('--advisory <id>', 'only updates that fix this advisory (DSA-..., USN-...)')
      .option('--limit <n>', 'at most this many (default 50)'),
  );
  action(cmd, async ({ opts }) => {
    const classification = opts.string('classification');
    if (classification !== undefined && !['security', 'updates', 'other'].includes(classification))
      throw usageError('--classification is security, updates or other');
    const limit = opts.int('limit', { min: 1, max: 1000 });
    const severity = opts.oneOf('severity', UPDATE_SEVERITY_ORDER);
    const page = await (
      await ctx.client()
    ).call(ops.updateCatalog.listUpdates, {
      query: {
        ...(opts.string('search') !== undefined ? { search: opts.string('search') } : {}),
        ...(opts.string('source') !== undefined ? { sourceId: opts.string('source') } : {}),
        ...(classification === 'security' ||
        classification === 'updates' ||
        classification === 'other'
          ? { classification }
          : {}),
        ...(opts.flag('all')
          ? {}
          : {
              state: opts.flag('expired')
                ? 'expired'
                : opts.flag('superseded')
                  ? 'superseded'
                  : 'current',
            }),
        ...(severity ? { severity } : {}),
        ...(opts.string('cve') !== undefined ? { cve: opts.string('cve') } : {}),
        ...(opts.string('advisory') !== undefined ? { advisory: opts.string('advisory') } : {}),
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
        { header: 'CLASS' },
        { header: 'SEVERITY' },
        { header: 'SOURCE' },
        { header: 'BINARIES' },
        { header: 'STATE' },
        { header: 'PUBLISHED', flex: true },
      ],
      page.items.map((u) => updateRow(u, now)),
      'No updates match.',
    );
    if (page.total > page.items.length)
      ctx.out.note(`${page.items.length} of ${page.total} shown (--limit)`);
  });
}

function addShow(parent: Command, ctx: Ctx): void {
  const cmd = withJson(
    parent
      .command('show')
      .description('one update of the catalog: facts, binaries and references')
      .argument('<update>', 'update id (as `update list --json` gives it)'),
  );
  action(cmd, async ({ opts, arg }) => {
    const u = await (
      await ctx.client()
    ).call(ops.updateCatalog.getUpdate, { params: { id: arg(0) } });
    if (opts.flag('json')) {
      ctx.out.json(u);
      return;
    }
    const now = ctx.io.now();
    ctx.out.fields([
      ['Update', `${u.package} ${u.version} (${u.id})`],
      ['Source', u.sourceName],
      ['Classification', u.classification],
      ['Severity', u.severity],
      ['State', u.expired ? 'expired' : u.supersededAt ? 'superseded' : 'current'],
      ['Published', humanTime(u.publishedAt, now)],
      [
        'Revised',
        u.revisedAt === null
          ? '-'
          : `${humanTime(u.revisedAt, now)} (revision ${String(u.revision)})`,
      ],
      ['First seen', humanTime(u.firstSeenAt, now)],
      ['Superseded by', orDash(u.supersededBy)],
      ['Binaries', u.binaries.map((b) => `${b.package} ${b.version} ${b.architecture}`).join(', ')],
      ['CVEs', u.cves.length > 0 ? u.cves.join(', ') : '-'],
      ['Advisories', u.advisories.length > 0 ? u.advisories.join(', ') : '-'],
    ]);
  });
}

/** `steward update ...`: software updates (issue 10): sources, syncs and the catalog. */
export function registerUpdateCommands(program: Command, ctx: Ctx): void {
  const update = program
    .command('update')
    .description('software updates: update sources, catalog syncs, the update catalog');
  addSourceCommands(update, ctx);
  addList(update, ctx);
  addShow(update, ctx);
  addUpdateGroupCommands(update, ctx);
  addCustomUpdateCommands(update, ctx);
  addUpdateApprovalCommands(update, ctx);
  addUpdateDeploymentCommands(update, ctx);
  addUpdateRuleCommands(update, ctx);
  addUpdateRollupCommands(update, ctx);
  registerUpdateScanCommands(update, ctx);
  registerUpdateOverviewCommand(update, ctx);
}
