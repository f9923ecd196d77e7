import type {
  ApiClient,
  BulkDiscoveredAction,
  BulkDiscoveredResult,
  DiscoveredSelection,
} from '@steward/protocol';
import { MAX_SELECTION_IDS, ops } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { plural } from '../output/format.js';

/** `steward discovery bulk <action>`: the CLI's names for the bulk actions (ADR 0040). */
const BULK_COMMANDS: Record<string, { action: BulkDiscoveredAction; help: string }> = {
  push: { action: 'push', help: 'push the agent (over SSH) to the selected machines' },
  'add-to-collection': {
    action: 'collection:add',
    help: 'include the selected machines in a collection (discovered members)',
  },
  forget: { action: 'forget', help: 'forget the selected discovered records' },
};

const REASONS: Record<string, string> = {
  'has-agent': 'have an agent already',
  'not-found': 'no such discovered machine',
};

/** `--addresses`, or the list's filter flags (every machine without any). */
function selectionOf(opts: Opts): DiscoveredSelection {
  const addresses = opts.string('addresses');
  const search = opts.string('search');
  const has = opts.flag('hasAgent');
  // commander defaults `agent` to true and sets it false for --no-agent.
  const without = !opts.flag('agent');
  if (has && without) throw usageError('--has-agent and --no-agent exclude each other');
  if (addresses !== undefined) {
    if (search !== undefined || has || without)
      throw usageError('--addresses cannot be combined with --search, --has-agent or --no-agent');
    const list = [...new Set(addresses.split(',').map((s) => s.trim()))].filter((s) => s !== '');
    if (list.length === 0) throw usageError('--addresses names no machine');
    if (list.length > MAX_SELECTION_IDS)
      throw usageError(`--addresses takes at most ${MAX_SELECTION_IDS}; select by filter instead`);
    return { ids: list };
  }
  return {
    filter: {
      ...(search !== undefined ? { search } : {}),
      ...(has ? { hasAgent: true } : without ? { hasAgent: false } : {}),
    },
  };
}

/** How many machines the selection names now (what --yes confirms). */
async function countOf(client: ApiClient, selection: DiscoveredSelection): Promise<number> {
  if ('ids' in selection) return selection.ids.length;
  const page = await client.call(ops.discovery.listMachines, {
    query: { ...selection.filter, limit: 1 },
  });
  return page.total;
}

export function addDiscoveryBulk(discovery: Command, ctx: Ctx): void {
  const bulk = discovery
    .command('bulk')
    .description('act on many discovered machines at once: --addresses, or all matching a filter');
  for (const [name, def] of Object.entries(BULK_COMMANDS)) {
    let cmd = withJson(
      bulk
        .command(name)
        .description(def.help)
        .option(
          '--addresses <list>',
          `these addresses, comma-separated (at most ${MAX_SELECTION_IDS})`,
        )
        .option(
          '--search <text>',
          'machines whose address, DNS name, MAC or OS guess contains text',
        )
        .option('--has-agent', 'only machines that have an agent')
        .option('--no-agent', 'only machines without an agent (push candidates)')
        .option('--yes', 'do it (without: print how many machines it would act on)'),
    );
    if (def.action === 'collection:add')
      cmd = cmd.option('--to-collection <name-or-id>', 'the collection to include them in');
    if (def.action === 'push')
      cmd = cmd.option('--account <name-or-id>', 'the push account to connect with');
    action(cmd, async ({ opts }) => {
      const collection =
        def.action === 'collection:add' ? opts.requiredString('toCollection') : undefined;
      const account = def.action === 'push' ? opts.requiredString('account') : undefined;
      const selection = selectionOf(opts);
      const client = await ctx.client();
      const expectedCount = await countOf(client, selection);
      if (!opts.flag('yes'))
        throw usageError(
          `${name} would act on ${plural(expectedCount, 'machine')}; add --yes to do it`,
        );
      const result = await client.call(ops.discovery.bulkAction, {
        body: {
          selection,
          action: def.action,
          expectedCount,
          ...(collection !== undefined ? { collection } : {}),
          ...(account !== undefined ? { account } : {}),
        },
      });
      if (opts.flag('json')) {
        ctx.out.json(result);
        return;
      }
      printSummary(ctx, name, result);
    });
  }
}

function printSummary(ctx: Ctx, name: string, r: BulkDiscoveredResult): void {
  const parts = [`${r.done} done`];
  if (r.unchanged > 0) parts.push(`${r.unchanged} unchanged`);
  parts.push(`${r.failed} failed`);
  ctx.out.line(`${name}: ${plural(r.matched, 'machine')} selected; ${parts.join(', ')}.`);
  if (r.pushJobId !== undefined)
    ctx.out.line(`Push job ${r.pushJobId} started (steward push status ${r.pushJobId}).`);
  for (const f of r.failures)
    ctx.out.line(`  ${f.count} ${REASONS[f.reason] ?? f.reason}: ${f.examples.join(', ')}`);
}
