import { ops, type DiscoveredMemberRuleKind } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { CliError } from '../errors.js';
import { resolveCollectionId } from './collection-rules.js';

const KINDS: readonly DiscoveredMemberRuleKind[] = ['subnet', 'host-name', 'os'];

function kindOf(text: string): DiscoveredMemberRuleKind {
  const kind = KINDS.find((k) => k === text);
  if (kind === undefined)
    throw new CliError('USAGE', `<kind> must be one of ${KINDS.join(', ')}, not "${text}"`, 2);
  return kind;
}

/**
 * `steward collection discovered rule list|add|remove`: discovered machines a collection
 * includes by subnet or range, host-name pattern or guessed OS (ADR 0038), evaluated whenever
 * the members are read, so new sweep results count at once.
 */
export function addCollectionDiscoveredRules(discovered: Command, ctx: Ctx): void {
  const rule = discovered
    .command('rule')
    .description('include discovered machines by subnet/range, host-name pattern or guessed OS');
  action(
    withJson(rule.command('list').description("a collection's rules").argument('<collection>')),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const id = await resolveCollectionId(client, '<collection>', arg(0));
      const list = await client.call(ops.discovery.listCollectionRules, { params: { id } });
      if (opts.flag('json')) {
        ctx.out.json(list);
        return;
      }
      ctx.out.table(
        [
          { header: 'Id' },
          { header: 'Kind' },
          { header: 'Value' },
          { header: 'Matches' },
          { header: 'Added by' },
        ],
        list.map((r) => [r.id, r.kind, r.value, String(r.matches), r.addedBy]),
        'The collection has no discovered-member rule.',
      );
    },
  );
  action(
    withJson(
      rule
        .command('add')
        .description(
          'add a rule: subnet 10.1.0.0/24 (or 10.1.0.1-10.1.0.99), host-name "web-*.lan", os ubuntu',
        )
        .argument('<collection>')
        .argument('<kind>', KINDS.join(' | '))
        .argument('<value>'),
    ),
    async ({ opts, arg }) => {
      const client = await ctx.client();
      const id = await resolveCollectionId(client, '<collection>', arg(0));
      const added = await client.call(ops.discovery.addCollectionRule, {
        params: { id },
        body: { kind: kindOf(arg(1)), value: arg(2) },
      });
      if (opts.flag('json')) {
        ctx.out.json(added);
        return;
      }
      ctx.out.line(
        `Rule ${added.id} (${added.kind} ${added.value}) added; it matches ${added.matches} discovered machine(s) now.`,
      );
    },
  );
  action(
    rule
      .command('remove')
      .description('remove a rule')
      .argument('<collection>')
      .argument('<rule-id>'),
    async ({ arg }) => {
      const client = await ctx.client();
      const id = await resolveCollectionId(client, '<collection>', arg(0));
      await client.call(ops.discovery.removeCollectionRule, {
        params: { id, ruleId: arg(1) },
      });
      ctx.out.line(`Rule ${arg(1)} removed from the collection.`);
    },
  );
}
