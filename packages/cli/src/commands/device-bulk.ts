import type {
  ApiClient,
  BulkActionResult,
  BulkDeviceAction,
  DeviceSelection,
} from '@steward/protocol';
import { MAX_SELECTION_IDS } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { plural } from '../output/format.js';
import { DEVICE_STATUSES } from './devices.js';

/** `steward device bulk <action>`: the CLI's names for the bulk actions (ADR 0031). */
const BULK_COMMANDS: Record<string, BulkDeviceAction> = {
  'add-to-collection': 'collection:add',
  'remove-from-collection': 'collection:remove',
  'collect-inventory': 'inventory:collect',
  'fetch-policy': 'policy:fetch',
  'evaluate-deployments': 'deployments:evaluate',
  revoke: 'revoke',
};

const REASONS: Record<string, string> = {
  'device-revoked': 'revoked',
  'not-direct-member': 'not a direct member',
  'not-found': 'no such device',
};

/** The selection of the flags: `--ids`, or the device list's filter flags (all devices without any). */
async function selectionOf(opts: Opts, client: ApiClient): Promise<DeviceSelection> {
  const ids = opts.string('ids');
  const search = opts.string('search');
  const status = opts.oneOf('status', DEVICE_STATUSES);
  const collection = opts.string('collection');
  if (ids !== undefined) {
    if (search !== undefined || status !== undefined || collection !== undefined)
      throw usageError('--ids cannot be combined with --search, --status or --collection');
    const list = [...new Set(ids.split(',').map((s) => s.trim()))].filter((s) => s !== '');
    if (list.length === 0) throw usageError('--ids names no device');
    if (list.length > MAX_SELECTION_IDS)
      throw usageError(`--ids takes at most ${MAX_SELECTION_IDS} ids; select by filter instead`);
    return { ids: list };
  }
  return {
    filter: {
      ...(search !== undefined ? { search } : {}),
      ...(status !== undefined ? { status } : {}),
      // The site takes the collection's id; people type names.
      ...(collection !== undefined
        ? { collection: (await client.getCollection(collection)).id }
        : {}),
    },
  };
}

/** How many devices the selection names now (what --yes confirms). */
async function countOf(client: ApiClient, selection: DeviceSelection): Promise<number> {
  if ('ids' in selection) return selection.ids.length;
  return (await client.listDevices({ ...selection.filter, limit: 1 })).total;
}

export function addDeviceBulk(device: Command, ctx: Ctx): void {
  const bulk = device
    .command('bulk')
    .description('act on many devices at once: --ids, or every device matching a filter');
  for (const [name, bulkAction] of Object.entries(BULK_COMMANDS)) {
    const isCollection = bulkAction === 'collection:add' || bulkAction === 'collection:remove';
    let cmd = withJson(
      bulk
        .command(name)
        .description(`${bulkAction} on the selected devices`)
        .option('--ids <ids>', `these device ids, comma-separated (at most ${MAX_SELECTION_IDS})`)
        .option('--search <text>', 'devices whose name, IP address, OS or user contains text')
        .option('--collection <name-or-id>', 'members of a collection')
        .option('--status <status>', `one of ${DEVICE_STATUSES.join(', ')}`)
        .option('--yes', 'do it (without: print how many devices it would act on)'),
    );
    if (bulkAction === 'collection:add')
      cmd = cmd.option(
        '--to-collection <name-or-id>',
        'the collection to add them to (direct members)',
      );
    if (bulkAction === 'collection:remove')
      cmd = cmd.option('--from-collection <name-or-id>', 'the collection to remove them from');
    action(cmd, async ({ opts }) => {
      const target = isCollection
        ? opts.requiredString(bulkAction === 'collection:add' ? 'toCollection' : 'fromCollection')
        : undefined;
      const client = await ctx.client();
      const selection = await selectionOf(opts, client);
      const expectedCount = await countOf(client, selection);
      if (!opts.flag('yes'))
        throw usageError(
          `${name} would act on ${plural(expectedCount, 'device')}; add --yes to do it`,
        );
      const result = await client.bulkDeviceAction({
        selection,
        action: bulkAction,
        expectedCount,
        ...(target !== undefined ? { collection: target } : {}),
      });
      if (opts.flag('json')) {
        ctx.out.json(result);
        return;
      }
      printSummary(ctx, name, result);
    });
  }
}

function printSummary(ctx: Ctx, name: string, r: BulkActionResult): void {
  const parts = [`${r.done} done`];
  if (r.unchanged > 0) parts.push(`${r.unchanged} unchanged`);
  parts.push(`${r.failed} failed`);
  ctx.out.line(`${name}: ${plural(r.matched, 'device')} selected; ${parts.join(', ')}.`);
  if (r.connected !== undefined)
    ctx.out.line(`${r.connected} held a push connection; the rest act when they next connect.`);
  for (const f of r.failures)
    ctx.out.line(`  ${f.count} ${REASONS[f.reason] ?? f.reason}: ${f.examples.join(', ')}`);
}
