import { ops } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { addCollectionDiscoveredRules } from './collection-discovered-rules.js';
import { resolveCollectionId } from './collection-rules.js';
import { printMachines } from './discovery.js';

/**
 * `steward collection discovered list|add|remove`: discovered machines a collection includes
 * by address (ADR 0030). A push to the collection targets those with no agent.
 */
export function addCollectionDiscovered(collection: Command, ctx: Ctx): void {
  const discovered = collection
    .command('discovered')
    .description(
      'discovered machines (no agent yet) a collection includes; a push to it targets them',
    );
  action(
    withJson(discovered.command('list').description('list them').argument('<collection>')),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const id = await resolveCollectionId(client, '<collection>', arg(0));
      const list = await client.call(ops.discovery.listCollectionMembers, { params: { id } });
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      printMachines(ctx, list, 'The collection includes no discovered machine.', {
        header: 'INCLUDED BY',
        cell: (m) =>
          [
            ...(m.byAddress ? ['address'] : []),
            ...(m.byRules.length > 0 ? [`${String(m.byRules.length)} rule(s)`] : []),
          ].join(', '),
      });
    },
  );
  action(
    withJson(
      discovered
        .command('add')
        .description('include discovered machines by address')
        .argument('<collection>')
        .argument('<addresses>', 'comma-separated addresses a sweep has found'),
    ),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const id = await resolveCollectionId(client, '<collection>', arg(0));
      const addresses = arg(1)
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
      const list = await client.call(ops.discovery.addCollectionMembers, {
        params: { id },
        body: { addresses },
      });
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      ctx.out.line(`The collection includes ${list.length} discovered machine(s).`);
    },
  );
  action(
    discovered
      .command('remove')
      .description(
        'stop including a discovered machine by its address (one a rule includes: change the rule)',
      )
      .argument('<collection>')
      .argument('<address>'),
    async ({ arg }) => {
      const client = await ctx.client();
      const id = await resolveCollectionId(client, '<collection>', arg(0));
      await client.call(ops.discovery.removeCollectionMember, {
        params: { id, address: arg(1) },
      });
      ctx.out.line(`${arg(1)} removed from the collection.`);
    },
  );
  addCollectionDiscoveredRules(discovered, ctx);
}
