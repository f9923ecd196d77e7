import {
  WEEK_MINUTES,
  type ApiClient,
  type Collection,
  type CollectionDefinition,
  type DeviceSummary,
  ops,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { streamExport } from './export.js';
import { parseInteger, type Opts } from '../options.js';
import { humanTime, orDash, plural } from '../output/format.js';
import {
  buildRules,
  collectionNameMap,
  describeRule,
  hasRuleFlags,
  resolveCollectionId,
  ruleFlags,
} from './collection-rules.js';
import { addCollectionDiscovered } from './collection-discovered.js';
import { printDevices } from './device-views.js';
import { fetchPages, paging } from './devices.js';
import { explainQueryError } from './query.js';

function definitionFlags(cmd: Command): Command {
  return ruleFlags(cmd)
    .option('--description <text>', 'what the collection is for')
    .option(
      '--evaluation-interval <minutes>',
      `minutes between scheduled evaluations (5-${WEEK_MINUTES}, default 60)`,
    );
}

export function registerCollectionCommands(program: Command, ctx: Ctx): void {
  const collection = program
    .command('collection')
    .description('collections: groups of devices defined by rules');
  addCollectionList(collection, ctx);
  addCollectionShow(collection, ctx);
  addCollectionCreate(collection, ctx);
  addCollectionUpdate(collection, ctx);
  addCollectionDelete(collection, ctx);
  addCollectionMembers(collection, ctx);
  addCollectionHistory(collection, ctx);
  addCollectionRevisions(collection, ctx);
  addCollectionRestore(collection, ctx);
  addCollectionEvaluate(collection, ctx);
  addCollectionNotify(collection, ctx);
  addCollectionPreview(collection, ctx);
  addCollectionDiscovered(collection, ctx);
}

function addCollectionList(collection: Command, ctx: Ctx): void {
  action(withJson(collection.command('list').description('list collections')), async ({ opts }) => {
    const list = await (await ctx.client()).listCollections();
    if (opts.flag('json')) {
      ctx.out.json(list);
      return;
    }
    const names = collectionNameMap(list);
    const { out } = ctx;
    out.table(
      [
        { header: 'NAME' },
        { header: 'MEMBERS', align: 'right' },
        { header: 'RULES', align: 'right' },
        { header: 'LIMITED TO' },
        { header: 'EVALUATED' },
        { header: 'REV', align: 'right' },
        { header: 'DESCRIPTION', flex: true },
      ],
      list.map((c) => [
        c.builtin ? `${c.name} ${out.style.dim('(built-in)')}` : c.name,
        String(c.memberCount),
        String(c.rules.length),
        c.limitingCollectionId === null
          ? '-'
          : (names.get(c.limitingCollectionId) ?? c.limitingCollectionId),
        humanTime(c.lastEvaluatedAt, out.now),
        String(c.revision),
        c.description,
      ]),
      'No collections.',
    );
  });
}

function addCollectionShow(collection: Command, ctx: Ctx): void {
  action(
    withJson(
      collection.command('show').description('a collection and its rules').argument('<name>'),
    ),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const c = await client.getCollection(arg(0));
      if (opts.flag('json')) {
        ctx.out.json(c);
        return;
      }
      await printCollection(ctx, client, c);
    },
  );
}

function addCollectionCreate(collection: Command, ctx: Ctx): void {
  const create = withJson(
    definitionFlags(
      collection.command('create').description('create a collection').argument('<name>'),
    ),
  );
  action(create, async ({ opts, arg }) => {
    const client = await ctx.client();
    const def = await definitionFromFlags(client, opts, { name: arg(0) });
    const created = await withQueryCaret(ctx, def, () => client.createCollection(def));
    if (opts.flag('json')) {
      ctx.out.json(created);
      return;
    }
    ctx.out.line(
      `Collection ${created.name} created (${plural(created.memberCount, 'member')} so far; evaluation runs in the background).`,
    );
  });
}

function addCollectionUpdate(collection: Command, ctx: Ctx): void {
  const update = withJson(
    definitionFlags(
      collection
        .command('update')
        .description('change a collection; rule flags replace all its rules (others are kept)')
        .argument('<name>')
        .option('--new-name <name>', 'rename the collection')
        .option('--clear-rules', 'remove every rule (with no rule flags)'),
    ),
  );
  action(update, async ({ opts, arg }) => {
    const client = await ctx.client();
    const existing = await client.getCollection(arg(0));
    const def = await definitionFromFlags(client, opts, existing);
    const updated = await withQueryCaret(ctx, def, () => client.updateCollection(existing.id, def));
    if (opts.flag('json')) {
      ctx.out.json(updated);
      return;
    }
    ctx.out.line(`Collection ${updated.name} updated to revision ${updated.revision}.`);
  });
}

function addCollectionDelete(collection: Command, ctx: Ctx): void {
  action(
    collection.command('delete').description('delete a collection').argument('<name>'),
    async ({ arg }) => {
      await (await ctx.client()).deleteCollection(arg(0));
      ctx.out.line(`Collection ${arg(0)} deleted.`);
    },
  );
}

function addCollectionMembers(collection: Command, ctx: Ctx): void {
  const members = withJson(
    collection
      .command('members')
      .description('devices in a collection')
      .argument('<name>')
      .option('--limit <n>', 'at most n rows (1-1000)')
      .option('--offset <n>', 'skip the first n rows')
      .option('--all', 'every member (walks all pages)')
      .option('--csv', 'every member as CSV, streamed from the site (the export)'),
  );
  action(members, async ({ opts, arg }) => {
    if (opts.flag('csv')) {
      await streamExport(ctx, ops.exports.collectionMembers, {
        params: { id: arg(0) },
        query: { format: 'csv' },
      });
      return;
    }
    const page = paging(opts);
    const client = await ctx.client();
    const res = await fetchPages<DeviceSummary>(page, (offset, limit) =>
      client.collectionMembers(arg(0), { offset, ...(limit !== undefined ? { limit } : {}) }),
    );
    if (opts.flag('json')) {
      ctx.out.json(res);
      return;
    }
    printDevices(ctx.out, res.items, { total: res.total, offset: page.offset, all: page.all });
  });
}

function addCollectionHistory(collection: Command, ctx: Ctx): void {
  const history = withJson(
    collection
      .command('history')
      .description('membership changes, newest first')
      .argument('<name>')
      .option('--limit <n>', 'at most n changes')
      .option('--device <text>', 'only devices whose name contains text')
      .option('--change <kind>', 'only added or only removed'),
  );
  action(history, async ({ opts, arg }) => {
    const limit = opts.int('limit', { min: 1, max: 1000 });
    const device = opts.string('device');
    const change = opts.oneOf('change', ['added', 'removed'] as const);
    const changes = await (
      await ctx.client()
    ).collectionMembershipHistory(arg(0), {
      ...(limit !== undefined ? { limit } : {}),
      ...(device !== undefined ? { device } : {}),
      ...(change !== undefined ? { change } : {}),
    });
    if (opts.flag('json')) {
      ctx.out.json(changes);
      return;
    }
    const { out } = ctx;
    out.table(
      [
        { header: 'WHEN' },
        { header: 'CHANGE' },
        { header: 'DEVICE' },
        { header: 'REV', align: 'right' },
      ],
      changes.map((m) => [
        humanTime(m.at, out.now),
        m.change === 'added' ? out.style.green('added') : out.style.red('removed'),
        m.deviceName,
        String(m.revision),
      ]),
      'No membership changes.',
    );
  });
}

function addCollectionRevisions(collection: Command, ctx: Ctx): void {
  action(
    withJson(
      collection
        .command('revisions')
        .description('earlier definitions of a collection')
        .argument('<name>'),
    ),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const revisions = await client.collectionRevisions(arg(0));
      if (opts.flag('json')) {
        ctx.out.json(revisions);
        return;
      }
      const names = collectionNameMap(await client.listCollections());
      const { out } = ctx;
      out.table(
        [
          { header: 'REV', align: 'right' },
          { header: 'WHEN' },
          { header: 'BY' },
          { header: 'NAME' },
          { header: 'RULES', flex: true },
        ],
        revisions.map((r) => [
          String(r.revision),
          humanTime(r.at, out.now),
          r.by,
          r.definition.name,
          r.definition.rules.map((rule) => describeRule(rule, names, new Map())).join('; ') || '-',
        ]),
        'No revisions.',
      );
    },
  );
}

function addCollectionRestore(collection: Command, ctx: Ctx): void {
  const restore = withJson(
    collection
      .command('restore')
      .description('make an earlier revision current again')
      .argument('<name>')
      .argument('<revision>'),
  );
  action(restore, async ({ opts, arg }) => {
    const revision = parseInteger(arg(1), '<revision>', { min: 1 });
    const restored = await (await ctx.client()).restoreCollectionRevision(arg(0), revision);
    if (opts.flag('json')) {
      ctx.out.json(restored);
      return;
    }
    ctx.out.line(
      `Collection ${restored.name} restored from revision ${revision}; it is now revision ${restored.revision}.`,
    );
  });
}

function addCollectionEvaluate(collection: Command, ctx: Ctx): void {
  action(
    withJson(
      collection.command('evaluate').description('evaluate membership now').argument('<name>'),
    ),
    async ({ opts, arg }) => {
      const evaluated = await (await ctx.client()).evaluateCollection(arg(0));
      if (opts.flag('json')) {
        ctx.out.json(evaluated);
        return;
      }
      ctx.out.line(
        `Collection ${evaluated.name} evaluated: ${plural(evaluated.memberCount, 'member')}.`,
      );
    },
  );
}

/** Client notification for a whole collection: every member fetches policy / collects inventory now. */
function addCollectionNotify(collection: Command, ctx: Ctx): void {
  const actions = [
    ['fetch-policy', 'policy:fetch', 'every member fetches its policy now'],
    ['collect-inventory', 'inventory:collect', 'every member collects and reports inventory now'],
  ] as const;
  for (const [name, nudge, description] of actions) {
    action(
      withJson(collection.command(name).description(description).argument('<name>')),
      async ({ opts, arg }) => {
        const result = await (await ctx.client()).notifyCollection(arg(0), nudge);
        if (opts.flag('json')) {
          ctx.out.json(result);
          return;
        }
        ctx.out.line(
          `Sent "${nudge}" to ${plural(result.devices, 'device')} (${result.connected} connected now; the others get it when they reconnect).`,
        );
      },
    );
  }
}

function addCollectionPreview(collection: Command, ctx: Ctx): void {
  const preview = withJson(
    ruleFlags(
      collection
        .command('preview')
        .description('how many devices rules would select, without saving'),
    ),
  );
  action(preview, async ({ opts }) => {
    const client = await ctx.client();
    const rules = await buildRules(client, opts);
    const limitTo = opts.string('limitTo');
    const limitingCollectionId =
      limitTo === undefined ? undefined : await resolveCollectionId(client, '--limit-to', limitTo);
    const res = await withQueryCaret(ctx, rules, () =>
      client.previewCollection({
        rules,
        ...(limitingCollectionId !== undefined ? { limitingCollectionId } : {}),
      }),
    );
    if (opts.flag('json')) {
      ctx.out.json(res);
      return;
    }
    ctx.out.line(
      res.count === 1 ? '1 device would be a member.' : `${res.count} devices would be members.`,
    );
    if (res.sample.length > 0) {
      ctx.out.line();
      printDevices(ctx.out, res.sample, { total: res.sample.length, offset: 0, all: true });
    }
  });
}

async function withQueryCaret<T>(
  ctx: Ctx,
  source: CollectionDefinition | CollectionDefinition['rules'],
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw explainQueryError(err, Array.isArray(source) ? source : source.rules, ctx.out.errStyle);
  }
}

/** A full definition from the flags, keeping what `base` has for everything not given. */
export async function definitionFromFlags(
  client: ApiClient,
  opts: Opts,
  base: Pick<CollectionDefinition, 'name'> & Partial<Collection>,
): Promise<CollectionDefinition> {
  const def: CollectionDefinition = {
    name: opts.string('newName') ?? base.name,
    rules: hasRuleFlags(opts)
      ? await buildRules(client, opts)
      : opts.flag('clearRules')
        ? []
        : (base.rules ?? []),
  };
  const description = opts.string('description') ?? base.description;
  if (description !== undefined) def.description = description;
  const limitTo = opts.string('limitTo');
  if (limitTo !== undefined)
    def.limitingCollectionId = await resolveCollectionId(client, '--limit-to', limitTo);
  else if (base.limitingCollectionId !== undefined)
    def.limitingCollectionId = base.limitingCollectionId;
  const interval =
    opts.int('evaluationInterval', { min: 5, max: WEEK_MINUTES }) ?? base.evaluationIntervalMinutes;
  if (interval !== undefined) def.evaluationIntervalMinutes = interval;
  return def;
}

async function printCollection(ctx: Ctx, client: ApiClient, c: Collection): Promise<void> {
  const { out } = ctx;
  const collectionNames = collectionNameMap(await client.listCollections());
  const directIds = c.rules.flatMap((r) => (r.kind === 'direct' ? [r.deviceId] : []));
  // Name the directly added devices when there are few of them; otherwise their ids do.
  const deviceNames = new Map<string, string>();
  if (directIds.length <= 50) {
    const found = await Promise.all(
      directIds.map((id) =>
        client.getDevice(id).then(
          (d) => [id, d.name] as const,
          () => undefined,
        ),
      ),
    );
    for (const entry of found) if (entry) deviceNames.set(entry[0], entry[1]);
  }
  out.heading(c.name);
  out.fields([
    ['Id', c.id],
    ['Description', orDash(c.description)],
    ['Built-in', c.builtin ? 'yes' : 'no'],
    [
      'Limited to',
      c.limitingCollectionId === null
        ? '-'
        : (collectionNames.get(c.limitingCollectionId) ?? c.limitingCollectionId),
    ],
    ['Members', String(c.memberCount)],
    ['Last evaluated', humanTime(c.lastEvaluatedAt, out.now)],
    ['Evaluation interval', `${c.evaluationIntervalMinutes} min`],
    ['Revision', String(c.revision)],
    ['Created', humanTime(c.createdAt, out.now)],
    ['Updated', humanTime(c.updatedAt, out.now)],
  ]);
  out.line();
  out.heading(`Rules (${c.rules.length})`);
  if (c.rules.length === 0) out.line('  (none: no device is a member)');
  for (const rule of c.rules) out.line(`  ${describeRule(rule, collectionNames, deviceNames)}`);
}
