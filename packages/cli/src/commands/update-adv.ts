import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  ops,
  UPDATE_SEVERITY_ORDER,
  type AdvisoryFormat,
  type AdvisoryImport,
  type CveDeviceState,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { humanTime, orDash } from '../output/format.js';

const FORMATS: readonly AdvisoryFormat[] = ['debian-tracker', 'dsa-list', 'dla-list', 'usn', 'osv'];
const KINDS = ['dsa', 'dla', 'usn', 'osv'] as const;
const STATES: readonly CveDeviceState[] = ['affected', 'fixed', 'no-fix'];

function importLine(i: AdvisoryImport): string {
  switch (i.state) {
    case 'succeeded':
      return `imported ${i.format}: ${i.advisories} advisories, ${i.cves} CVEs, ${i.fixes} fixes; ${i.updatesEnriched} updates newly marked security`;
    case 'unchanged':
      return `${i.format} feed unchanged since its last import`;
    case 'failed':
      return `failed: ${i.error ?? ''}`;
  }
}

function addFeedCommands(advisory: Command, ctx: Ctx): void {
  const feed = advisory.command('feed').description('advisory feeds read from a URL on a schedule');
  action(withJson(feed.command('list').description('advisory feeds')), async ({ opts }) => {
    const page = await (await ctx.client()).call(ops.advisories.listAdvisoryFeeds, {});
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    const now = ctx.io.now();
    ctx.out.table(
      [
        { header: 'NAME' },
        { header: 'FORMAT' },
        { header: 'EVERY' },
        { header: 'LAST IMPORT', flex: true },
      ],
      page.items.map((f) => [
        f.name,
        f.format,
        `${f.intervalHours} h`,
        f.lastImport
          ? `${humanTime(f.lastImport.finishedAt, now)}: ${importLine(f.lastImport)}`
          : 'never',
      ]),
      'No advisory feeds.',
    );
  });
  const add = withJson(
    feed
      .command('add')
      .description('add an advisory feed URL and import it now')
      .argument('<name>')
      .requiredOption('--url <url>', 'where the feed is published (http or https)')
      .requiredOption('--format <format>', FORMATS.join(', '))
      .option('--interval-hours <hours>', 'hours between scheduled reads (default 24)')
      .option('--no-import', 'do not read it now'),
  );
  action(add, async ({ opts, arg }) => {
    const client = await ctx.client();
    const interval = opts.int('interval-hours', { min: 1, max: 24 * 31 });
    const created = await client.call(ops.advisories.createAdvisoryFeed, {
      body: {
        name: arg(0),
        url: opts.requiredString('url'),
        format: opts.oneOf('format', FORMATS) ?? 'osv',
        ...(interval !== undefined ? { intervalHours: interval } : {}),
      },
    });
    const imported = opts.flag('import')
      ? await client.call(ops.advisories.importAdvisoryFeed, { params: { id: created.id } })
      : null;
    if (opts.flag('json')) {
      ctx.out.json({ feed: created, import: imported });
      return;
    }
    ctx.out.note(`advisory feed ${created.name} added (${created.id})`);
    if (imported) ctx.out.note(importLine(imported));
  });
  action(
    withJson(feed.command('import').description('read an advisory feed now').argument('<feed>')),
    async ({ opts, arg }) => {
      const i = await (
        await ctx.client()
      ).call(ops.advisories.importAdvisoryFeed, { params: { id: arg(0) } });
      if (opts.flag('json')) ctx.out.json(i);
      else ctx.out.note(importLine(i));
    },
  );
  action(
    feed
      .command('remove')
      .description('remove an advisory feed (its advisories stay)')
      .argument('<feed>'),
    async ({ arg }) => {
      await (
        await ctx.client()
      ).call(ops.advisories.deleteAdvisoryFeed, { params: { id: arg(0) } });
      ctx.out.note(`advisory feed ${arg(0)} removed`);
    },
  );
}

function addAdvisoryCommands(program: Command, ctx: Ctx): void {
  const advisory = program
    .command('advisory')
    .description('security advisories (Debian tracker, DSA/DLA, USN, OSV) that enrich updates');
  const imp = withJson(
    advisory
      .command('import')
      .description('import an advisory feed from a file')
      .argument('<file>')
      .requiredOption('--format <format>', FORMATS.join(', ')),
  );
  action(imp, async ({ opts, arg }) => {
    const format = opts.oneOf('format', FORMATS) ?? 'osv';
    const bytes = await readFile(resolve(ctx.io.cwd, arg(0)));
    const i = await (
      await ctx.client()
    ).call(ops.advisories.importAdvisories, {
      query: { format },
      raw: { body: bytes, mediaType: 'application/octet-stream' },
    });
    if (opts.flag('json')) ctx.out.json(i);
    else ctx.out.note(importLine(i));
  });
  const list = withJson(
    advisory
      .command('list')
      .description('imported advisories, newest first')
      .option('--search <text>', 'part of an id, title or CVE')
      .option('--kind <kind>', KINDS.join(', '))
      .option('--severity <severity>', UPDATE_SEVERITY_ORDER.join(', '))
      .option('--cve <id>', 'advisories that fix this CVE')
      .option('--limit <n>', 'at most this many (default 50)'),
  );
  action(list, async ({ opts }) => {
    const kind = opts.oneOf('kind', KINDS);
    const severity = opts.oneOf('severity', UPDATE_SEVERITY_ORDER);
    const limit = opts.int('limit', { min: 1, max: 1000 });
    const page = await (
      await ctx.client()
    ).call(ops.advisories.listAdvisories, {
      query: {
        ...(opts.string('search') !== undefined ? { search: opts.string('search') } : {}),
        ...(kind ? { kind } : {}),
        ...(severity ? { severity } : {}),
        ...(opts.string('cve') !== undefined ? { cve: opts.string('cve') } : {}),
        ...(limit !== undefined ? { limit } : {}),
      },
    });
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    ctx.out.table(
      [
        { header: 'ID' },
        { header: 'PUBLISHED' },
        { header: 'SEVERITY' },
        { header: 'CVES' },
        { header: 'TITLE', flex: true },
      ],
      page.items.map((a) => [
        a.id,
        orDash(a.publishedAt?.slice(0, 10)),
        a.severity,
        String(a.cves.length),
        a.title,
      ]),
      'No advisories match.',
    );
    if (page.total > page.items.length)
      ctx.out.note(`${page.items.length} of ${page.total} shown (--limit)`);
  });
  action(
    withJson(advisory.command('show').description('one advisory').argument('<id>')),
    async ({ opts, arg }) => {
      const a = await (
        await ctx.client()
      ).call(ops.advisories.getAdvisory, { params: { id: arg(0) } });
      if (opts.flag('json')) {
        ctx.out.json(a);
        return;
      }
      ctx.out.fields([
        ['Advisory', `${a.id} (${a.kind})`],
        ['Title', a.title],
        ['Published', orDash(a.publishedAt)],
        ['Severity', a.severity],
        ['CVEs', a.cves.join(' ') || '-'],
        ...a.fixes.map((f): [string, string] => [
          `Fixed in ${f.release}`,
          `${f.package} ${f.fixedVersion}`,
        ]),
        ...a.links.map((l): [string, string] => ['Link', l]),
      ]);
    },
  );
  action(
    withJson(
      advisory
        .command('imports')
        .description('advisory imports, newest first')
        .option('--limit <n>', 'at most this many'),
    ),
    async ({ opts }) => {
      const limit = opts.int('limit', { min: 1, max: 200 });
      const page = await (
        await ctx.client()
      ).call(ops.advisories.listAdvisoryImports, { query: limit !== undefined ? { limit } : {} });
      if (opts.flag('json')) {
        ctx.out.json(page);
        return;
      }
      const now = ctx.io.now();
      ctx.out.table(
        [{ header: 'WHEN' }, { header: 'BY' }, { header: 'RESULT', flex: true }],
        page.items.map((i) => [humanTime(i.finishedAt, now), i.requestedBy, importLine(i)]),
        'No imports yet.',
      );
    },
  );
  addFeedCommands(advisory, ctx);
}

/** `steward advisory ...` and `steward cve show` (issue 10, ADR 0048). */
export function registerAdvisoryCommands(program: Command, ctx: Ctx): void {
  addAdvisoryCommands(program, ctx);
  const cve = program
    .command('cve')
    .description('the CVE view: affected, fixed and no-fix devices');
  const show = withJson(
    cve
      .command('show')
      .description(
        'a CVE: fixed versions per release and the devices affected, fixed, or with no fix yet',
      )
      .argument('<cve>')
      .option('--state <state>', `only devices in this state: ${STATES.join(', ')}`),
  );
  action(show, async ({ opts, arg }) => {
    const state = opts.oneOf('state', STATES);
    const v = await (
      await ctx.client()
    ).call(ops.advisories.getCve, { params: { id: arg(0) }, query: state ? { state } : {} });
    if (opts.flag('json')) {
      ctx.out.json(v);
      return;
    }
    ctx.out.fields([
      ['CVE', v.id],
      ['Description', v.description || '-'],
      ['Severity', v.severity],
      ['Advisories', v.advisories.join(' ') || '-'],
      [
        'Devices',
        `${v.counts.affected} affected, ${v.counts.fixed} fixed, ${v.counts.noFix} affected with no fix yet`,
      ],
      ...v.packages.map((p): [string, string] => [
        `${p.package} in ${p.release}`,
        p.status === 'fixed' ? `fixed in ${p.fixedVersion ?? ''}` : 'open: no fix released yet',
      ]),
      ...v.updates.map((u): [string, string] => [
        'Fixed by update',
        `${u.package} ${u.version} (${u.sourceName})`,
      ]),
    ]);
    ctx.out.table(
      [
        { header: 'DEVICE' },
        { header: 'STATE' },
        { header: 'PACKAGE' },
        { header: 'INSTALLED' },
        { header: 'FIXED IN', flex: true },
      ],
      v.devices.map((d) => [
        d.deviceName,
        d.state,
        d.binary,
        d.installedVersion,
        orDash(d.fixedVersion),
      ]),
      'No inventoried device holds an affected package.',
    );
  });
}
