import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import {
  AgentPackageManifest,
  AgentVersionSettingsOptions,
  ops,
  type AgentVersion,
  type AgentVersionSettings,
  type UpdateAgentVersionSettings,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { CliError } from '../errors.js';
import { usageError } from '../errors.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';
import { resolveCollectionId } from './collection-rules.js';
import { hashFile, missingHashes, uploadAll } from './content-upload.js';
import { addAgentUpgradeList } from './agent-upgrades.js';
import { addAgentVersionContent } from './agent-version-content.js';
import { formatBytes } from './software-common.js';

/** Reads and checks `<dir>/manifest.json` and that each file beside it has the hash it names. */
async function readManifest(dir: string): Promise<AgentPackageManifest> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch {
    throw new CliError('NO_MANIFEST', `${dir} has no manifest.json (npm run package:agent)`);
  }
  const parsed: unknown = JSON.parse(text);
  if (!Value.Check(AgentPackageManifest, parsed)) {
    const first = Value.Errors(AgentPackageManifest, parsed).First();
    throw new CliError(
      'BAD_MANIFEST',
      `${join(dir, 'manifest.json')}: ${first?.path ?? ''} ${first?.message ?? ''}`,
    );
  }
  for (const f of parsed.files) {
    const { sha256, size } = await hashFile(join(dir, f.name), () => undefined);
    if (sha256 !== f.sha256 || size !== f.size)
      throw new CliError('BAD_MANIFEST', `${f.name} does not match its manifest entry`);
  }
  return parsed;
}

function printVersion(ctx: Ctx, v: AgentVersion): void {
  ctx.out.fields([
    ['Version', v.version],
    ['Role', v.role ?? '-'],
    ['Registered', `${v.createdAt} by ${v.createdBy}`],
    ['Size', formatBytes(v.sizeBytes)],
    ['Content package', v.packageId ?? 'none yet (created at the first distribution)'],
  ]);
  ctx.out.table(
    [{ header: 'File', flex: true }, { header: 'Kind' }, { header: 'Arch' }, { header: 'SHA-256' }],
    v.files.map((f) => [f.name, f.kind, f.arch, f.sha256.slice(0, 16)]),
  );
}

function printSettings(ctx: Ctx, s: AgentVersionSettings): void {
  ctx.out.fields([
    ['Production', s.productionVersion ?? 'none'],
    ['Pre-production', s.preproductionVersion ?? 'none'],
    ['Pre-production collection', s.preproductionCollectionId ?? 'none'],
    ['Exclusion collection', s.exclusionCollectionId ?? 'none'],
    ['Upgrade window', `${s.upgradeWindowHours} hours`],
    ['Report-in limit', `${s.upgradeReportInSeconds} seconds`],
    ['Fallback for agent upgrades', s.upgradeAllowFallback ? 'on' : 'off'],
    ['Attempt timeout', `${s.upgradeAttemptTimeoutHours} hours`],
  ]);
}

/** `none` clears a version or collection setting. */
const cleared = (v: string | undefined): string | null | undefined =>
  v === undefined ? undefined : v === 'none' ? null : v;

/**
 * `steward agent-version add|list|show|settings|promote|distribute|content-status|validate`:
 * agent versions as content (issue 9).
 * `add` uploads the packages hash-first through the content library, then registers them.
 */
export function registerAgentVersionCommands(program: Command, ctx: Ctx): void {
  const group = program
    .command('agent-version')
    .description('agent versions: register, production and pre-production, promote, upgrades');
  addAgentUpgradeList(group, ctx);
  addAgentVersionContent(group, ctx);

  const add = withJson(
    group
      .command('add')
      .description('register the agent version built by npm run package:agent')
      .argument('<dir>', 'folder holding manifest.json and the packages it names'),
  );
  action(add, async ({ opts, arg }) => {
    const dir = arg(0);
    const manifest = await readManifest(dir);
    const client = await ctx.client();
    const missing = await missingHashes(
      client,
      manifest.files.map((f) => f.sha256),
    );
    const toUpload = new Map<string, { abs: string; size: number }>();
    for (const f of manifest.files)
      if (missing.has(f.sha256)) toUpload.set(f.sha256, { abs: join(dir, f.name), size: f.size });
    const bytes = [...toUpload.values()].reduce((n, f) => n + f.size, 0);
    if (toUpload.size > 0) await uploadAll(ctx.io, client, toUpload, bytes);
    const created = await client.call(ops.agentVersions.register, { body: manifest });
    if (opts.flag('json')) {
      ctx.out.json(created);
      return;
    }
    ctx.out.line(
      `Agent version ${created.version} registered (${created.files.length} packages, ${formatBytes(bytes)} uploaded).`,
    );
  });

  action(
    withJson(group.command('list').description('registered agent versions')),
    async ({ opts }) => {
      const list = await (await ctx.client()).call(ops.agentVersions.list, {});
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      ctx.out.table(
        [
          { header: 'Version' },
          { header: 'Role' },
          { header: 'Packages', flex: true },
          { header: 'Registered' },
        ],
        list.map((v) => [
          v.version,
          v.role ?? '-',
          v.files.map((f) => (f.kind === 'sea' ? `sea/${f.arch}` : f.kind)).join(', '),
          v.createdAt,
        ]),
        'No agent version registered (steward agent-version add <dir>).',
      );
    },
  );

  action(
    withJson(group.command('show').description('one agent version').argument('<version>')),
    async ({ opts, arg }) => {
      const v = await (
        await ctx.client()
      ).call(ops.agentVersions.get, {
        params: { version: arg(0) },
      });
      if (opts.flag('json')) {
        ctx.out.json(v);
        return;
      }
      printVersion(ctx, v);
    },
  );

  const settings = group.command('settings').description('production and pre-production settings');
  action(withJson(settings.command('show').description('show them')), async ({ opts }) => {
    const s = await (await ctx.client()).call(ops.agentVersions.getSettings, {});
    if (opts.flag('json')) {
      ctx.out.json(s);
      return;
    }
    printSettings(ctx, s);
  });
  const set = withJson(
    settings
      .command('set')
      .description('change them (Full Administrator); "none" clears a value')
      .option('--production <version>', 'production agent version')
      .option('--preproduction <version>', 'pre-production agent version')
      .option('--preproduction-collection <collection>', 'collection that gets pre-production')
      .option(
        '--exclusion-collection <collection>',
        'collection excluded from automatic client upgrade (keeps the version it runs)',
      ),
  );
  addSettingFlags(set, AgentVersionSettingsOptions);
  action(set, async ({ opts }) => {
    const client = await ctx.client();
    const patch: UpdateAgentVersionSettings = {
      ...readSettingFlags(set, AgentVersionSettingsOptions),
    };
    const production = cleared(opts.string('production'));
    if (production !== undefined) patch.productionVersion = production;
    const preproduction = cleared(opts.string('preproduction'));
    if (preproduction !== undefined) patch.preproductionVersion = preproduction;
    for (const [flag, key] of [
      ['preproductionCollection', 'preproductionCollectionId'],
      ['exclusionCollection', 'exclusionCollectionId'],
    ] as const) {
      const v = cleared(opts.string(flag));
      if (v === undefined) continue;
      patch[key] =
        v === null
          ? null
          : await resolveCollectionId(
              client,
              `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
              v,
            );
    }
    if (Object.keys(patch).length === 0) throw usageError('nothing to set');
    const updated = await client.call(ops.agentVersions.updateSettings, { body: patch });
    if (opts.flag('json')) {
      ctx.out.json(updated);
      return;
    }
    printSettings(ctx, updated);
  });

  action(
    withJson(
      group
        .command('promote')
        .description(
          'Promote pre-production client: pre-production becomes production (Full Administrator)',
        ),
    ),
    async ({ opts }) => {
      const r = await (await ctx.client()).call(ops.agentVersions.promote, {});
      if (opts.flag('json')) {
        ctx.out.json(r);
        return;
      }
      ctx.out.line(
        `Agent version ${r.settings.productionVersion ?? ''} is now production (was ${r.previousProductionVersion ?? 'none'}).`,
      );
    },
  );
}
